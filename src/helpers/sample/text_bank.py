"""Phrase bank for the qualitative segments: one codebook per programme and the statements of each code.

Each programme's codebook comes from its own source document, copied here because the generator
never reads the seed folder:

* Barts Health with The King's Fund (seed 002): the four themes of the 2024 evaluation
  (restorative space, cross-speciality working across three trusts, new perspectives on
  leadership and followership, working with operational managers) and the facilitation the
  delegates described (an adult approach, real-time issues, a co-facilitating orthopaedic surgeon).
* LUHFT with Liverpool Business School (seed 000): live work-based projects, leading through a
  merger, a pandemic and severe financial constraint, social networks for culture change,
  clinicians' confidence to lead, a flexible technology-enabled design.
* Lancashire Care with Lancaster University CETAD (seed 001): the bespoke medical leadership
  framework each doctor benchmarked against, one improvement project each, the work-plan that
  made the programme part of working life, doctors' role across the care pathway, home-grown
  leadership talent.
* Leeds CIHM (seed 004): productive relationships between management and medicine, barriers
  to clinical engagement, reform and service efficiency, ongoing peer support.
* Shrewsbury and Telford Leadership Academy (seed 003): the library Leadership Zone and reading
  lists, leadership conferences, leadership for better patient care.

A statement is a string, or ``(text, earliest, latest)`` when it only fits cohorts that started
between those ISO dates (Covid-19 from 2020, industrial action from late 2022), so that no
2014 doctor recalls a pandemic. A segment is one statement of its code, sometimes a second
statement of a sibling code of the same theme (coded too), and sometimes, first, a sentence of
context from the programme's own place and time. No filler: every sentence is one that a person
of that programme and year could have said.
"""

from __future__ import annotations

COVID = ("2020-01-01", "2022-08-31")        # cohorts that met during the pandemic or its aftermath
STRIKES = ("2022-09-01", "2024-12-31")      # cohorts that met during the 2022-24 industrial action
PRE_COVID = ("2000-01-01", "2019-12-31")

