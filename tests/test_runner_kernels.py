"""Job kernels (helpers.runner.kernels): forks of a per-worker template that holds the imports
and the dataset. Each job's kernel is its own process, nothing of one job reaches the next, and
every report is byte for byte the one a new kernel makes."""

from __future__ import annotations

import ast
import json
import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.runner.execute import run_job
from helpers.runner.jobs import JobSpec
from helpers.runner.kernels import JobKernels, kernel_mode
from helpers.runner.kernels import fork_supported
from helpers.runner.kernels.fork import split_kernel_cmd

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
needs_fork = pytest.mark.skipif(not fork_supported(), reason="kernels are not forked here")


def _notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Kernel check")] + [
        nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return str(path)


def _spec(notebook, parameters=None, output="p/all/check.html", keep=True):
    return JobSpec(notebook=str(notebook), parameters=parameters or {}, output=output,
                   cell_timeout=300, job_timeout=600, keep_notebook=keep, kernel_name="python3",
                   title={"heading": "Kernel check", "scope": "test", "full": "Kernel check"},
                   provenance={"dataset": "t", "dataset_hash": "h", "parameters": parameters or {},
                               "version": "0", "git_commit": None,
                               "generated_at": "2026-01-01T00:00:00Z"})


def _stdout(result) -> str:
    nb = json.loads(result.notebook_json)
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stdout")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    saved = os.environ.get("LEADEVAL_CACHE_DIR")
    os.environ["LEADEVAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("LEADEVAL_CACHE_DIR", None)
    else:
        os.environ["LEADEVAL_CACHE_DIR"] = saved


@pytest.fixture(scope="module")
def kernels(cache_dir):
    source = JobKernels(preload=[str(SAMPLE)], mode="fork")
    yield source
    source.close()


# ------------------------------------------------------------------------ no kernel needed


def test_kernel_mode_from_the_environment():
    assert kernel_mode({}) == "fork" and kernel_mode({"LEADEVAL_KERNELS": "fresh"}) == "fresh"
    with pytest.raises(ValueError, match="LEADEVAL_KERNELS must be one of fork, fresh"):
        kernel_mode({"LEADEVAL_KERNELS": "reuse"})


def test_only_ipykernel_commands_are_forked():
    exe = "/usr/bin/python3"
    assert split_kernel_cmd([exe, "-m", "ipykernel_launcher", "-f", "c.json"]) == (
        (exe,), ["-f", "c.json"])
    assert split_kernel_cmd([exe, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c"]) == (
        (exe, "-Xfrozen_modules=off"), ["-f", "c"])
    assert split_kernel_cmd([exe, "-m", "other_kernel", "-f", "c"]) is None
    assert split_kernel_cmd(["R", "--slave", "-e", "IRkernel::main()"]) is None


PRIVATE = {"pandas", "warnings", "importlib", "nbclient"}


def test_no_private_attribute_of_pandas_warnings_importlib_or_nbclient_in_helpers():
    found = []
    for path in (REPO / "src" / "helpers").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                parts = node.module.split(".") + [a.name for a in node.names]
                if top in PRIVATE and any(p.startswith("_") and not p.startswith("__")
                                          for p in parts):
                    found.append(f"{path.name}:{node.lineno} from {node.module} import ...")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__"):
                continue
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and aliases.get(base.id, "").split(".")[0] in PRIVATE:
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
            if node.attr in ("_cleanup_kernel", "_async_cleanup_kernel", "_filters_mutated",
                             "_registered_options"):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    assert found == []


# --------------------------------------------------------------------------- real kernels

PROBE = [
    "import json, os, sys, random, warnings\nimport numpy as np, pandas as pd, matplotlib\n"
    "import matplotlib.pyplot as plt\nimport helpers.report.fmt as f\n"
    "print(json.dumps({'variable': 'leak_variable' in globals(),\n"
    "  'module_attr': hasattr(f, 'LEAK_MARKER'),\n"
    "  'rc': matplotlib.rcParams['lines.linewidth'],\n"
    "  'max_rows': pd.get_option('display.max_rows'),\n"
    "  'env': 'LEADEVAL_LEAK' in os.environ, 'path': '/leak' in sys.path,\n"
    "  'filter': any(getattr(m, 'pattern', None) == 'leak' for _, m, *r in warnings.filters),\n"
    "  'figures': len(plt.get_fignums()), 'cwd_is_sub': os.path.basename(os.getcwd()) == 'sub',\n"
    "  'execution_count': get_ipython().execution_count, 'backend': matplotlib.get_backend(),\n"
    "  'sys_path_0': sys.path[0], 'argv0': os.path.basename(sys.argv[0]),\n"
    "  'pid': os.getpid(), 'ppid': os.getppid()}))",
]

POLLUTE = [
    "leak_variable = 42\n"
    "import helpers.report.fmt as f\nf.LEAK_MARKER = 1\n"
    "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 9.5\n"
    "import pandas as pd\npd.set_option('display.max_rows', 7)\n"
    "import os, sys, warnings\nos.environ['LEADEVAL_LEAK'] = '1'\nsys.path.append('/leak')\n"
    "warnings.filterwarnings('ignore', message='leak')\n"
    "import matplotlib.pyplot as plt\nplt.figure()\n"
    "os.makedirs('sub', exist_ok=True)\nos.chdir('sub')\nprint('polluted')",
]


def _gone(pid: int, wait: float = 10.0) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@needs_fork
@pytest.mark.slow
def test_state_of_one_job_is_absent_from_the_next_and_each_kernel_exits(tmp_path, kernels):
    polluted = run_job(_spec(_notebook(tmp_path / "pollute.ipynb", POLLUTE)), kernels)
    assert polluted.status == "ok", polluted.detail
    probe = _notebook(tmp_path / "probe.ipynb", PROBE)
    forked = [run_job(_spec(probe), kernels) for _ in range(2)]
    fresh = run_job(_spec(probe))  # a new kernel, as papermill alone would start
    assert all(r.status == "ok" for r in forked + [fresh]), [r.detail for r in forked]
    got = [json.loads(_stdout(r)) for r in forked]
    want = json.loads(_stdout(fresh))
    template = kernels.template.proc.pid
    assert [g["ppid"] for g in got] == [template, template]  # forks of the one template
    assert want["ppid"] == os.getpid()
    assert got[0]["pid"] != got[1]["pid"] and all(_gone(g["pid"]) for g in got)
    for g in got + [want]:
        del g["pid"], g["ppid"]
    assert got[0] == got[1] == want
    assert want["variable"] is False and want["backend"].lower() == "agg"  # as the runner sets
    assert forked[0].kernel == "forked kernels" and fresh.kernel == "fresh kernels"


@needs_fork
@pytest.mark.slow
def test_a_forked_kernel_finds_the_dataset_already_loaded(tmp_path, kernels):
    nb = _notebook(tmp_path / "memo.ipynb", [
        "import helpers.data.cache as cache, helpers.data.loader as loader\n"
        "def refuse(*args):\n    raise AssertionError('read from disk')\n"
        "cache.read_cached = refuse\nloader.read_tables = refuse\n"
        f"from helpers.data import load_dataset\nds = load_dataset({str(SAMPLE)!r})\n"
        "print(len(ds.responses) > 0)"])
    forked = run_job(_spec(nb), kernels)
    assert forked.status == "ok", forked.detail
    assert _stdout(forked).strip() == "True"
    fresh = run_job(_spec(nb))  # a new kernel has to read it
    assert fresh.status == "failed" and "read from disk" in fresh.error


# one report of every notebook: the programme-level data quality report, the rest for a cohort
REPORTS = [("00_data_quality", None)] + [(n, "luhft_c01") for n in (
    "10_reach_and_reaction", "20_leadership_outcomes", "30_qualitative_themes",
    "40_improvement_projects", "50_networks", "60_equality_and_value", "90_evaluation_report")] + [
    ("60_equality_and_value", None), ("90_evaluation_report", None)]


@needs_fork
@pytest.mark.slow
@pytest.mark.parametrize("name,cohort", REPORTS)
def test_every_report_is_byte_identical_to_a_fresh_kernels(name, cohort, kernels):
    params = {"dataset": str(SAMPLE), "programme_id": "luhft_lbs", "cohort_id": cohort}
    spec = _spec(REPO / "notebooks" / f"{name}.ipynb", params,
                 f"luhft_lbs/{cohort or 'all'}/{name}.html", keep=False)
    forked, fresh = run_job(spec, kernels), run_job(spec)
    assert forked.status == fresh.status == "ok", (forked.detail, fresh.detail)
    assert forked.kernel == "forked kernels"
    assert len(fresh.html) > 5000
    assert forked.html == fresh.html  # the page carries no clock: equal byte for byte


@pytest.mark.slow
def test_a_template_that_does_not_start_leaves_fresh_kernels(tmp_path, cache_dir):
    source = JobKernels(mode="fork", template_timeout=0.01)  # far too short to import anything
    try:
        result = run_job(_spec(_notebook(tmp_path / "probe.ipynb", PROBE)), source)
        assert result.status == "ok", result.detail
        assert json.loads(_stdout(result))["ppid"] == os.getpid()
        if fork_supported():
            assert "did not answer" in source.fallback
            assert result.kernel.startswith("fresh kernels (the template process did not start")
    finally:
        source.close()


@needs_fork
@pytest.mark.slow
def test_the_next_kernel_is_started_ahead_and_stopped_with_the_source(tmp_path, cache_dir):
    source = JobKernels(mode="fork", ahead=True)
    probe = _spec(_notebook(tmp_path / "probe.ipynb", PROBE))
    try:
        first = run_job(probe, source)
        template = psutil.Process(source.template.proc.pid)
        ready = [p.pid for p in template.children() if not _gone(p.pid, wait=0)]
        second = run_job(probe, source)
        assert first.status == second.status == "ok"
        # the second job ran on the kernel that was already waiting when it was asked for
        assert ready == [json.loads(_stdout(second))["pid"]]
        waiting = [p for p in template.children() if not _gone(p.pid, wait=0)]
        assert len(waiting) == 1  # the third job's kernel, ready ahead
    finally:
        source.close()
    assert _gone(waiting[0].pid)
