"""The sample's dataset.yaml ``evaluation:`` block: each programme's aims and evaluation questions
as its source document states them, with the period, team and data sources of a plausible
evaluation. No person is named; teams are given by role and organisation.

Sources: the Barts Health and The King's Fund case study (senior clinical leaders programme,
evaluated in 2024); Lancaster University CETAD's account of the Lancashire Care medical
leadership programme; the Liverpool University Hospitals and Liverpool Business School
executive summary; the Shrewsbury and Telford Leadership Zone case study; the University of
Leeds CIHM impact case study.
"""

from __future__ import annotations

EVALUATION: dict = {
    "barts_kf_scl": {
        "title": "Evaluation of the Barts Health senior clinical leaders programme",
        "commissioned_by": "Barts Health NHS Trust",
        "authors": ["The King's Fund leadership and organisational development team",
                    "Lead for clinical leadership, Barts Health NHS Trust"],
        "team": ["Lead facilitator, The King's Fund",
                 "Lead for clinical leadership, Barts Health NHS Trust (co-facilitator)",
                 "Evaluation analyst, The King's Fund"],
        "period": {"start": "2019-03-01", "end": "2024-12-31"},
        "aims": ["Increase the impact and collective capability of clinicians at the forefront "
                 "of new approaches to acute care",
                 "Offer clinicians a legitimate pathway into senior leadership roles",
                 "Build working across specialities and across the trusts of north-east London"],
        "questions": [
            {"id": "q1", "text": "Who took part, from which trusts, and did they complete the "
             "programme?", "strands": ["reach", "reaction"]},
            {"id": "q2", "text": "How did leaders benefit from the programme?",
             "strands": ["learning", "behaviour", "themes"]},
            {"id": "q3", "text": "Did the programme connect clinical leaders across specialities "
             "and trusts?", "strands": ["networks"]},
            {"id": "q4", "text": "Did the programme create a pipeline of clinical leaders into "
             "more senior roles?", "strands": ["pipeline", "comparison"]},
            {"id": "q5", "text": "Who got in and who benefited, by group?",
             "strands": ["equality"]},
            {"id": "q6", "text": "What did the programme cost per participant and per move into "
             "a more senior role?", "strands": ["value"]},
        ],
        "data_sources": ["Applications and cohort registers", "Attendance at each module day",
                         "Healthcare Leadership Model 360 at the start, the end and follow-up",
                         "End-of-programme reaction survey",
                         "Interviews, focus groups and free-text comments",
                         "Working-relationship network survey", "Career moves from HR records"],
    },
    "lcft_cetad": {
        "title": "Evaluation of the Lancashire Care medical leadership programme",
        "commissioned_by": "Medical Director, Lancashire Care NHS Foundation Trust",
        "authors": ["Centre for Education, Training and Development, Lancaster University"],
        "team": ["Director of Work Based Learning, CETAD",
                 "Medical Director's office, Lancashire Care NHS Foundation Trust"],
        "period": {"start": "2014-09-01", "end": "2016-11-30"},
        "aims": ["Develop consultants as medical leaders against the Trust's bespoke medical "
                 "leadership competency framework",
                 "Improve services through a work-based improvement project led by each doctor",
                 "Support succession planning for the Trust's most senior medical leadership posts"],
        "questions": [
            {"id": "q1", "text": "Did every doctor complete the programme and lead an "
             "improvement project?", "strands": ["reach", "results"]},
            {"id": "q2", "text": "Did doctors develop against the LCFT medical leadership "
             "framework?", "strands": ["learning", "behaviour"]},
            {"id": "q3", "text": "Did the improvement projects improve the services they "
             "measured?", "strands": ["results"]},
            {"id": "q4", "text": "Did the programme prepare doctors for senior medical "
             "leadership posts?", "strands": ["pipeline"]},
            {"id": "q5", "text": "What did the programme cost per doctor?", "strands": ["value"]},
        ],
        "data_sources": ["Cohort register and attendance", "Self and medical-manager ratings "
                         "against the LCFT framework at the start and the end",
                         "Improvement project measures", "Interviews with the doctors"],
    },
    "luhft_lbs": {
        "title": "Impact evaluation of the LUHFT integrated leadership programme",
        "commissioned_by": "Liverpool University Hospitals NHS Foundation Trust",
        "authors": ["Department of Leadership and Organisational Development, Liverpool "
                    "Business School"],
        "team": ["Programme leads, Liverpool Business School",
                 "Organisational development team, Liverpool University Hospitals NHS Foundation "
                 "Trust"],
        "period": {"start": "2020-10-01", "end": "2023-12-31"},
        "aims": ["Develop leaders able to work across the merged trusts",
                 "Make a measurable difference in the workplace through live work-based projects",
                 "Build connectedness and social networks to underpin culture change"],
        "questions": [
            {"id": "q1", "text": "What did the live work-based projects achieve?",
             "strands": ["results"]},
            {"id": "q2", "text": "Did leaders become more connected across professions and the "
             "merged trusts?", "strands": ["networks"]},
            {"id": "q3", "text": "Did leaders' capability and confidence grow?",
             "strands": ["learning", "behaviour", "themes"]},
        ],
        "data_sources": ["Cohort register and attendance", "Healthcare Leadership Model 360",
                         "Live project measures", "Network survey at the start and the end",
                         "Interviews and free-text comments"],
    },
    "sath_academy": {
        "title": "Leadership Zone: impact of the library's leadership collection",
        "commissioned_by": "Leadership Academy, Shrewsbury and Telford Hospital NHS Trust",
        "authors": ["Library Services Manager and Site Librarians, Shrewsbury and Telford "
                    "Hospital NHS Trust"],
        "team": ["Library Services Manager", "Site Librarians",
                 "Leadership Academy manager"],
        "period": {"start": "2011-10-01", "end": "2013-04-30"},
        "aims": ["Support the Trust's leadership academy strategy with library resources",
                 "Increase use of the leadership and management collection"],
        "questions": [
            {"id": "q1", "text": "Did the Leadership Zone increase use of the library's "
             "leadership and management books?", "strands": ["results"]},
            {"id": "q2", "text": "Who took part in the Leadership Academy courses it "
             "supported?", "strands": ["reach", "reaction"]},
        ],
        "data_sources": ["Monthly library issues of management and leadership books",
                         "Leadership Academy course registers and attendance",
                         "Course surveys and comments"],
    },
    "leeds_cihm": {
        "title": "Evaluation of the clinician-manager relationship programmes",
        "commissioned_by": "Leeds Teaching Hospitals NHS Trust (Knowledge Transfer Partnership)",
        "authors": ["Centre for Innovation in Healthcare Management, University of Leeds"],
        "team": ["Research team, Centre for Innovation in Healthcare Management",
                 "Knowledge Transfer Partnership associate"],
        "period": {"start": "2009-09-01", "end": "2014-07-31"},
        "aims": ["Develop productive relationships between management and medicine",
                 "Support clinical engagement and improve service efficiency and quality"],
        "questions": [
            {"id": "q1", "text": "How many senior clinicians and directors, from how many "
             "organisations, took part?", "strands": ["reach", "reaction"]},
            {"id": "q2", "text": "Did relationships between clinicians and managers improve?",
             "strands": ["learning", "themes"]},
            {"id": "q3", "text": "Did completion differ between organisations?",
             "strands": ["benchmarking"]},
            {"id": "q4", "text": "What did the programme cost per participant?",
             "strands": ["value"]},
        ],
        "data_sources": ["Programme registers and attendance",
                         "Clinician-manager relationship scale at the start and the end",
                         "End-of-programme reaction survey", "Free-text comments"],
    },
}
