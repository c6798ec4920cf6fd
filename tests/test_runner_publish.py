"""Publishing: atomic writes (disk full included), stale marking, manifest/index agreement."""

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.runner import publish
from helpers.runner.index import MANIFEST_KEYS, index_html
from helpers.runner.jobs import JobResult
from helpers.runner.publish import Store, atomic_write, remove_temp_files

FIELDS = {"notebook": "notebooks/nb.ipynb", "parameters": {"programme_id": "p", "cohort_id": None},
          "output": "p/all/nb.html", "programme_id": "p", "cohort_id": None,
          "programme_name": "Programme <P>", "title": "Data <quality>"}


def _ok(html="<html>v1</html>"):
    return JobResult(output="p/all/x.html", status="ok", html=html, seconds=1.5,
                     notebook_json='{"cells": []}')


def _check_agreement(out: Path):
    """manifest.json, index.html and the disk describe the same reports."""
    manifest = json.loads((out / "manifest.json").read_text())
    index = (out / "index.html").read_text()
    on_disk = {p.relative_to(out).as_posix() for p in out.glob("*/*/*.html")}
    listed = set()
    for job in manifest["jobs"]:
        assert tuple(job) == MANIFEST_KEYS
        assert job["status"] in ("ok", "stale", "failed")
        present = (out / job["output"]).is_file()
        assert present == (job["status"] in ("ok", "stale")), job
        listed.add(job["output"])
        if present:
            assert f'href="{job["output"]}"' in index
    assert on_disk <= listed
    assert not list(out.rglob(f"*{publish.TMP_SUFFIX}"))


def test_success_then_failure_keeps_previous_report_marked_stale(tmp_path):
    store = Store(tmp_path)
    store.record_success(FIELDS, "sha256:1", _ok(), keep_notebook=False)
    store.save()
    _check_agreement(tmp_path)
    assert not (tmp_path / "p/all/nb.ipynb").exists()
    store.record_failure(FIELDS, "sha256:2", "ValueError: boom (in section 'Rates')", 0.7)
    store.save()
    assert (tmp_path / "p/all/nb.html").read_text() == "<html>v1</html>"
    job = json.loads((tmp_path / "manifest.json").read_text())["jobs"][0]
    assert job["status"] == "stale" and job["input_hash"] == "sha256:1"
    assert "ValueError: boom" in job["error"]
    _check_agreement(tmp_path)
    # a job that never succeeded is failed and has no file
    other = {**FIELDS, "output": "p/c1/nb.html", "cohort_id": "c1"}
    store.record_failure(other, "sha256:3", "DeadKernelError: died", 1.0)
    store.save()
    _check_agreement(tmp_path)
    assert not store.is_current("p/all/nb.html", "sha256:2")


def test_keep_notebooks_writes_beside_html(tmp_path):
    store = Store(tmp_path)
    store.record_success(FIELDS, "sha256:1", _ok(), keep_notebook=True)
    assert (tmp_path / "p/all/nb.ipynb").is_file()
    store.record_success(FIELDS, "sha256:1", _ok(), keep_notebook=False)
    assert not (tmp_path / "p/all/nb.ipynb").exists()


class _FullDisk:
    """A file whose write stores half the bytes, then fails as a full disk does (ENOSPC)."""

    def __init__(self, path, mode):
        self.fh = open(path, mode)

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()
        return False


def test_disk_full_during_write_leaves_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    atomic_write(target, "good")
    monkeypatch.setattr(publish, "open", _FullDisk, raising=False)
    with pytest.raises(OSError) as info:
        atomic_write(target, "new and longer")
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_disk_full_while_publishing_marks_stale(tmp_path, monkeypatch):
    store = Store(tmp_path)
    store.record_success(FIELDS, "sha256:1", _ok(), keep_notebook=False)
    store.save()
    monkeypatch.setattr(publish, "open", _FullDisk, raising=False)
    with pytest.raises(OSError):
        store.record_success(FIELDS, "sha256:2", _ok("<html>v2</html>"), keep_notebook=False)
    with pytest.raises(OSError):
        store.save()  # the manifest and index cannot be written either: the old ones stay
    monkeypatch.undo()
    store.record_failure(FIELDS, "sha256:2", "could not publish: OSError", 1.0)
    store.save()
    assert (tmp_path / "p/all/nb.html").read_text() == "<html>v1</html>"
    assert store.records["p/all/nb.html"]["status"] == "stale"
    _check_agreement(tmp_path)


