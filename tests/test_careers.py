"""helpers.careers: Kaplan-Meier cumulative incidence against the published 6-MP example, and
the follow-up rules (cohort end as origin, censoring at observation end or leaving the NHS)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.careers import (cumulative_incidence, observation_end_date, pipeline_at,
                             pipeline_durations, pipeline_figure, pipeline_sentence)

# Freireich et al. (1963) 6-MP arm, weeks in remission (event = relapse), the classic
# Kaplan-Meier example (Kleinbaum & Klein, Survival Analysis, 3rd edn, 2012, ch. 2):
# S(6) = 0.857, S(7) = 0.807, S(10) = 0.753, S(13) = 0.690, S(16) = 0.627, S(22) = 0.538,
# S(23) = 0.448.
SIX_MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PUBLISHED_S = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}


def _six_mp():
    return pd.DataFrame({"months": SIX_MP_T, "moved": np.array(SIX_MP_E, dtype=bool)})


def test_cumulative_incidence_is_one_minus_published_kaplan_meier():
    ci = cumulative_incidence(_six_mp()).set_index("months")
    for t, s in PUBLISHED_S.items():
        assert 1 - ci.loc[float(t), "estimate"] == pytest.approx(s, abs=0.0005)
    assert (ci["ci_low"] <= ci["estimate"] + 1e-12).all()
    assert (ci["estimate"] <= ci["ci_high"] + 1e-12).all()
    assert ci.loc[0.0, "at_risk"] == 21


def test_pipeline_at_horizons():
    out = pipeline_at(_six_mp(), (12, 24)).set_index("months")
    assert 1 - out.loc[12, "estimate"] == pytest.approx(0.753, abs=0.0005)   # S(10) carries on
    assert 1 - out.loc[24, "estimate"] == pytest.approx(0.448, abs=0.0005)
    assert out.loc[12, "n_moved"] == 5 and out.loc[12, "n"] == 21
    # status known at 12: 5 moved by then + 12 followed beyond
    assert out.loc[12, "n_followed"] == 17
    empty = pipeline_at(_six_mp().iloc[0:0])
    assert empty["n"].eq(0).all() and empty["estimate"].isna().all()


def _tables():
    participants = pd.DataFrame({"participant_id": ["a", "b", "c", "d", "e"],
                                 "cohort_id": ["c1", "c1", "c1", "c1", "c2"]})
    cohorts = pd.DataFrame({"cohort_id": ["c1", "c2"],
                            "end_date": pd.to_datetime(["2024-01-01", "2026-12-01"])})
    careers = pd.DataFrame({
        "participant_id": ["a", "b", "b", "c", "d"],
        "event_date": pd.to_datetime(["2024-07-01", "2023-06-01", "2025-01-01",
                                      "2024-04-01", "2024-10-01"]),
        "event": ["promotion", "new_leadership_role", "new_leadership_role", "left_nhs",
                  "secondment"],
    })
    return participants, cohorts, careers


def test_durations_origin_censoring_and_exclusions():
    participants, cohorts, careers = _tables()
    d = pipeline_durations(participants, cohorts, careers, "2025-12-31").set_index(
        "participant_id")
    assert "e" not in d.index                        # cohort not ended by observation end
    assert d.loc["a", "moved"] and d.loc["a", "months"] == pytest.approx(182 / (365.25 / 12))
    # b's role before the cohort ended does not count; the later one does
    assert d.loc["b", "moved"] and d.loc["b", "months"] == pytest.approx(366 / (365.25 / 12))
    assert not d.loc["c", "moved"] and d.loc["c", "censored_by"] == "left the NHS"
    assert d.loc["c", "months"] == pytest.approx(91 / (365.25 / 12))
    assert not d.loc["d", "moved"] and d.loc["d", "censored_by"] == "observation end"


def test_durations_without_any_exit_or_move_events():
    participants, cohorts, careers = _tables()
    stay = careers[careers["event"] != "left_nhs"]
    d = pipeline_durations(participants, cohorts, stay, "2025-12-31").set_index("participant_id")
    assert d.loc["c", "censored_by"] == "observation end" and d["moved"].sum() == 2
    none = pipeline_durations(participants, cohorts, careers.iloc[0:0], "2025-12-31")
    assert not none["moved"].any() and (none["censored_by"] == "observation end").all()


def test_observation_end_from_meta_or_latest_date():
    _, cohorts, careers = _tables()
    assert observation_end_date("2026-09-30") == pd.Timestamp("2026-09-30")
    assert observation_end_date(None, (careers, "event_date"), (cohorts, "end_date")) == \
        pd.Timestamp("2026-12-01")
    with pytest.raises(ValueError):
        observation_end_date(None)


def test_figure_and_sentence_suppress_small_counts():
    import matplotlib

    matplotlib.use("Agg")
    fig = pipeline_figure(cumulative_incidence(_six_mp()))
    assert fig is not None and fig.axes[0].get_ylim()[1] == 100
    row = pipeline_at(_six_mp(), (12,)).iloc[0]
    text = pipeline_sentence(row, threshold=5)
    assert "25%" in text and "21 delegates" in text and "5 moves" in text
    assert "fewer than 10 of the 21" in pipeline_sentence(row, threshold=10)
    assert "%" not in pipeline_sentence(row, threshold=10)  # a share of 21 would give 5 back
    assert "Fewer than 50" in pipeline_sentence(row, threshold=50)