# programme_id -> [(code_id, label, parent_id ("" for a theme), description)]
CODEBOOKS: dict[str, list[tuple[str, str, str, str]]] = {
    "barts_kf_scl": [
        ("restorative_space", "Restorative space", "",
         "The programme as a protected place to pause, think and recover, modelling trust and inclusion."),
        ("rs_trust_safety", "Trust and safety", "restorative_space",
         "Feeling safe to be candid; a culture of trust and inclusion in the room."),
        ("rs_space_to_think", "Space to think together", "restorative_space",
         "Protected time away from the day job to reflect and think with others."),
        ("rs_container", "A container for anxiety", "restorative_space",
         "Somewhere to hold anxiety and uncertainty during Covid-19, industrial action and other pressures."),
        ("rs_connection", "Connecting with peers", "restorative_space",
         "Valuing contact with peers facing similar pressures; feeling less alone."),
        ("cross_speciality", "Cross-speciality working", "",
         "Learning across specialities, professions and the three trusts; going beyond sharing frustrations."),
        ("cs_learning_from_others", "Learning from others' challenges", "cross_speciality",
         "Gaining ideas and perspective from colleagues' challenges in other specialities."),
        ("cs_contrasting_trusts", "Contrasting realities across trusts", "cross_speciality",
         "Seeing how Barts Health, Homerton and East London work and the different realities they face."),
        ("cs_tribalism", "Diluting tribalism", "cross_speciality",
         "Breaking down speciality silos and us-and-them attitudes."),
        ("leadership_followership", "New perspectives on leadership and followership", "",
         "Changed understanding of what clinical leadership is, of role authority and of followership."),
        ("lf_role_authority", "Understanding role authority", "leadership_followership",
         "Clarity about the authority that comes with a leadership role and how to use it."),
        ("lf_influence", "Confidence to influence", "leadership_followership",
         "Greater confidence in the capacity to influence colleagues, managers and the organisation."),
        ("lf_followership", "Followership", "leadership_followership",
         "Seeing the value of following well and of supporting other leaders."),
        ("lf_pipeline", "Stepping into senior roles", "leadership_followership",
         "Taking on, or preparing for, more senior leadership roles after the programme."),
        ("operational_managers", "Working with operational managers", "",
         "Relationships and partnership between clinical leaders and operational managers."),
        ("om_partnership", "Partnership with managers", "operational_managers",
         "Building a working partnership with a general or operational manager."),
        ("om_tension", "No neat recipe", "operational_managers",
         "Tensions, mistrust or unresolved questions in clinician-manager working."),
        ("om_understanding", "Understanding managers' pressures", "operational_managers",
         "Insight into the targets, finances and constraints managers work under."),
        ("programme_design", "Programme design and facilitation", "",
         "How the programme was run: facilitation, real-time issues, practicalities."),
        ("pd_facilitation", "Facilitation style", "programme_design",
         "An adult, less didactic approach; facilitators who understood clinical life."),
        ("pd_real_issues", "Working on real issues", "programme_design",
         "Using live problems from participants' own services as material."),
        ("pd_time_pressure", "Finding time to take part", "programme_design",
         "Difficulty getting released from clinical work, backfill and competing demands."),
    ],
    "luhft_lbs": [
        ("luhft_live_projects", "Live work-based projects", "",
         "Projects on live issues in the merged trust: what changed, what helped and how it was shown."),
        ("luhft_lp_difference", "A measurable difference", "luhft_live_projects",
         "A project that made a difference that could be measured in the workplace."),
        ("luhft_lp_support", "Senior support and staff commitment", "luhft_live_projects",
         "Sponsorship from senior leaders and the commitment of the team behind a project."),
        ("luhft_lp_tools", "Tools for immediate action", "luhft_live_projects",
         "Using the programme's tools and techniques straight away on a live problem."),
        ("luhft_turmoil", "Leading through turmoil", "",
         "Leading during the merger, the pandemic and severe financial constraint."),
        ("luhft_tu_merger", "Leading across the merged trusts", "luhft_turmoil",
         "Working across the former trusts' structures, cultures and sites."),
        ("luhft_tu_pandemic", "Leading in the pandemic", "luhft_turmoil",
         "Leading through Covid-19 waves, redeployment, lockdowns and social distancing."),
        ("luhft_tu_constraint", "Fewer staff, less money, higher demand", "luhft_turmoil",
         "Volatile, uncertain, complex and ambiguous conditions with rising expectations."),
        ("luhft_networks", "Connectedness and networks", "",
         "The social networks the programme built and their part in culture change."),
        ("luhft_nw_across", "Networks across the trust", "luhft_networks",
         "Knowing people in other professions, sites and divisions of the new trust."),
        ("luhft_nw_culture", "Networks for culture change", "luhft_networks",
         "Using those connections to shift how things are done."),
        ("luhft_confidence", "Confidence to lead", "",
         "Clinicians' confidence to take up leadership and to lead compassionately."),
        ("luhft_cf_stepping_up", "Clinicians stepping into leadership", "luhft_confidence",
         "Clinicians who had been reluctant or ill-prepared taking up leadership positions."),
        ("luhft_cf_compassion", "Shared and compassionate leadership", "luhft_confidence",
         "Leading with compassion and sharing leadership with the team."),
        ("luhft_design", "Programme design", "",
         "How the programme was delivered and what it asked of people."),
        ("luhft_ds_flexible", "Flexible, technology-enabled delivery", "luhft_design",
         "Online and blended sessions that fitted lockdowns and rotas."),
        ("luhft_ds_evidence", "Evidence that stretches", "luhft_design",
         "Evidence-based theories and models that challenged and stretched thinking."),
    ],
    "lcft_cetad": [
        ("lcft_framework", "The bespoke leadership framework", "",
         "The LCFT medical leadership competency framework and benchmarking against it."),
        ("lcft_fw_benchmark", "Benchmarking my development needs", "lcft_framework",
         "Using the framework to see where one's own leadership needed to develop."),
        ("lcft_fw_values", "Rooted in the Trust's values and strategy", "lcft_framework",
         "A framework built on the Trust's own values and strategic agenda, not a generic one."),
        ("lcft_project", "Work-based improvement project", "",
         "Each doctor's improvement project: what it changed and how it evidenced leadership."),
        ("lcft_pj_service", "Improving the service", "lcft_project",
         "A project that improved a service for patients."),
        ("lcft_pj_evidence", "Evidencing leadership", "lcft_project",
         "The project as evidence of leading change, with colleagues and managers."),
        ("lcft_working_life", "Part of working life", "",
         "Fitting the programme into a consultant's week rather than adding it on."),
        ("lcft_wl_workplan", "Finding time: the work-plan", "lcft_working_life",
         "The work-plan agreed at application and whether it protected the time."),
        ("lcft_wl_not_add_on", "Not an add-on", "lcft_working_life",
         "Learning that happened in the job itself rather than beside it."),
        ("lcft_pathway", "Doctors' role across the care pathway", "",
         "Doctors shaping care beyond their own team, with clinicians and managers."),
        ("lcft_pw_patients", "Quality of patients' experience", "lcft_pathway",
         "Leadership aimed at what patients and carers experience."),
        ("lcft_pw_teams", "A collaborative team-based approach", "lcft_pathway",
         "Working with other clinicians and managers as partners."),
        ("lcft_talent", "Home-grown leadership talent", "",
         "Succession to senior medical leadership posts from within the Trust."),
        ("lcft_tl_senior_posts", "Preparing for senior medical posts", "lcft_talent",
         "Considering or taking on clinical director and associate medical director roles."),
        ("lcft_tl_peers", "A cohort of doctors together", "lcft_talent",
         "The value of eleven consultants learning leadership together."),
    ],
    "leeds_cihm": [
        ("leeds_relationships", "Productive relationships between management and medicine", "",
         "How clinicians and managers work together, and what helps or hinders it."),
        ("leeds_rel_conflict", "Avoiding conflict and misunderstanding", "leeds_relationships",
         "Recognising and defusing the misunderstandings between clinicians and managers."),
        ("leeds_rel_respect", "Mutual understanding and respect", "leeds_relationships",
         "Seeing the other side's pressures, language and priorities."),
        ("leeds_engagement", "Clinical engagement in management", "",
         "Why clinicians do or do not take part in management, and what changes that."),
        ("leeds_eng_barriers", "Barriers to clinicians managing", "leeds_engagement",
         "Time, status, training and culture that keep clinicians out of management."),
        ("leeds_eng_roles", "Taking on clinical director roles", "leeds_engagement",
         "Clinicians moving into clinical director and other hybrid roles."),
        ("leeds_reform", "Reform and service efficiency", "",
         "Making sense of public management reform and improving efficiency and quality."),
        ("leeds_ref_sense", "Making sense of reform", "leeds_reform",
         "Understanding why reforms are happening and what they ask of clinicians."),
        ("leeds_ref_efficiency", "Efficiency and quality of services", "leeds_reform",
         "Joint work on productivity, budgets and quality."),
        ("leeds_support", "Support after the programme", "",
         "What kept the learning going: peers, forums and the materials."),
        ("leeds_sup_peers", "Peer support among clinical directors", "leeds_support",
         "A forum or network of clinical directors for ongoing support."),
        ("leeds_sup_materials", "Using the research-based materials", "leeds_support",
         "The toolkit and research findings as something to go back to."),
    ],
    "sath_academy": [
        ("sath_resources", "Leadership learning resources", "",
         "The library's Leadership Zone, its books and the reading lists for the courses."),
        ("sath_rs_zone", "The library Leadership Zone", "sath_resources",
         "The leadership and management collection and its seating area in the library."),
        ("sath_rs_reading", "Reading lists and books", "sath_resources",
         "Reading recommended by the Leadership Academy and borrowed from the library."),
        ("sath_practice", "Leadership in practice", "",
         "Using what was learned with one's own team and for patients."),
        ("sath_pr_team", "Leading my team", "sath_practice",
         "Changes in how a team leader runs and supports the team."),
        ("sath_pr_patients", "Leadership and patient care", "sath_practice",
         "Seeing the link between leadership and the safety and quality of care."),
        ("sath_design", "Programme design", "",
         "How the Academy's programme and conferences were run."),
        ("sath_ds_conference", "Leadership conferences", "sath_design",
         "The Trust's leadership conferences and what they added."),
        ("sath_ds_time", "Finding time to take part", "sath_design",
         "Getting released from the ward or service to attend."),
    ],
}
CODEBOOK: list[tuple[str, str, str, str]] = [c for book in CODEBOOKS.values() for c in book]