def test_store_recovers_records_and_cleans_temp_files(tmp_path):
    store = Store(tmp_path)
    store.record_success(FIELDS, "sha256:1", _ok(), keep_notebook=False)
    store.save()
    (tmp_path / "p/all/.nb.html.123.leadeval-tmp").write_text("half")
    (tmp_path / "p/all/nb.html").unlink()          # report lost behind the records' back
    again = Store(tmp_path)
    assert remove_temp_files(tmp_path)
    notes = again.reconcile()
    assert notes and again.records["p/all/nb.html"]["status"] == "failed"
    again.save()
    _check_agreement(tmp_path)
    # without state.json the manifest is enough to rebuild the records
    (tmp_path / ".leadeval/state.json").unlink()
    assert Store(tmp_path).records["p/all/nb.html"]["status"] == "failed"


def _fields(i):
    return {**FIELDS, "output": f"p/c{i}/nb.html", "cohort_id": f"c{i}",
            "parameters": {"programme_id": "p", "cohort_id": f"c{i}"}}


def test_records_between_saves_are_journalled_and_recovered(tmp_path):
    # A run killed between two rewrites of the manifest: what it published since the last one
    # is in the journal, and the next Store (every run starts with one) lists it again.
    store = Store(tmp_path)
    store.record_success(_fields(0), "sha256:0", _ok(), keep_notebook=False)
    store.save()
    assert store.journal_path.read_text() == ""  # the save took the journal into state.json
    for i in (1, 2):
        store.record_success(_fields(i), f"sha256:{i}", _ok(), keep_notebook=False)
    store.record_failure(_fields(3), "sha256:3", "boom", 0.5)
    assert len(store.journal_path.read_text().splitlines()) == 3
    with open(store.journal_path, "a") as fh:
        fh.write('{"output": "p/c9/nb.html", "rec')  # torn by the kill mid-append
    listed = [j["output"] for j in json.loads((tmp_path / "manifest.json").read_text())["jobs"]]
    assert listed == ["p/c0/nb.html"]  # the killed run's manifest lags the disk
    again = Store(tmp_path)
    assert again.replayed == 3
    assert again.records["p/c2/nb.html"]["input_hash"] == "sha256:2"
    assert again.records["p/c3/nb.html"]["status"] == "failed"
    assert "p/c9/nb.html" not in again.records
    assert again.reconcile() == []
    again.record_success(_fields(4), "sha256:4", _ok(), keep_notebook=False)  # after the tear
    assert Store(tmp_path).records["p/c4/nb.html"]["input_hash"] == "sha256:4"
    again.save()
    _check_agreement(tmp_path)
    jobs = json.loads((tmp_path / "manifest.json").read_text())["jobs"]
    assert [j["output"] for j in jobs] == [f"p/c{i}/nb.html" for i in range(5)]
    assert Store(tmp_path).replayed == 0


def test_save_if_due_rewrites_on_a_fixed_interval_while_records_wait(tmp_path):
    now = [100.0]
    store = Store(tmp_path, save_interval=5.0, clock=lambda: now[0])
    store.record_success(_fields(0), "sha256:0", _ok(), keep_notebook=False)
    assert store.save_if_due() is False  # the run has only just started
    assert "p/c0/nb.html" in Store(tmp_path).records  # ... but the record is journalled
    now[0] += 5.0
    assert store.save_if_due() is True
    assert 'href="p/c0/nb.html"' in (tmp_path / "index.html").read_text()
    now[0] += 60.0
    assert store.save_if_due() is False  # nothing new since: nothing rewritten
    store.record_success(_fields(1), "sha256:1", _ok(), keep_notebook=False)
    assert store.save_if_due() is True  # waiting, and the interval has long passed
    store.record_success(_fields(2), "sha256:2", _ok(), keep_notebook=False)
    now[0] += 4.9
    assert store.save_if_due() is False  # within the interval: journalled only
    assert "p/c2/nb.html" not in (tmp_path / "index.html").read_text()
    now[0] += 0.1
    assert store.save_if_due() is True
    assert 'href="p/c2/nb.html"' in (tmp_path / "index.html").read_text()
    _check_agreement(tmp_path)


def test_index_escapes_every_string():
    rec = {**FIELDS, "status": "stale", "input_hash": "h", "seconds": 2.0,
           "error": "<script>alert(1)</script>", "generated_at": "2026-01-01T00:00:00Z",
           "programme_name": "<img src=x onerror=alert(1)>"}
    html = index_html([rec], "2026-01-01T00:00:00Z")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="p/all/nb.html"' in html
    assert 'name="viewport"' in html and "<script" not in html


