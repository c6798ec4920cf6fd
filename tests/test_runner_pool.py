"""Progress lines, the summary, and the local worker pool surviving a worker's death."""

import io
from pathlib import Path

import pytest

from helpers.runner.jobs import JobSpec
from helpers.runner.progress import Progress, summary_table

FIXTURES = Path(__file__).parent / "runner_fixtures"


def test_plain_progress_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=False)
    progress.start("p/all/a.html")
    progress.finish("p/all/a.html", "ok", 1.25)
    progress.start("p/all/b.html")
    progress.finish("p/all/b.html", "failed", 0.5, "ValueError: x")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in stream.getvalue()
    assert lines[1].startswith("[1/2]") and "ok" in lines[1] and "p/all/a.html (1.2 s)" in lines[1]
    assert lines[3].startswith("[2/2]") and lines[3].endswith("ValueError: x")


def test_terminal_progress_redraws_one_line():
    stream = io.StringIO()
    progress = Progress(3, stream=stream, tty=True)
    progress.start("p/all/a.html")
    assert stream.getvalue().startswith("\r[0/3]") and "running: p/all/a.html" in stream.getvalue()
    progress.finish("p/all/a.html", "ok", 1.0)
    assert "[1/3]" in stream.getvalue()


def test_summary_table_counts_and_index_path():
    text = summary_table(3, 10, 1, 2, "/x/reports/index.html", 4.2)
    assert "published" in text and "up to date" in text and "failed" in text
    assert "/x/reports/index.html" in text
    rows = {line.split()[0]: line.split()[-1] for line in text.splitlines() if line.startswith("  ")}
    assert rows["published"] == "3" and rows["failed"] == "1"


@pytest.mark.slow
def test_a_dead_worker_fails_only_its_own_job():
    from helpers.runner.pool import run_local

    def spec(name):
        return JobSpec(notebook=str(FIXTURES / f"{name}.ipynb"), output=f"p/all/{name}.html",
                       parameters={"dataset": None, "programme_id": "p", "cohort_id": None},
                       cell_timeout=60, job_timeout=120, kernel_name="python3")

    started, results = [], {}
    run_local([spec("worker_dies"), spec("ok"), spec("typed_params")], 2, lambda s: started.append(s.output),
              lambda s, r: results.__setitem__(s.output, r))
    assert sorted(started) == sorted(results)
    assert results["p/all/worker_dies.html"].status == "failed"
    assert results["p/all/worker_dies.html"].error.startswith("WorkerDied")
    assert results["p/all/ok.html"].status == "ok"
    assert results["p/all/typed_params.html"].status == "ok"
