"""benchmarks/national.py: the tally of a (resumable) national-scale run against what
reports.yaml expects, from the reports' manifest (no notebook is run here)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
national = pytest.importorskip("national")


def test_tally_counts_published_missing_failed_and_slow_jobs(tmp_path):
    shutil.copy2(ROOT / "reports.yaml", tmp_path / "reports.yaml")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    data = ROOT / "data" / "sample"
    expected = [j["output"] for j in national.expand_jobs(tmp_path / "reports.yaml", data, None)]
    assert len(expected) == 208
    programme = [o for o in expected if "/all/" in o]
    cohort = [o for o in expected if "/all/" not in o]
    jobs = ([{"output": o, "status": "ok", "seconds": 61.0 if i == 0 else 2.0}
             for i, o in enumerate(programme)]
            + [{"output": o, "status": "ok", "seconds": 1.5} for o in cohort[:100]]
            + [{"output": cohort[100], "status": "failed", "seconds": 3.0, "error": "boom"}])
    out = tmp_path / "reports"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"generated_at": "x", "jobs": jobs}))
    t = national.tally(tmp_path, data, out)
    assert t["jobs_expected"] == 208
    assert t["published"] == len(programme) + 100
    assert t["not_yet_run"] == 208 - len(programme) - 100 - 1
    assert t["failed"] == {cohort[100]: "boom"}
    assert t["jobs_at_or_over_60s"] == 1
    assert t["slowest_jobs"][0] == (programme[0], 61.0)
    assert t["max_seconds"] == {"programme": 61.0, "cohort": 1.5}
    first = programme[0].rsplit("/", 1)[-1].removesuffix(".html")
    row = t["by_notebook"][f"{first} programme"]
    assert row["max_s"] == 61.0 and row["reports"] == 5
    assert row["mean_s"] == round((61.0 + 4 * 2.0) / 5, 2)
    assert sum(r["reports"] for r in t["by_notebook"].values()) == len(programme) + 100
