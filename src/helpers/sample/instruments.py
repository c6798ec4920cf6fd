"""Survey instruments of the sample: their metadata (for dataset.yaml) and items.

* ``hlm360``: the nine dimensions of the NHS Leadership Academy's Healthcare Leadership Model
  (2013), rated by self and 360 raters. Item wordings are written for this sample, not the
  Academy's own questionnaire.
* ``reaction``: Kirkpatrick level-1 reaction survey (satisfaction, relevance, would recommend).
* ``cmr``: a clinician-manager relationship scale after the Leeds CIHM measures of productive
  relationships between directors and medical staff (seed 004).
* ``lcft_mlf``: the Lancashire Care bespoke medical leadership competency framework (seed 001).

Each entry of ``ITEMS`` is (scale_id, text, reverse_scored).
"""

from __future__ import annotations

import pandas as pd

AGREE5 = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree",
          5: "Strongly agree"}
AGREE7 = {1: "Strongly disagree", 2: "Disagree", 3: "Slightly disagree",
          4: "Neither agree nor disagree", 5: "Slightly agree", 6: "Agree", 7: "Strongly agree"}
COMPETENCE4 = {1: "Not yet evident", 2: "Developing", 3: "Established", 4: "Role model"}

HLM_DIMENSIONS = [
    ("leading_with_care", "Leading with care"),
    ("sharing_the_vision", "Sharing the vision"),
    ("engaging_the_team", "Engaging the team"),
    ("influencing_for_results", "Influencing for results"),
    ("evaluating_information", "Evaluating information"),
    ("connecting_our_service", "Connecting our service"),
    ("inspiring_shared_purpose", "Inspiring shared purpose"),
    ("developing_capability", "Developing capability"),
    ("holding_to_account", "Holding to account"),
]

INSTRUMENTS: list[dict] = [
    {"instrument_id": "hlm360", "name": "Healthcare Leadership Model 360", "kind": "outcome",
     "min_share_answered": 0.5, "labels": AGREE5,
     "scales": [{"scale_id": s, "label": label} for s, label in HLM_DIMENSIONS]},
    {"instrument_id": "reaction", "name": "End-of-programme reaction survey", "kind": "reaction",
     "min_share_answered": 0.5, "labels": AGREE5,
     "scales": [{"scale_id": "satisfaction", "label": "Satisfaction"},
                {"scale_id": "relevance", "label": "Relevance to role"},
                {"scale_id": "recommend", "label": "Would recommend"}]},
    {"instrument_id": "cmr", "name": "Clinician-manager relationship scale", "kind": "relationship",
     "min_share_answered": 0.5, "labels": AGREE7,
     "scales": [{"scale_id": "trust_respect", "label": "Trust and respect"},
                {"scale_id": "shared_goals", "label": "Shared goals"},
                {"scale_id": "communication", "label": "Communication and understanding"},
                {"scale_id": "handling_conflict", "label": "Handling disagreement"}]},
    {"instrument_id": "lcft_mlf", "name": "LCFT medical leadership competency framework",
     "kind": "competency", "min_share_answered": 0.5, "labels": COMPETENCE4,
     "scales": [{"scale_id": "strategic_thinking", "label": "Strategic thinking"},
                {"scale_id": "quality_improvement", "label": "Quality improvement"},
                {"scale_id": "care_pathway", "label": "Shaping the care pathway"},
                {"scale_id": "developing_others", "label": "Developing others"},
                {"scale_id": "values_based", "label": "Values-based leadership"},
                {"scale_id": "partnership", "label": "Partnership with managers and professions"}]},
]