CORE: dict[str, list] = {
    # --- Barts Health senior clinical leaders (2019-2023 cohorts, interviewed in 2024) ---
    "rs_trust_safety": [
        "I could say out loud that I was finding the job hard, and people just listened.",
        "The ground rules were taken seriously, so I trusted the room within a couple of sessions.",
        "It modelled the kind of inclusive culture I want on my own unit.",
        "It was one of the few places where I could say I didn't know what I was doing and nobody judged me.",
        "There was a real sense of trust in the group, so people said what they actually thought.",
        "You could be honest about the mistakes you'd made without it going anywhere.",
        "The facilitators made it feel safe to disagree, which is rare in a hospital.",
        "I felt included in a way I often don't in meetings, and that made me braver.",
        "Nobody was performing; we could admit that some days we were barely coping.",
        "What was said in the group stayed in the group, and that changed how open people were.",
    ],
    "rs_space_to_think": [
        "Nobody could reach me for those hours, and I did my best thinking of the year.",
        "We had time to think a problem through together instead of firefighting it.",
        "I left with a page of notes about my own service that I'd never had time to write.",
        "Those days were the only time in the year I got to think rather than just react.",
        "Having whole days away from the bleep gave me space to step back and see the bigger picture.",
        "It gave us permission to stop and think together, which we almost never do.",
        "I came out of each module with my head clearer than when I went in.",
        "Just sitting with a problem for an hour with other people was worth the whole thing.",
        "It was time to think about how I lead, not only about the next rota gap.",
    ],
    "rs_container": [
        "When the pressure was at its worst, those days gave me somewhere to set it down.",
        "It held a lot of worry for a lot of us, and nobody pretended otherwise.",
        ("We started just after the first wave of Covid and honestly it kept me going.", "2020-06-01", "2021-12-31"),
        ("After everything Covid had taken out of us, it was somewhere to put that exhaustion down.", *COVID),
        ("Even online, in the middle of the pandemic, those sessions were where I could admit how anxious I was.", "2020-03-01", "2021-06-30"),
        ("During the strikes everything felt chaotic, and the programme was somewhere to put that anxiety.", *STRIKES),
        ("With industrial action every few weeks, it was the one fixed point in my diary.", *STRIKES),
        "It was a container for a lot of the uncertainty we were all carrying at the time.",
        "I nearly pulled out when the rota fell apart, but it turned out to be what I needed most.",
        "People kept turning up even in the worst weeks, which tells you how much it mattered.",
        ("That winter the department was full every night, and the programme was where I could put that down for a day.", *PRE_COVID),
    ],
    "rs_connection": [
        "Meeting people in the same position made the role feel less lonely.",
        "Two of us from different hospitals now swap notes before every difficult meeting.",
        "I found allies I didn't know I had, some of them in my own trust.",
        "I realised other clinical leads were struggling with exactly the same things, and that helped.",
        "The connections I made there are people I still phone when I'm stuck.",
        "It was a relief to find I wasn't the only one feeling out of my depth.",
        "We still have a group chat from our cohort and it gets used most weeks.",
        "I know people now across the patch whom I can ring for a straight answer.",
    ],
    "cs_learning_from_others": [
        "Hearing how the renal team handled their backlog gave me ideas I took straight back to my own service.",
        "I learned more from the other delegates' problems than from any of the models.",
        "Someone from paediatrics described a rota fix that we've since copied.",
        "It went beyond moaning together; we actually learned from each other's experience.",
        "Listening to a surgeon and a physician argue it through showed me two sides I'd never considered.",
        "A colleague's account of closing a ward safely helped me more than any guidance did.",
    ],
    "cs_contrasting_trusts": [
        "Having the three trusts in one room showed how differently things work a few miles apart.",
        "Colleagues from East London saw problems in a completely different way from us in acute care.",
        "It shed light on realities I simply didn't know about in the other organisations.",
        "I had assumed everyone had our problems, but the Homerton people had a different set entirely.",
        "Barts is so big that hearing how a smaller trust makes decisions was a revelation.",
    ],
    "cs_tribalism": [
        "It diluted some of the tribalism between specialities, at least among the people who went.",
        "We stopped seeing the other departments as the enemy.",
        "I used to think the emergency department was the problem, and now I understand their side.",
        "There is less us and them between our directorates than there was.",
        "Surgeons and physicians on the same table, working on each other's problems, was new for most of us.",
    ],
    "lf_role_authority": [
        "I finally understood what authority actually comes with my role and what doesn't.",
        "I used to wait to be told; now I know which decisions are mine to make.",
        "It helped me see the difference between my clinical authority and my authority as a lead.",
        "Understanding role authority changed how I run my directorate meetings.",
        "I stopped apologising for making decisions that were mine to make.",
    ],
    "lf_influence": [
        "I'm much more confident walking into the executive meeting and making a case.",
        "I've learned that influence is mostly about preparation and relationships, not volume.",
        "Since the programme I've got two business cases through that I'd have given up on before.",
        "I feel able to push back at board level now, politely but firmly.",
        "I think more carefully about who I need on side before I raise something.",
        "I used to think influence came with a title; now I see it comes from how I show up.",
    ],
    "lf_followership": [
        "The session on followership made me rethink how I behave when I'm not the one in charge.",
        "Being a good follower is part of leadership, and nobody had ever said that to me.",
        "I've become a better support to my clinical director, which makes us both more effective.",
        "It made me realise that leadership in a hospital is shared, not a solo act.",
    ],
    "lf_pipeline": [
        "After finishing I applied for the clinical director post, and I wouldn't have before.",
        "Several of our cohort have moved into divisional roles since, which says something.",
        "It felt like a pipeline for the next generation of clinical leaders across the trusts.",
        "I've since taken on the deputy role, and the programme gave me the nerve to apply.",
        "Leadership is starting to feel like a proper career path for clinicians, not an add-on.",
    ],
    "om_partnership": [
        "My general manager and I now meet every week, and we plan together rather than negotiate.",
        "I've realised the operational manager is my most important partner, not an obstacle.",
        "We agreed a shared set of priorities for the division and it has stuck.",
        "Working in partnership with the service manager has made the whole unit run better.",
        "The triumvirate works now because we each know what the other is there for.",
    ],
    "om_tension": [
        "There is no neat recipe for working with managers, and we argued about it every module.",
        "Some of my colleagues still see managers as bean counters, and that hasn't changed.",
        "It's hard when the manager changes every eighteen months and you start from scratch.",
        "We talked about it a lot but I'm not sure any of us has cracked it.",
        "Clinicians and managers still talk past each other when the targets bite.",
    ],
    "om_understanding": [
        "I now understand the pressure my manager is under to hit the four-hour target.",
        "Seeing the finance side explained made me less cynical about the savings plans.",
        "I hadn't appreciated how many directions an operational manager gets pulled in.",
        "Knowing what the managers are held to account for makes conversations much easier.",
        "The elective recovery targets land on my manager's desk first, and I see that now.",
    ],
    "pd_facilitation": [
        "The facilitation was adult and respectful, much less didactic than other courses I've done.",
        "Having an orthopaedic surgeon co-facilitating meant the conversations stayed grounded in real life.",
        "The facilitators clearly understood our world, and that built trust over time.",
        "It wasn't death by PowerPoint; we did the work ourselves.",
        "The action learning sets were the best part of it for me.",
    ],
    "pd_real_issues": [
        "We worked on real issues from our own services rather than case studies from somewhere else.",
        "Bringing a live problem to each module made it immediately useful.",
        "The material was stretching because it was about what was happening on our wards that week.",
        "I used the stakeholder exercise on a problem I was facing the next morning.",
    ],
    "pd_time_pressure": [
        "Getting released from clinical sessions was a battle every single time.",
        "There was no backfill, so the work just waited for me when I got back.",
        "I missed a module because of the on-call rota, which was frustrating.",
        "The timing clashed with job planning season, which made it hard to attend.",
        "It needs protected time written into job plans or people will drop out.",
    ],
    # --- LUHFT with Liverpool Business School (cohorts from October 2020) ---
    "luhft_lp_difference": [
        "Our project brought the waits for the clinic down, and the run chart shows it clearly.",
        "We can show the change in the data now, not just say it feels better.",
        "The numbers moved within three months of starting and they've held since.",
        "Honestly the measure didn't shift much at first, but we learned why, which is useful in itself.",
        "The mental health hub in A&E means patients are seen by the right person much sooner.",
        "Having the pathway written down and audited has cut the number of incidents.",
    ],
    "luhft_lp_support": [
        "Having the divisional director as sponsor opened doors that would otherwise have stayed shut.",
        "Senior support made all the difference when the project hit resistance.",
        "The team's commitment carried it through the weeks when I had nothing left to give.",
        "Without an executive sponsor the project would have stalled at the first hurdle.",
        "Our matron checked in every fortnight, which kept it on the agenda.",
    ],
    "luhft_lp_tools": [
        "Process mapping the pathway showed us steps nobody knew were there.",
        "We ran small tests of change instead of trying to change everything at once.",
        "I used the stakeholder map the week after the module and it changed who I spoke to first.",
        "Plotting the data as a run chart stopped us reacting to every bad week.",
        "The tools were simple enough to use on the ward the next day.",
    ],
    "luhft_tu_merger": [
        "After the merger we were two cultures in one trust, and the projects made us work as one.",
        "I met people from the other site for the first time on this programme.",
        "Working across the old trust boundaries was the hardest part of my project.",
        "Half the policies still differed between sites, so the project had to start by agreeing one.",
    ],
    "luhft_tu_pandemic": [
        ("Leading a team through the second wave while doing the programme was exhausting but it helped.", "2020-06-01", "2021-06-30"),
        ("Half my team were redeployed during Covid, so the project had to adapt constantly.", *COVID),
        ("Social distancing changed how we could run the clinic, and the project grew out of that.", *COVID),
        ("The post-Covid ward only existed because we had to find a new way of working quickly.", *COVID),
    ],
    "luhft_tu_constraint": [
        "We were asked to do more with fewer staff and less money, and the programme didn't pretend otherwise.",
        "Everything was moving faster, with higher demand and the same number of people.",
        "It helped me make decisions when the picture kept changing week to week.",
        "The financial pressure meant every change had to pay for itself.",
    ],
    "luhft_nw_across": [
        "I now know a physiotherapist, a radiographer and a matron I can ring directly.",
        "The connections across professions are what I value most a year on.",
        "We were nurses, therapists, doctors and managers in one group, and that mix mattered.",
        "I go to people in other divisions now instead of going up the line.",
    ],
    "luhft_nw_culture": [
        "The network we built is how the change spread beyond my own team.",
        "Culture change happened through people talking to each other, not through a policy.",
        "Once a few of us were connected, other teams started asking to join in.",
        "Those relationships are what will keep the changes going after the programme.",
    ],
    "luhft_cf_stepping_up": [
        "As a clinician I never saw myself as a leader; the programme changed that.",
        "I had avoided leadership roles because I felt unprepared, and now I've applied for one.",
        "I'm more confident leading people who aren't from my own profession.",
        "It gave me the confidence to act rather than wait for someone more senior.",
    ],
    "luhft_cf_compassion": [
        "Leading compassionately is not being soft; it is how you keep a team together under pressure.",
        "I share the leadership with my team far more now, and they've risen to it.",
        "I listen first now, and the team notices.",
        "We talk about how people are coping before we talk about the numbers.",
    ],
    "luhft_ds_flexible": [
        ("The online sessions meant I could take part around the rota when we couldn't meet in person.", *COVID),
        ("Having the modules online during lockdown was the only way it could have happened.", "2020-03-01", "2021-06-30"),
        "The mix of short sessions and project time fitted around clinical work.",
        "It was flexible enough that missing one session didn't mean falling behind.",
    ],
    "luhft_ds_evidence": [
        "The models were evidence-based, so I could defend the approach to sceptical colleagues.",
        "The reading stretched me; it challenged how I thought change works.",
        "It balanced practical tools with research that made us think differently.",
        "The enquiry-based sessions made us question our assumptions rather than just learn techniques.",
    ],
    # --- Lancashire Care doctors with Lancaster University CETAD (cohort of 2014-15) ---
    "lcft_fw_benchmark": [
        "Benchmarking myself against the framework showed me gaps I hadn't admitted to.",
        "I scored myself on the framework at the start and again at the end, and the difference was real.",
        "The framework gave me words for the parts of leadership I had been avoiding.",
        "Seeing my development needs laid out against the framework made the year feel purposeful.",
    ],
    "lcft_fw_values": [
        "Because the framework was built on the Trust's own values, it didn't feel like a generic course.",
        "It was clearly rooted in our strategy, so what I learned applied on Monday morning.",
        "Other leadership frameworks I'd seen didn't stretch consultants; this one did.",
        "It asked what leadership means for a consultant in this Trust, not in a textbook.",
    ],
    "lcft_pj_service": [
        "My project reduced the number of patients placed out of area, and the figures show it.",
        "We redesigned the referral route into the community team, and waits came down.",
        "The project improved the handover between the ward and the crisis team.",
        "Carers told us the new discharge information made a difference to them.",
    ],
    "lcft_pj_evidence": [
        "The project was my evidence that I could lead change, not just talk about it.",
        "Leading the project meant persuading colleagues who didn't report to me.",
        "I had to bring the service manager with me, and that was the real leadership test.",
        "Writing up the project for the certificate made me reflect on how I had led it.",
    ],
    "lcft_wl_workplan": [
        "The work-plan I wrote to apply made me negotiate the time with my clinical director up front.",
        "Protecting the time in my job plan was harder than the assignments.",
        "Without the agreed work-plan, the clinical work would have swallowed the programme.",
        "My team covered some of my sessions, which I hadn't expected to need.",
    ],
    "lcft_wl_not_add_on": [
        "It formed part of my working life rather than an add-on, which is why I finished it.",
        "The learning happened in the job, on the ward rounds and in meetings.",
        "Because the project was my actual work, the programme never felt like extra.",
        "I stopped separating the leadership work from the clinical work.",
    ],
    "lcft_pw_patients": [
        "It made me think about the patient's whole journey, not just my part of it.",
        "I now ask what the change will mean for patients and carers before anything else.",
        "Improving the quality of patients' experience became the point of my leadership.",
        "Looking along the whole care pathway showed me where patients fall between services.",
    ],
    "lcft_pw_teams": [
        "I work far more closely with the managers now, as partners.",
        "We developed these skills alongside other clinicians and managers, which built a team approach.",
        "I learned to lead a multidisciplinary team where I'm not always the expert.",
        "Collaborating with nursing and social care colleagues made the project work.",
    ],
    "lcft_tl_senior_posts": [
        "I've since put myself forward for the clinical director post.",
        "It prepared me for an associate medical director role in a way nothing else had.",
        "The Trust is growing its own medical leaders, and I can see a path now.",
        "I'd not have considered a senior medical post before this year.",
    ],
    "lcft_tl_peers": [
        "Eleven consultants learning together meant we could challenge each other honestly.",
        "I got to know colleagues from other localities whom I'd only ever emailed.",
        "The cohort became a support group for the difficult decisions.",
        "Learning alongside other psychiatrists made it easier to admit what I found hard.",
    ],
    # --- Leeds CIHM clinician-manager programmes (2009-2014) ---
    "leeds_rel_conflict": [
        "A budget meeting that would once have ended in a row ended with an agreed plan.",
        "I now spot the point where a conversation with a manager is about to go wrong, and I stop it.",
        "Most of our conflicts were misunderstandings about what the other side needed.",
        "We avoided a row over the theatre schedule because I understood what the manager was after.",
        "It helped us separate disagreements about evidence from disagreements about money.",
        "Knowing the typical flashpoints between doctors and managers made them easier to avoid.",
    ],
    "leeds_rel_respect": [
        "As a director I understand far better why consultants resist some of our plans.",
        "I see the managers as colleagues now rather than the other side.",
        "Hearing clinicians describe their day changed how I write a business case.",
        "We have a shared language now, and meetings are shorter for it.",
        "Respect has to run both ways, and the programme made that concrete.",
    ],
    "leeds_eng_barriers": [
        "Management time is never in the job plan, so it always comes second.",
        "Many consultants still think management is a step away from real medicine.",
        "There was no training for the clinical director role until this programme.",
        "The status problem is real: colleagues treat a move into management as selling out.",
        "I had no idea how the budgets worked before, which made me wary of taking it on.",
    ],
    "leeds_eng_roles": [
        "I took on the clinical director role this year and felt ready for it.",
        "It made a hybrid role look possible: still a clinician, also a manager.",
        "Several of us have gone on to lead directorates since.",
        "I understand now what a clinical director is there to do, and what they are not.",
    ],
    "leeds_ref_sense": [
        "The session on reform explained why the targets keep changing, which made them easier to live with.",
        "I understand the purchaser-provider split and what it means for my service.",
        "I can explain the reforms to my colleagues without it turning into a moan.",
        "Commissioning made more sense once I saw it from the commissioner's side.",
    ],
    "leeds_ref_efficiency": [
        "Our consultants and the general manager rewrote the theatre schedule together and lists now start on time.",
        "We reduced cancellations by agreeing the rules with the clinicians rather than imposing them.",
        "We agreed a joint plan to cut length of stay without touching quality.",
        "The directorate is working to its budget for the first time in years.",
        "Clinicians and managers looked at the productivity figures together, and that was new.",
        "We found savings in outpatients that the consultants themselves proposed.",
    ],
    "leeds_sup_peers": [
        "The clinical directors' forum means I'm not working it out alone.",
        "I still meet two of the other clinical directors every couple of months.",
        "Peer support has kept the learning alive once the programme ended.",
        "Knowing other clinical directors across the region has been invaluable.",
    ],
    "leeds_sup_materials": [
        "I still use the toolkit on productive relationships when a new manager starts.",
        "The research findings gave me something solid to put in front of sceptical colleagues.",
        "The materials were grounded in research in NHS trusts, so they rang true.",
        "I've used the exercises with my own directorate team.",
    ],
    # --- Shrewsbury and Telford Leadership Academy (2011-12 cohorts) ---
    "sath_rs_zone": [
        "The Leadership Zone in the library is where I did most of the reading for the course.",
        "Having all the leadership books in one place made it easy to browse.",
        "I didn't know the library had a management collection until the course pointed us there.",
        "The seating area in the Leadership Zone was a good place for our study group.",
    ],
    "sath_rs_reading": [
        "The reading list was useful, and the library had everything on it.",
        "I borrowed three of the books on coaching and they changed how I run supervision.",
        "The librarians found me articles on leading change for my assignment.",
        "I'd never read a management book before; now I've read four.",
    ],
    "sath_pr_team": [
        "I've started regular one-to-ones with my team since the course.",
        "I delegate more, and the team have taken it well.",
        "I deal with problems in the team earlier than I used to.",
        "My team meetings have a purpose now instead of just being a list.",
    ],
    "sath_pr_patients": [
        "It made the link between good leadership and safe care obvious to me.",
        "When the ward is well led, patients notice, and that is the point.",
        "I think about standards of care as a leadership question now.",
    ],
    "sath_ds_conference": [
        "The leadership conference was the highlight, hearing from leaders across the Trust.",
        "The library stall at the conference got me reading around the subject.",
        "Meeting other team leaders at the conference made me feel part of something.",
    ],
    "sath_ds_time": [
        "Getting off the ward for the study days was difficult with our staffing.",
        "It was hard to find time for the reading around shifts.",
        "My manager was supportive, but the ward still needed covering.",
    ],
}

