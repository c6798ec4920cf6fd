"""leadeval against the R reference values in tests/oracles/reference_stats.json (see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers.scales import _alpha

ORACLES = Path(__file__).parent / "oracles"
REF = json.loads((ORACLES / "reference_stats.json").read_text())


def test_cronbach_alpha_and_unrounded_feldt_interval_match_psych_to_4_significant_digits():
    items = pd.read_csv(ORACLES / "alpha_items.csv")
    scales = pd.read_csv(ORACLES / "alpha_item_scales.csv")
    for r in REF["alpha"]:
        d = items if r["scope"] == "all" else items[items["cohort_id"] == r["scope"]]
        cols = scales.loc[scales["scale"] == r["scale"], "item_id"].tolist()
        est, lo, hi, _ = _alpha(d.loc[d["wave"] == r["wave"], cols], 0.95)
        assert est == pytest.approx(r["alpha"], rel=1e-4)
        assert lo == pytest.approx(r["ci_low"], rel=1e-4)
        assert hi == pytest.approx(r["ci_high"], rel=1e-4)