ITEMS: dict[str, list[tuple[str, str, bool]]] = {
    "hlm360": [
        ("leading_with_care", "Shows care and compassion for the people in the team", False),
        ("leading_with_care", "Notices when colleagues are under pressure and offers support", False),
        ("leading_with_care", "Pays little attention to how colleagues are feeling", True),
        ("sharing_the_vision", "Communicates a clear picture of where the service is heading", False),
        ("sharing_the_vision", "Explains how day-to-day work links to the organisation's purpose", False),
        ("sharing_the_vision", "Helps others see what the future could look like", False),
        ("engaging_the_team", "Involves the team in decisions that affect them", False),
        ("engaging_the_team", "Values the contribution of every team member", False),
        ("engaging_the_team", "Makes decisions without asking for the team's views", True),
        ("influencing_for_results", "Builds support for change with people outside the team", False),
        ("influencing_for_results", "Adapts the way they make a case to the audience", False),
        ("influencing_for_results", "Negotiates effectively to secure resources for patients", False),
        ("evaluating_information", "Uses data and evidence to understand how the service is doing", False),
        ("evaluating_information", "Looks beyond the obvious explanation before acting", False),
        ("evaluating_information", "Acts on assumptions rather than checking the facts", True),
        ("connecting_our_service", "Understands how the service fits with the wider system", False),
        ("connecting_our_service", "Works with colleagues in other services and organisations", False),
        ("connecting_our_service", "Takes account of other teams' pressures when planning change", False),
        ("inspiring_shared_purpose", "Acts in line with the values of the NHS", False),
        ("inspiring_shared_purpose", "Speaks up when standards of care are not met", False),
        ("inspiring_shared_purpose", "Creates a sense of shared purpose in the team", False),
        ("developing_capability", "Makes time to develop the people in the team", False),
        ("developing_capability", "Gives useful feedback that helps others improve", False),
        ("developing_capability", "Keeps development opportunities for a favoured few", True),
        ("holding_to_account", "Sets clear expectations about performance", False),
        ("holding_to_account", "Addresses poor performance promptly and fairly", False),
        ("holding_to_account", "Recognises and celebrates good performance", False),
    ],
    "reaction": [
        ("satisfaction", "Overall, I was satisfied with the programme", False),
        ("satisfaction", "The facilitation was of a high quality", False),
        ("relevance", "The programme was relevant to my current role", False),
        ("relevance", "I have been able to apply what I learned at work", False),
        ("recommend", "I would recommend the programme to a colleague", False),
    ],
    "cmr": [
        ("trust_respect", "Clinicians and managers in my area trust each other", False),
        ("trust_respect", "Colleagues from the other group respect my professional judgement", False),
        ("trust_respect", "There is mutual suspicion between clinicians and managers here", True),
        ("shared_goals", "Clinicians and managers here agree on priorities for the service", False),
        ("shared_goals", "We work towards the same goals for patients", False),
        ("communication", "I understand the pressures that colleagues in the other group face", False),
        ("communication", "Information is shared openly between clinicians and managers", False),
        ("handling_conflict", "Disagreements between clinicians and managers turn into conflict", True),
        ("handling_conflict", "When we disagree we find a way forward together", False),
        ("handling_conflict", "Misunderstandings between clinicians and managers delay decisions", True),
    ],
    "lcft_mlf": [
        ("strategic_thinking", "Thinks strategically about the future of the Trust's services", False),
        ("strategic_thinking", "Links service plans to the Trust's strategy and values", False),
        ("quality_improvement", "Uses improvement methods to change services", False),
        ("quality_improvement", "Uses measurement to show whether a change is an improvement", False),
        ("care_pathway", "Shapes care across the whole patient pathway, not only the team", False),
        ("care_pathway", "Works with primary care and partners to improve patients' experience", False),
        ("developing_others", "Develops the leadership of junior doctors and colleagues", False),
        ("developing_others", "Coaches others to find their own solutions", False),
        ("values_based", "Models the Trust's values in everyday practice", False),
        ("values_based", "Puts the patient experience at the centre of decisions", False),
        ("partnership", "Builds partnerships with managers and other professions", False),
        ("partnership", "Leads collaborative, team-based approaches to change", False),
    ],
}

_PREFIX = {"hlm360": "hlm", "reaction": "rea", "cmr": "cmr", "lcft_mlf": "mlf"}


def instrument(instrument_id: str) -> dict:
    """The dataset.yaml entry of one instrument."""
    return next(i for i in INSTRUMENTS if i["instrument_id"] == instrument_id)


def build_items() -> pd.DataFrame:
    """The items table: ids ``<prefix>_<nn>``, min and max from the instrument's labels."""
    rows = []
    for inst in INSTRUMENTS:
        iid = inst["instrument_id"]
        lo, hi = min(inst["labels"]), max(inst["labels"])
        for k, (scale, text, rev) in enumerate(ITEMS[iid], start=1):
            rows.append({"instrument_id": iid, "item_id": f"{_PREFIX[iid]}_{k:02d}", "scale": scale,
                         "text": text, "min": lo, "max": hi, "reverse_scored": rev})
    return pd.DataFrame(rows)
