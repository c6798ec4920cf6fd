"""helpers.value: cost per outcome, monetised benefit and ROI against hand-computed values."""

import math

import numpy as np
import pytest

from helpers.value import (benefit_cost, cost_per_outcome, monetised_benefit, programme_cost,
                           saving_from_level_change)


def test_programme_cost_adds_fixed_places_and_participants():
    # 8,000 + 4,200 x 11 + 150 x 12 = 56,000 (hand-computed)
    assert programme_cost({"fixed": 8000, "per_place": 4200, "per_participant": 150},
                          places=11, participants=12) == 56000.0
    assert programme_cost({"currency": "GBP"}, places=11) is None


def test_cost_per_outcome_never_divides_by_zero():
    t = cost_per_outcome(56000.0, {"participant": 11, "senior move": 0, "completer": np.nan})
    assert t.loc[0, "cost_per"] == pytest.approx(5090.909091, rel=1e-9)
    assert math.isnan(t.loc[1, "cost_per"]) and math.isnan(t.loc[2, "cost_per"])
    assert t["n"].iloc[1] == 0


def test_benefit_cost_ratio_and_roi_by_scenario():
    # 20 bed days a month fewer for 12 months (interval 2 to 38), GBP 420 a bed day (320-520),
    # against a cost of GBP 56,000: central 240 x 420 = 100,800; BCR 1.8; ROI 80%.
    saving = saving_from_level_change({"estimate": -20.0, "ci_low": -38.0, "ci_high": -2.0}, 12,
                                      "down")
    assert saving == (240.0, 24.0, 456.0)
    b = benefit_cost(monetised_benefit(*saving, 420, low=320, high=520), 56000.0)
    central = b.set_index("scenario").loc["central"]
    assert central["benefit"] == 100800.0
    assert central["bcr"] == pytest.approx(1.8)
    assert central["roi_pct"] == pytest.approx(80.0)
    low = b.set_index("scenario").loc["low"]
    assert low["benefit"] == 24 * 320 and low["bcr"] == pytest.approx(7680 / 56000)
    high = b.set_index("scenario").loc["high"]
    assert high["benefit"] == 456 * 520 and high["roi_pct"] == pytest.approx((237120 - 56000) / 560)


def test_saving_interval_stays_ordered_when_worse_is_possible():
    lo_hi = saving_from_level_change({"estimate": -2.3, "ci_low": -40.37, "ci_high": 35.78}, 12,
                                     "down")
    assert lo_hi[1] < lo_hi[0] < lo_hi[2]
    assert lo_hi[1] == pytest.approx(-35.78 * 12) and lo_hi[2] == pytest.approx(40.37 * 12)
