"""helpers.reach: counts, completion, attendance by module, reaction scores and demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.reach import (attendance_by_module, cohort_table, completion_by, days_attended,
                           demand, participants_by, reaction_summary)
from helpers.report.disclosure import suppress_table

PARTS = pd.DataFrame({
    "participant_id": ["a", "b", "c", "d", "e", "f"],
    "cohort_id": ["c1", "c1", "c1", "c2", "c2", "c2"],
    "organisation": ["Barts", "Barts", "Homerton", "Barts", None, "ELFT"],
    "profession": ["medical", "medical", "nursing", "medical", "AHP", "medical"],
})


def _attendance():
    """Cohort c1: 2 modules x 2 days; c2: module 1 has 1 day, module 2 has 2 days."""
    rows = []
    days = {("c1", 1): ["2024-01-01", "2024-01-02"], ("c1", 2): ["2024-02-01", "2024-02-02"],
            ("c2", 1): ["2024-03-01"], ("c2", 2): ["2024-04-01", "2024-04-02"]}
    missed = {("b", "2024-02-02"), ("d", "2024-03-01"), ("e", "2024-04-01"),
              ("e", "2024-04-02")}
    for p in PARTS.itertuples():
        for (c, m), dates in days.items():
            if c != p.cohort_id:
                continue
            for d in dates:
                rows.append((p.participant_id, m, pd.Timestamp(d),
                             (p.participant_id, d) not in missed))
    return pd.DataFrame(rows, columns=["participant_id", "module", "session_date", "attended"])


def test_participants_by_counts_shares_and_missing():
    out = participants_by(PARTS, "organisation").set_index("organisation")
    assert out.loc["Barts", "n"] == 3 and out.loc["not recorded", "n"] == 1
    assert out["share"].sum() == pytest.approx(1.0)
    assert out.index[0] == "Barts"


def test_suppression_of_participant_counts_uses_the_report_helper():
    out = participants_by(PARTS, "profession")
    shown = suppress_table(out, ["n"], 5, pct_cols={"share": "n"})
    assert set(shown["n"]) == {"<5"}
    assert set(shown["share"]) == {"–"}


def test_cohort_table_keeps_empty_cohorts():
    cohorts = pd.DataFrame({"cohort_id": ["c1", "c2", "c3"],
                            "start_date": pd.to_datetime(["2024-01-01", "2024-03-01",
                                                          "2025-01-01"]),
                            "end_date": pd.NaT, "delivery_mode": "face to face"})
    out = cohort_table(PARTS, cohorts)
    assert out["n"].tolist() == [3, 3, 0]


def test_completion_counts_every_day_of_every_module():
    d = days_attended(_attendance(), PARTS).set_index("participant_id")
    assert d.loc["a", "scheduled"] == 4 and d.loc["d", "scheduled"] == 3
    assert d["completed"].to_dict() == {"a": True, "b": False, "c": True, "d": False,
                                        "e": False, "f": True}
    out = completion_by(_attendance(), PARTS).set_index("cohort_id")
    assert out.loc["All", "n_completed"] == 3 and out.loc["All", "share_completed"] == 0.5
    assert out.loc["c1", "n_completed"] == 2
    # the programme's own day count overrides what the rows show
    six = days_attended(_attendance(), PARTS, days=6)
    assert not six["completed"].any()
    by_prof = completion_by(_attendance(), PARTS, by="profession").set_index("profession")
    assert by_prof.loc["medical", "n"] == 4 and by_prof.loc["medical", "n_completed"] == 2


def test_participant_without_attendance_rows_has_not_completed():
    parts = pd.concat([PARTS, pd.DataFrame({"participant_id": ["g"], "cohort_id": ["c1"],
                                            "organisation": ["x"], "profession": ["other"]})])
    d = days_attended(_attendance(), parts).set_index("participant_id")
    assert d.loc["g", "attended"] == 0 and not d.loc["g", "completed"]


def test_attendance_by_module():
    out = attendance_by_module(_attendance(), PARTS).set_index("module")
    assert out.loc[1, "n"] == 6 and out.loc[1, "n_all_days"] == 5
    assert out.loc[2, "n_all_days"] == 4
    # module 2: 12 participant-days scheduled, 3 missed
    assert out.loc[2, "attendance_rate"] == pytest.approx(9 / 12)
    assert attendance_by_module(_attendance().iloc[0:0], PARTS).empty


def test_reaction_summary_mean_interval_and_top_two_box():
    items = pd.DataFrame({"instrument_id": "reaction", "item_id": ["sat1", "rec1"],
                          "scale": ["satisfaction", "recommend"], "text": ["Sat", "Rec"],
                          "min": 1.0, "max": 5.0, "reverse_scored": False})
    values = [5, 4, 4, 3, 5, 2, 4, 5]
    resp = pd.DataFrame({"participant_id": [f"p{i}" for i in range(8)], "instrument_id":
                         "reaction", "item_id": "sat1", "wave": "post", "rater": "self",
                         "value": values})
    out = reaction_summary(resp, items, "reaction").set_index("item_id")
    ci = stats.t.interval(0.95, 7, loc=np.mean(values), scale=stats.sem(values))
    assert out.loc["sat1", "estimate"] == pytest.approx(np.mean(values))
    assert (out.loc["sat1", "ci_low"], out.loc["sat1", "ci_high"]) == pytest.approx(ci)
    assert out.loc["sat1", "n_top2"] == 6 and out.loc["sat1", "share_top2"] == 0.75
    assert out.loc["rec1", "n"] == 0 and np.isnan(out.loc["rec1", "estimate"])


def test_demand_only_when_recorded():
    cohorts = pd.DataFrame({"cohort_id": ["c1", "c2"], "places": [24, 24],
                            "applications": [40, np.nan]})
    out = demand(cohorts, PARTS).set_index("cohort_id")
    assert out.loc["c1", "applications_per_place"] == pytest.approx(40 / 24)
    assert out.loc["All", "places"] == 48 and out.loc["All", "n"] == 6
    assert out.loc["c2", "fill_rate"] == pytest.approx(3 / 24)
    assert demand(pd.DataFrame({"cohort_id": ["c1"]}), PARTS).empty


def test_demand_table_hides_a_cohort_recoverable_from_the_total():
    # sath_academy in the sample: 13 + 4 = 17; with the All row shown, hiding only the 4
    # would let a reader compute it, so the 13 is hidden as well, as a complement ([c]).
    from helpers.reach import demand, demand_display

    cohorts = pd.DataFrame({"cohort_id": ["c1", "c2"], "programme_id": ["p", "p"],
                            "places": [14, 6], "applications": [18, 7]})
    participants = pd.DataFrame({"participant_id": [f"P{i}" for i in range(17)],
                                 "cohort_id": ["c1"] * 13 + ["c2"] * 4})
    shown = demand_display(demand(cohorts, participants), 5)
    assert shown["n"].tolist() == ["[c]", "<5", "17"]
    assert shown["fill_rate"].tolist()[:2] == ["–", "–"]
    # a cohort's own report shows no total, so no secondary suppression is needed
    one = demand(cohorts, participants)
    one = one[one["cohort_id"] == "c1"]
    assert demand_display(one, 5, totals_visible=False)["n"].tolist() == ["13"]
