"""Phrase bank for the qualitative segments: the codebook and many distinct phrasings per code.

The four Barts themes and their wording follow the 2024 evaluation in seed 002 (restorative space,
cross-speciality working, new perspectives on leadership and followership, working with
operational managers); the others follow seeds 000 and 001 (live projects, programme design).
A segment is an optional lead-in, one core statement for its code and an optional follow-on,
so a few hundred segments rarely repeat a sentence.
"""

from __future__ import annotations

# code_id, label, parent_id ("" for a theme), description
CODEBOOK: list[tuple[str, str, str, str]] = [
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
     "Learning across specialities, professions and trusts; going beyond sharing frustrations."),
    ("cs_learning_from_others", "Learning from others' challenges", "cross_speciality",
     "Gaining ideas and perspective from colleagues' challenges in other specialities."),
    ("cs_contrasting_trusts", "Contrasting realities across trusts", "cross_speciality",
     "Seeing how different organisations work and the different realities they face."),
    ("cs_tribalism", "Diluting tribalism", "cross_speciality",
     "Breaking down professional or speciality silos and us-and-them attitudes."),
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
    ("improvement_projects", "Live improvement projects", "",
     "Work-based projects: what changed, what helped and how it was measured."),
    ("ip_measurable_change", "Measurable change", "improvement_projects",
     "A project that shifted a measure for patients or the service."),
    ("ip_senior_support", "Senior support", "improvement_projects",
     "Sponsorship and backing from senior leaders, or the lack of it."),
    ("ip_qi_methods", "Improvement methods", "improvement_projects",
     "Using improvement tools: process maps, run charts, PDSA cycles, stakeholder mapping."),
]

