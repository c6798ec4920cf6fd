"""Shared helpers for the runner's end-to-end tests: a throw-away project and consistency checks."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "runner_fixtures"


def make_project(root: Path, entries: list[dict], notebooks: dict[str, str] | None = None) -> Path:
    """A project folder: data/ (tiny valid dataset), notebooks/, reports.yaml.

    ``entries`` are reports.yaml entries with ``notebook`` given as a fixture name; ``notebooks``
    maps a project notebook name to the fixture it is copied from (default: same name).
    """
    shutil.copytree(FIXTURES / "dataset", root / "data")
    (root / "notebooks").mkdir()
    names = {e["notebook"] for e in entries}
    for name in names:
        source = (notebooks or {}).get(name, name)
        if (FIXTURES / f"{source}.ipynb").exists():
            shutil.copy(FIXTURES / f"{source}.ipynb", root / "notebooks" / f"{name}.ipynb")
    lines = ["dataset: data", "out: reports", "job_timeout: 120", "reports:"]
    for e in entries:
        lines.append(f"  - notebook: notebooks/{e['notebook']}.ipynb")
        for key, value in e.items():
            if key != "notebook":
                lines.append(f"    {key}: {json.dumps(value)}")
    (root / "reports.yaml").write_text("\n".join(lines) + "\n")
    return root


def run_args(root: Path, **kw) -> argparse.Namespace:
    args = dict(config=str(root / "reports.yaml"), dataset=None, out=None, jobs=2, only=None,
                force=False, scheduler=None, keep_notebooks=False)
    args.update(kw)
    return argparse.Namespace(**args)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def check_agreement(out: Path) -> dict:
    """Assert manifest.json, index.html and the disk agree; return {output: job}."""
    doc = manifest(out)
    index = (out / "index.html").read_text()
    jobs = {j["output"]: j for j in doc["jobs"]}
    for output, job in jobs.items():
        present = (out / output).is_file()
        assert present == (job["status"] in ("ok", "stale")), job
        if present:
            text = (out / output).read_text()
            assert text.rstrip().endswith("</html>"), output  # complete, never half-written
            assert f'href="{output}"' in index
    on_disk = {p.relative_to(out).as_posix() for p in out.glob("*/*/*.html")}
    assert on_disk <= set(jobs), on_disk - set(jobs)
    assert not [p for p in out.rglob("*") if p.name.endswith(".leadeval-tmp")]
    return jobs