def test_index_leads_with_each_programmes_evaluation_report():
    def rec(output, status="ok", name="Prog A"):
        prog, cohort, _ = output.split("/")
        return {"notebook": "n", "parameters": {}, "output": output, "status": status,
                "input_hash": "h", "seconds": 1.0, "error": None, "programme_id": prog,
                "cohort_id": None if cohort == "all" else cohort, "programme_name": name}

    records = [rec("a/all/00_data_quality.html"), rec("a/all/90_evaluation_report.html"),
               rec("a/c1/90_evaluation_report.html"),
               rec("b/all/90_evaluation_report.html", status="failed", name="Prog <B>")]
    html = index_html(records, "2026-01-01T00:00:00Z")
    lead = html[html.index('class="lead"'):html.index("</section>")]
    assert '<a href="a/all/90_evaluation_report.html">Prog A</a>' in lead
    assert "Prog &lt;B&gt; (failed: no report)" in lead
    assert "c1/90" not in lead  # cohort evaluation reports stay under their cohort
    # within a programme's own list the evaluation report comes before the detailed reports
    section = html[html.index("<h2>Prog A</h2>"):]
    assert section.index("a/all/90_evaluation_report.html") < section.index("a/all/00_data_quality.html")


def _cohort_records(n_cohorts: int, failed: str | None = None) -> list[dict]:
    recs = []
    for prog in ("a", "b"):
        for cohort in ["all"] + [f"c{i:03d}" for i in range(n_cohorts)]:
            for nb in ("10_reach", "90_evaluation_report"):
                output = f"{prog}/{cohort}/{nb}.html"
                recs.append({"notebook": nb, "parameters": {}, "output": output,
                             "status": "failed" if output == failed else "ok", "input_hash": "h",
                             "seconds": 1.0, "error": None, "programme_id": prog,
                             "cohort_id": None if cohort == "all" else cohort,
                             "programme_name": f"Prog {prog.upper()}"})
    return recs


def test_index_contents_link_to_each_programme_section():
    import re

    html = index_html(_cohort_records(3), "2026-01-01T00:00:00Z")
    lead = html[html.index('class="lead"'):html.index("</section>")]
    targets = re.findall(r'href="#([^"]+)"', lead)
    assert len(targets) == 2
    for t in targets:
        assert html.count(f'id="{t}"') == 1
    assert "8 reports; all published" in lead
    # the cohorts' reports are folded into one element per programme; within it, at three
    # cohorts, every cohort keeps its heading
    assert html.count("<details") == 2 and "<details open" not in html
    assert "<h4>Cohort c002</h4>" in html and "3 cohorts; all published" in html


def test_index_folds_cohorts_at_scale_and_keeps_problems_open():
    from helpers.runner.index import COLLAPSE_ABOVE

    n = COLLAPSE_ABOVE + 1
    recs = _cohort_records(n, failed="b/c004/10_reach.html")
    html = index_html(recs, "2026-01-01T00:00:00Z")
    # per programme: one element around its cohorts, and one for each cohort
    assert html.count("<details") == 2 * (n + 1)
    assert html.count("<details open>") == 2  # programme b's cohorts, and cohort c004 inside
    opened = html[html.rindex("<details open>"):]
    opened = opened[:opened.index("</details>")]
    assert "Cohort c004" in opened and "1 published, 1 failed" in opened
    assert "<h3>Detailed reports, all cohorts</h3>" in html
    # every report is still listed and linked (DESIGN.md: the index lists every report)
    for rec in recs:
        if rec["status"] == "ok":
            assert f'href="{rec["output"]}"' in html


def test_index_counts_not_applicable_names_providers_and_single_cohorts():
    def rec(output, status="ok", **extra):
        prog, cohort, _ = output.split("/")
        return {"notebook": "n", "parameters": {}, "output": output, "status": status,
                "input_hash": "h", "seconds": 1.0, "error": None, "programme_id": prog,
                "cohort_id": None if cohort == "all" else cohort, "programme_name": "Prog A",
                "provider": "The King's Fund", "host_organisation": "Barts Health NHS Trust",
                "single_cohort": "a_c01", **extra}

    records = [rec("a/all/90_evaluation_report.html"),
               rec("a/all/40_improvement_projects.html", status="not_applicable",
                   reason="This programme has no improvement projects.")]
    html = index_html(records, "2026-01-01T00:00:00Z")
    assert "1 published, 1 not applicable, 0 stale, 0 failed." in html
    assert "The King&#x27;s Fund, for Barts Health NHS Trust" in html
    assert "This programme has one cohort, a_c01" in html
    assert "This programme has no improvement projects." in html
    assert "<details" not in html  # no cohort reports to fold
    assert "generated " not in html  # times stay in the manifest, not on the page