CORE: dict[str, list[str]] = {
    "rs_trust_safety": [
        "It was one of the few rooms where I could say I didn't know what I was doing and nobody judged me.",
        "There was a real sense of trust in the group, so people said what they actually thought.",
        "You could be honest about the mistakes you'd made without it going anywhere.",
        "The facilitators made it feel safe to disagree, which is rare in a hospital.",
        "I felt included in a way I often don't in meetings, and that made me braver.",
    ],
    "rs_space_to_think": [
        "Those days were the only time in the year I got to think rather than just react.",
        "Having a whole day away from the bleep gave me space to step back and see the bigger picture.",
        "It gave us permission to stop and think together, which we almost never do.",
        "I came out of each module with my head clearer than when I went in.",
        "Just sitting with a problem for an hour with other people was worth the whole thing.",
    ],
    "rs_container": [
        "We started just after the first wave of Covid and honestly it kept me going.",
        "During the strikes everything felt chaotic, and the programme was somewhere to put that anxiety.",
        "It was a container for a lot of the uncertainty we were all carrying at the time.",
        "I nearly pulled out when the rota fell apart, but it turned out to be what I needed most.",
        "People kept turning up even in the worst weeks, which tells you how much it mattered.",
    ],
    "rs_connection": [
        "I realised other clinical leads were struggling with exactly the same things, and that helped.",
        "The connections I made there are people I still phone when I'm stuck.",
        "It was a relief to find I wasn't the only one feeling out of my depth.",
        "We still have a group chat from our cohort and it gets used most weeks.",
    ],
    "cs_learning_from_others": [
        "Hearing how the renal team handled their backlog gave me ideas I took straight back to my own service.",
        "I learned more from the other delegates' problems than from any of the models.",
        "Someone from paediatrics described a rota fix that we've since copied.",
        "It went beyond moaning together; we actually learned from each other's experience.",
        "Listening to a surgeon and a physician argue it through showed me two sides I'd never considered.",
    ],
    "cs_contrasting_trusts": [
        "Having the three trusts in one room showed how differently things work a few miles apart.",
        "Colleagues from the mental health trust saw problems in a completely different way from us in acute care.",
        "It shed light on realities I simply didn't know about in the other organisations.",
        "I had assumed everyone had our problems, but the Homerton people had a different set entirely.",
    ],
    "cs_tribalism": [
        "It diluted some of the tribalism between specialities, at least among the people who went.",
        "We stopped seeing the other departments as the enemy.",
        "I used to think the emergency department was the problem, and now I understand their side.",
        "There is less us and them between our directorates than there was.",
    ],
    "lf_role_authority": [
        "I finally understood what authority actually comes with my role and what doesn't.",
        "I used to wait to be told; now I know which decisions are mine to make.",
        "It helped me see the difference between my clinical authority and my authority as a lead.",
        "Understanding role authority changed how I run my directorate meetings.",
    ],
    "lf_influence": [
        "I'm much more confident walking into the executive meeting and making a case.",
        "I've learned that influence is mostly about preparation and relationships, not volume.",
        "Since the programme I've got two business cases through that I'd have given up on before.",
        "I feel able to push back on the board now, politely but firmly.",
        "I think more carefully about who I need on side before I raise something.",
    ],
    "lf_followership": [
        "The session on followership made me rethink how I behave when I'm not the one in charge.",
        "Being a good follower is part of leadership, and nobody had ever said that to me.",
        "I've become a better support to my clinical director, which makes us both more effective.",
        "It made me realise that leadership in a hospital is shared, not a solo act.",
    ],
    "lf_pipeline": [
        "Within a year of finishing I applied for the clinical director post, and I wouldn't have before.",
        "Several of our cohort have moved into divisional roles since, which says something.",
        "It felt like a pipeline for the next generation of clinical leaders in the trust.",
        "I've since taken on the deputy role, and the programme gave me the nerve to apply.",
    ],
    "om_partnership": [
        "My general manager and I now meet every week, and we plan together rather than negotiate.",
        "I've realised the operational manager is my most important partner, not an obstacle.",
        "We agreed a shared set of priorities for the division and it has stuck.",
        "Working in partnership with the service manager has made the whole unit run better.",
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
    ],
    "pd_facilitation": [
        "The facilitation was adult and respectful, much less didactic than other courses I've done.",
        "Having a surgeon co-facilitating meant the conversations stayed grounded in real life.",
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
    "ip_measurable_change": [
        "Our project cut the wait for the clinic by weeks, and the run chart shows it clearly.",
        "We can show the change in the data now, not just say it feels better.",
        "The numbers moved within three months of starting and they've held since.",
        "Honestly the measure didn't shift much, but we learned why, which is useful in itself.",
        "Patients are being seen faster, and the team can see the difference.",
    ],
    "ip_senior_support": [
        "Having the medical director as sponsor opened doors that would otherwise have stayed shut.",
        "Senior support made all the difference when the project hit resistance.",
        "Without an executive sponsor the project would have stalled at the first hurdle.",
        "Our divisional director checked in every month, which kept it on the agenda.",
    ],
    "ip_qi_methods": [
        "Process mapping the pathway showed us steps nobody knew were there.",
        "We ran small PDSA cycles instead of trying to change everything at once.",
        "Plotting the data as a run chart stopped us reacting to every bad week.",
        "The stakeholder map made us realise we'd left out the porters entirely.",
    ],
}

LEAD_INS: dict[str, list[str]] = {
    "interview": [
        "To be honest, it took me a while to see it.", "Looking back on it now, one thing stands out.",
        "I've thought about this quite a lot since.", "It's hard to put into words, but I'll try.",
        "If I'm really honest about it, this is what stayed with me.", "Let me give you an example.",
        "I didn't expect this when I signed up.", "This might sound a bit strange.",
        "The thing people don't realise is this.", "What I'd say to anyone thinking of doing it is this.",
        "I remember one module in particular.", "It's something I still come back to.",
    ],
    "focus_group": [
        "Building on what was just said,", "I'd agree with that, and add something.",
        "I had a slightly different experience.", "For me it was a bit different.",
        "Picking up on that point,", "Same here, really.", "Can I just come in on that?",
        "I think that's right, and for our team it showed up like this.",
    ],
    "free_text": ["", "", "Overall:", "Comment:", "Main point:", ""],
}

FOLLOW_ONS: dict[str, list[str]] = {
    "restorative_space": ["I don't think I'd have stayed in the job without it.",
                          "That matters more than people think.", "It was a lifeline, really.",
                          "I'd protect that above everything else if the programme is redesigned."],
    "cross_speciality": ["It broadened my view of the organisation.",
                         "I'd never have met those people otherwise.",
                         "That mix is what made it work.", "We should do far more of that."],
    "leadership_followership": ["It changed how I see my job.", "I lead quite differently now.",
                                "That shift has stayed with me.",
                                "My team have noticed the difference, apparently."],
    "operational_managers": ["It's still a work in progress.", "It's the relationship that matters most.",
                             "We're getting there, slowly.", "That conversation needs to continue."],
    "programme_design": ["That's my main reflection.", "Others in my cohort felt the same.",
                         "I'd say that to anyone considering it.", "Whoever designs the next one should know that."],
    "improvement_projects": ["The team deserve the credit.", "We've written it up for the quality committee.",
                             "I'd do the measurement differently next time.",
                             "That's the part I'd want other project leads to hear."],
    "": ["", "", ""],
}

CONTEXTS = [
    "That was in the middle of the second wave.", "This was during my first year as a lead.",
    "We were two consultants down at the time.", "It was the winter the corridors were full.",
    "That was the week of the junior doctors' strike.", "We had just been through a CQC visit.",
    "It came just after the merger.", "This was before I took on the directorate.",
    "At that point the waiting list was the only thing anyone talked about.",
    "We had a new chief executive that year.", "I was covering a colleague's sessions as well.",
    "Our division was being restructured.", "It was soon after the Covid recovery plans came in.",
    "That was my third attempt at the same problem.", "I'd been in post about six months.",
    "The rota was in a terrible state then.", "We were halfway through a recruitment freeze.",
    "The trust had just missed its financial plan.",
]
SPECIALITY_SENTENCES = [
    "In {speciality} that makes a real difference.", "Coming from {speciality}, that was new to me.",
    "It's particularly true in {speciality}.", "Most of my colleagues in {speciality} would say the same.",
    "That's not how things usually work in {speciality}.",
]

PII_SENTENCES = [
    "If anyone wants my notes, drop me a line at k.osei@nhs.net.",
    "You can get hold of the team on 020 7946 0321 if you want to visit.",
    "Priya Raman, our divisional manager, was the one who made it happen.",
    "Ring me on 07700 900482 and I'll walk you through the dashboard.",
    "I owe a lot to Dr Martin Hale, who sponsored the project.",
    "Send the slides to Joanne Fletcher and she will circulate them.",
]
REDACT_NAMES = ["Priya Raman", "Martin Hale", "Joanne Fletcher", "Kwame Osei"]
