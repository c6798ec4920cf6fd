"""One job in process: parameters as data, failures with their section, timeouts, kernel death."""

from pathlib import Path

import pytest

from helpers.runner import execute
from helpers.runner.execute import heading_before, run_job
from helpers.runner.jobs import JobSpec

FIXTURES = Path(__file__).parent / "runner_fixtures"
HOSTILE = 'x"; import os; os.system("touch pwned") #'


def _spec(name, **extra):
    spec = {"notebook": str(FIXTURES / f"{name}.ipynb"), "output": f"p/all/{name}.html",
            "parameters": {"dataset": None, "programme_id": "kf_scl", "cohort_id": None},
            "cell_timeout": 60, "job_timeout": 120, "kernel_name": "python3",
            "title": {"scope": "Programme (all cohorts)"}, "provenance": {"dataset": "fixture"}}
    spec.update(extra)
    return JobSpec(**spec)


def test_hostile_parameter_arrives_as_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_job(_spec("typed_params", parameters={
        "dataset": None, "programme_id": "kf_scl", "cohort_id": HOSTILE, "label": HOSTILE,
        "threshold": 3}, keep_notebook=True))
    assert result.status == "ok", result.error
    # the notebook printed repr(label): exactly the hostile string, as a string
    assert "'x\"; import os; os.system(\"touch pwned\") #'" in result.notebook_json.replace('\\"', '"')
    assert "&#x27;x&quot;; import os; os.system(&quot;touch pwned&quot;) #&#x27;" in result.html
    assert not list(tmp_path.rglob("pwned")) and not Path("/tmp/pwned").exists()
    assert result.html.count('id="provenance"') == 1


def test_kernel_killed_mid_job_is_a_failed_job():
    result = run_job(_spec("kernel_dies"))
    assert result.status == "failed" and result.html is None
    assert result.error.startswith("DeadKernelError")


def test_job_past_its_timeout_is_stopped():
    result = run_job(_spec("hangs", job_timeout=3, cell_timeout=None))
    assert result.status == "failed"
    assert result.error.startswith("JobTimeout") and "3 s" in result.error
    assert result.seconds < 60


def test_cell_past_its_timeout_is_stopped():
    result = run_job(_spec("hangs", cell_timeout=2, job_timeout=None))
    assert result.status == "failed" and result.error.startswith("CellTimeout")


def test_failing_cell_is_reported_with_its_section():
    result = run_job(_spec("broken"))
    assert result.status == "failed"
    assert result.error == ("ValueError: synthetic failure for the test "
                               "(in section 'Section that fails')")


def test_kernel_start_failure_is_retried_once(monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    real = AsyncKernelManager.start_kernel
    calls = {"n": 0}

    async def flaky(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return await real(self, **kwargs)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", flaky)
    result = run_job(_spec("typed_params"))
    assert result.status == "ok" and result.attempts == 2

    async def never(self, **kwargs):
        raise RuntimeError("no kernel today")

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", never)
    result = run_job(_spec("typed_params"))
    assert result.status == "failed" and result.attempts == 2
    assert result.error.startswith("KernelStartError")


def test_heading_before_finds_the_section():
    cells = [{"cell_type": "markdown", "source": "# Title"}, {"cell_type": "code", "source": "1"},
             {"cell_type": "markdown", "source": ["## Response rates\n", "text"]},
             {"cell_type": "code", "source": "2"}]
    assert heading_before(cells, 3) == "Response rates"
    assert heading_before(cells, 1) == "Title"
    assert execute.ENGINE_NAME == "leadeval"


def test_hostile_outputs_are_neutralised_end_to_end():
    """A notebook whose outputs try to load scripts, styles and local or remote images."""
    from html.parser import HTMLParser

    result = run_job(_spec("hostile_output"))
    assert result.status == "ok", result.error
    html = result.html

    class Refs(HTMLParser):
        refs: list = []
        tags: list = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.refs.extend(v for k, v in attrs if k in ("src", "href", "action", "data"))

    parser = Refs()
    parser.feed(html)
    assert all(ref.startswith(("data:image/png;base64,", "#")) for ref in parser.refs), parser.refs
    assert not {"script", "link", "svg", "iframe"} & set(parser.tags)
    assert "/etc/" not in html and "example.org" not in html and "javascript:" not in html
    assert html.count('id="provenance"') == 1
    assert "&lt;b&gt;data text&lt;/b&gt; &amp; more" in html