# --------------------------------------------------------------------------- the audit gate

def _leaky_notebook(path: Path, body: str) -> None:
    """A fixture report whose output is ``body`` (HTML built to fail, or pass, the audit)."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "display(HTML" in "".join(cell["source"]):
            cell["source"] = ["from IPython.display import HTML, display\n",
                              f"display(HTML({body!r}))"]
    path.write_text(json.dumps(nb))


def test_gate_refuses_a_page_that_names_a_small_count(tmp_path):
    from helpers.data import load_dataset
    from helpers.runner.gate import AuditGate
    from runner_helpers import FIXTURES

    gate = AuditGate(tmp_path, load_dataset(FIXTURES / "dataset"))
    assert gate.check("kf_scl/all/r.html", "<html><p>42 delegates took part.</p></html>") is None
    reason = gate.check("kf_scl/all/r.html", "<html><p>3 delegates left the NHS.</p></html>")
    assert reason.startswith("not published: the disclosure audit") and "3 delegates" in reason
    table = ("<table><tr><th>Trust</th><th>Participants</th></tr><tr><td>A</td><td>12</td></tr>"
             "<tr><td>B</td><td>&lt;5</td></tr><tr><td>Total</td><td>15</td></tr></table>")
    assert "secondary_disclosure" in gate.check("kf_scl/all/r.html", f"<html>{table}</html>")


def test_the_gate_imports_no_plotting_library_and_notebooks_still_find_open_report():
    # the run's main process audits every page; matplotlib and seaborn are the kernels' to load
    code = ("import sys, helpers.runner.gate\n"
            "print(sorted(m for m in ('matplotlib', 'seaborn', 'helpers.report.context') if m in sys.modules))\n"
            "from helpers.report import NotApplicable, Report, open_report\n"
            "import helpers.report.context as c\n"
            "print(open_report is c.open_report and Report is c.Report and NotApplicable is c.NotApplicable)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stdout + done.stderr
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import helpers.report

        helpers.report.nothing  # noqa: B018


def test_gate_refuses_a_cohort_page_that_the_programme_page_gives_away(tmp_path):
    from helpers.data import load_dataset
    from helpers.runner.gate import AuditGate
    from runner_helpers import FIXTURES

    def page(rows):
        cells = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
        return (f"<html><table><caption>By trust</caption><tr><th>Trust</th><th>Participants</th>"
                f"</tr>{cells}</table></html>")

    # kf_scl has cohorts kf1 and kf2; the programme page is already published
    atomic_write(tmp_path / "kf_scl/all/r.html", page([("A", "<5"), ("B", "[c]"), ("C", "40")]))
    gate = AuditGate(tmp_path, load_dataset(FIXTURES / "dataset"))
    atomic_write(tmp_path / "kf_scl/kf1/r.html", page([("A", "<5"), ("B", "9"), ("C", "20")]))
    reason = gate.check("kf_scl/kf2/r.html", page([("A", "<5"), ("B", "8"), ("C", "20")]))
    assert reason and "cross_report_subtraction" in reason and "show it as 17" in reason


@pytest.mark.slow
def test_run_does_not_publish_a_report_that_fails_the_audit_and_keeps_the_last_good(tmp_path):
    from helpers.runner.commands import run_command
    from runner_helpers import check_agreement, make_project, manifest, run_args

    root = make_project(tmp_path, [{"notebook": "ok", "per": "programme"}])
    notebook = root / "notebooks/ok.ipynb"
    _leaky_notebook(notebook, "<p>42 delegates took part.</p>")
    assert run_command(run_args(root, only="lbs_live/*")) == 0
    good = (root / "reports/lbs_live/all/ok.html").read_text()

    _leaky_notebook(notebook, "<p>42 delegates took part; 2 delegates left the NHS.</p>")
    assert run_command(run_args(root, only="*/all/*")) == 1
    jobs = check_agreement(root / "reports")
    kept = jobs["lbs_live/all/ok.html"]
    assert kept["status"] == "stale" and "disclosure audit" in kept["error"]
    assert "2 delegates" in kept["error"]
    assert (root / "reports/lbs_live/all/ok.html").read_text() == good  # the last good copy
    new = jobs["kf_scl/all/ok.html"]  # never published before: failed, no file
    assert new["status"] == "failed" and "disclosure audit" in new["error"]
    assert not (root / "reports/kf_scl/all/ok.html").exists()
    index = (root / "reports/index.html").read_text()
    assert "not published: the disclosure audit" in index
    assert manifest(root / "reports")["jobs"]
