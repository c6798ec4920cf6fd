"""helpers.careers: the cumulative incidence against the published 6-MP Kaplan-Meier example and
lifelines, and the follow-up rules (cohort end as origin, censoring at observation end, leaving
the NHS as a competing event). The comparison with R's cmprsk::cuminc on the sample programme is
in test_reference_stats.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.careers import (aalen_johansen, cumulative_incidence, leavers_comparison,
                             observation_end_date, pipeline_at, pipeline_durations,
                             pipeline_display, pipeline_figure, pipeline_sentence)

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
    import matplotlib.pyplot as plt

    fig = pipeline_figure(cumulative_incidence(_with_leavers()))
    assert fig is not None and fig.axes[0].get_ylim()[1] == 100
    assert "(Aalen-Johansen)" in fig.axes[0].get_legend_handles_labels()[1][0]
    plt.close(fig)  # later tests check that notebooks leave no figure open
    row = pipeline_at(_six_mp(), (12,)).iloc[0]
    text = pipeline_sentence(row, threshold=5)
    assert "25%" in text and "21 delegates" in text and "5 moves" in text
    assert "fewer than 10 of the 21" in pipeline_sentence(row, threshold=10)
    assert "%" not in pipeline_sentence(row, threshold=10)  # a share of 21 would give 5 back
    assert "Fewer than 50" in pipeline_sentence(row, threshold=50)


def _competing(n=300, seed=11, ties=False):
    """Follow-up with both events; continuous times (no ties) unless ``ties``."""
    rng = np.random.default_rng(seed)
    move, leave, cens = rng.exponential(30, n), rng.exponential(80, n), rng.uniform(5, 60, n)
    t = np.minimum.reduce([move, leave, cens])
    status = np.select([t == move, t == leave], [1, 2], 0)
    return (np.ceil(t) if ties else t), status


def test_without_competing_events_the_estimate_is_one_minus_lifelines_kaplan_meier():
    from lifelines import KaplanMeierFitter

    t, status = _competing(ties=True)
    status = np.where(status == 2, 0, status)
    aj = aalen_johansen(t, status).set_index("months")
    km = KaplanMeierFitter().fit(t, status == 1).survival_function_.iloc[:, 0]
    assert aj["estimate"].to_numpy() == pytest.approx(1 - km.reindex(aj.index).to_numpy(),
                                                      rel=1e-12, abs=1e-15)


def test_untied_competing_risks_match_lifelines_aalen_johansen():
    from lifelines import AalenJohansenFitter

    t, status = _competing()
    state = np.random.get_state()
    ajf = AalenJohansenFitter(seed=0).fit(t, status, event_of_interest=1)
    np.random.set_state(state)  # lifelines seeds numpy's global generator
    ref = ajf.cumulative_density_.iloc[:, 0]
    aj = aalen_johansen(t, status).set_index("months")
    assert aj["estimate"].to_numpy() == pytest.approx(ref.reindex(aj.index).to_numpy(), rel=1e-10)
    # leaving is not censoring: censoring the leavers overstates the share who move
    km = aalen_johansen(t, np.where(status == 2, 0, status))
    assert (km["estimate"].to_numpy() >= aj["estimate"].to_numpy() - 1e-12).all()
    assert km["estimate"].iloc[-1] > aj["estimate"].iloc[-1]


def test_interval_is_inside_0_1_and_the_curve_starts_at_zero():
    t, status = _competing(ties=True)
    aj = aalen_johansen(t, status)
    assert aj.iloc[0][["months", "estimate", "ci_low", "ci_high"]].tolist() == [0, 0, 0, 0]
    assert aj["at_risk"].iloc[0] == len(t)
    assert (aj["moved"].sum(), aj["left"].sum()) == ((status == 1).sum(), (status == 2).sum())
    assert ((0 <= aj["ci_low"]) & (aj["ci_low"] <= aj["estimate"])
            & (aj["estimate"] <= aj["ci_high"]) & (aj["ci_high"] <= 1)).all()
    assert aj["estimate"].is_monotonic_increasing


def test_bad_status_or_times_are_refused():
    with pytest.raises(ValueError, match="status"):
        aalen_johansen([1, 2], [1, 3])
    with pytest.raises(ValueError, match="months"):
        aalen_johansen([1, np.nan], [1, 0])
    assert aalen_johansen([], []).empty


def _with_leavers():
    # 6-MP times; the censored at 9, 11 and 19 weeks left the NHS instead
    d = _six_mp()
    d["censored_by"] = np.where(d["moved"], "", "observation end")
    d.loc[d["months"].isin([9, 11, 19]), "censored_by"] = "left the NHS"
    return d


def test_pipeline_at_counts_leavers_as_a_competing_event():
    out = pipeline_at(_with_leavers(), (12, 24)).set_index("months")
    assert (out["method"] == "Aalen-Johansen").all()
    assert out.loc[12, "n_left"] == 2 and out.loc[24, "n_left"] == 3
    # status known at 12: 5 moved + 2 left by then + 12 followed beyond
    assert out.loc[12, "n_followed"] == 19
    # Kaplan-Meier with leavers censored is the 6-MP curve; the competing-risk estimate is lower
    assert 1 - out.loc[24, "km_estimate"] == pytest.approx(0.448, abs=0.0005)
    assert out.loc[24, "estimate"] < out.loc[24, "km_estimate"]
    assert (pipeline_at(_six_mp())["method"] == "Kaplan-Meier").all()
    assert cumulative_incidence(_with_leavers()).attrs["method"] == "Aalen-Johansen"


def test_sentences_name_the_estimator():
    aj = pipeline_at(_with_leavers(), (24,)).iloc[0]
    assert "Aalen-Johansen" in pipeline_sentence(aj, threshold=5)
    assert "competing event" in pipeline_sentence(aj, threshold=5)
    assert "Kaplan-Meier" in pipeline_sentence(pipeline_at(_six_mp(), (24,)).iloc[0], 5)
    at = pipeline_at(_with_leavers(), (12, 24))
    text = leavers_comparison(at, threshold=5)
    assert f"{100 * at['km_estimate'].iloc[1]:.1f}% rather than {100 * at['estimate'].iloc[1]:.1f}%" in text
    assert "12 months" in text and "rather than" not in leavers_comparison(at, threshold=50)
    assert leavers_comparison(pipeline_at(_six_mp()), 5) == ""
    # a horizon before anyone left gives the same figure both ways: not repeated
    early = pipeline_at(_with_leavers(), (8, 24))
    assert early["estimate"].iloc[0] == early["km_estimate"].iloc[0]
    assert "8 months" not in leavers_comparison(early, threshold=3)
    assert "same estimates" in leavers_comparison(early.iloc[:1], threshold=3)


def test_the_interval_is_not_estimable_before_any_move_is_seen():
    # 20 people followed 36 months: the first moves come after 18 months
    frame = pd.DataFrame({"months": [36.0] * 14 + [20.0, 22.0, 25.0, 28.0, 30.0, 33.0],
                          "moved": [False] * 14 + [True] * 6})
    shown = pipeline_display(pipeline_at(frame, (12, 24, 36)), 5).set_index("Within")
    assert shown.loc["12 months", "Moves seen"] == "0"
    assert shown.loc["12 months", "95% CI"] == "not estimable"
    assert shown.loc["36 months", "95% CI"].endswith("%") and " to " in shown.loc["36 months", "95% CI"]