# Sentences of context, per programme: the situation the speaker was in, said before the point.
CONTEXTS: dict[str, list] = {
    "barts_kf_scl": [
        ("I did the programme in the aftermath of the pandemic, with the backlog at its worst.", "2020-06-01", "2022-08-31"),
        ("It was the year of the strikes, and I was covering strike days as well.", *STRIKES),
        ("My cohort started in the winter of 2019, when the corridors were full.", "2019-09-01", "2019-12-31"),
        "I did the programme in my first year as a clinical lead.",
        "We were two consultants down while I was on the programme.",
        "I did the programme before I took on the directorate.",
        "At the time the waiting list was the only thing anyone talked about.",
        "Our division was being restructured while I was on the programme.",
        "I'd been in post about six months when I started.",
    ],
    "luhft_lbs": [
        ("We did the programme during the lockdowns, when nothing stayed the same for long.", "2020-03-01", "2021-06-30"),
        ("Covid restrictions were still changing month to month while we were on it.", *COVID),
        "The programme came soon after the merger.",
        "We were halfway through a recruitment freeze at the time.",
        "We were short of staff across the sites while the project ran.",
    ],
    "lcft_cetad": [
        "At the time bed pressures meant patients were being sent out of area.",
        "The community teams were being reorganised that year.",
        "I'd been a consultant for about five years when I started.",
        "I came to it a few months after our CQC inspection.",
    ],
    "leeds_cihm": [
        ("That year the trust was preparing its foundation trust application.", "2009-01-01", "2012-12-31"),
        ("The primary care trusts were being abolished while I was on the programme.", "2011-01-01", "2013-06-30"),
        ("The clinical commissioning groups had just taken over when I started.", "2013-04-01", "2014-12-31"),
        "We had a savings target of several million that year.",
        "Our directorate had a new general manager at the time.",
        "I did the programme in my first year as a clinical director.",
    ],
    "sath_academy": [
        "Our ward had several vacancies at the time.",
        "I had just become a team leader when I started.",
    ],
}

# Contact details and names that redaction must catch; appended to Barts segments (London numbers).
PII_SENTENCES = [
    "If anyone wants my notes, drop me a line at k.osei@nhs.net.",
    "You can get hold of the team on 020 7946 0321 if you want to visit.",
    "Priya Raman, our divisional manager, was the one who made it happen.",
    "Ring me on 07700 900482 and I'll walk you through what we did.",
    "I owe a lot to Dr Martin Hale, who encouraged me to apply.",
    "Send the slides to Joanne Fletcher and she will circulate them.",
]
REDACT_NAMES = ["Priya Raman", "Martin Hale", "Joanne Fletcher", "Kwame Osei"]


def statement(entry) -> tuple[str, str, str]:
    """``(text, earliest, latest)`` of a bank entry; a plain string fits every date."""
    if isinstance(entry, str):
        return entry, "1900-01-01", "2100-12-31"
    return entry
