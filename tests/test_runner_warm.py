"""A kernel kept per worker and reset between jobs (helpers.runner.warm) leaks nothing from one
job to the next and gives the same report, byte for byte, as a new kernel."""

from __future__ import annotations

import json
import os
import random
import sys
import warnings

import nbformat
import numpy as np
import pandas as pd
import pytest

from helpers.runner import warm

matplotlib = pytest.importorskip("matplotlib")


# --------------------------------------------------------------------- in-process reset (fast)


@pytest.fixture(autouse=True)
def _same_modules_afterwards():
    """kernel_reset drops helpers modules; give other tests back the very same module objects."""
    saved = dict(sys.modules)
    yield
    sys.modules.update(saved)


def test_reset_restores_library_state_in_process(tmp_path):
    snap = warm.kernel_snapshot()
    before_rc = matplotlib.rcParams["lines.linewidth"]
    before_opt = pd.get_option("display.max_rows")
    before_path = list(sys.path)
    before_filters = list(warnings.filters)
    cwd = os.getcwd()
    try:
        matplotlib.rcParams["lines.linewidth"] = before_rc + 7
        pd.set_option("display.max_rows", before_opt + 3)
        os.environ["LEADEVAL_TEST_LEAK"] = "1"
        sys.path.append("/nowhere/leak")
        warnings.filterwarnings("ignore", message="leak-marker")
        np.random.seed(1)
        random.seed(1)
        seeded = (np.random.random(), random.random())
        np.random.seed(1)
        random.seed(1)
        warm.kernel_reset(str(tmp_path), snapshot=snap)
        assert matplotlib.rcParams["lines.linewidth"] == before_rc
        assert pd.get_option("display.max_rows") == before_opt
        assert "LEADEVAL_TEST_LEAK" not in os.environ
        assert sys.path == before_path
        assert warnings.filters == before_filters
        assert os.path.samefile(os.getcwd(), tmp_path)
        # reseeded from the OS: the sequence seed(1) would give is not what comes next
        assert (np.random.random(), random.random()) != seeded
    finally:
        os.chdir(cwd)
        os.environ.pop("LEADEVAL_TEST_LEAK", None)


def test_reset_drops_every_helpers_module_but_the_snapshot_holder(tmp_path):
    snap = warm.kernel_snapshot()
    cwd = os.getcwd()
    try:
        import helpers.runner.sanitize  # noqa: F401

        warm.kernel_reset(str(tmp_path), snapshot=snap)
        assert "helpers.runner.sanitize" not in sys.modules  # the next job imports it afresh
        assert "helpers.runner.warm" in sys.modules  # holds the snapshot
        assert "numpy" in sys.modules  # third-party modules stay imported (the point of reuse)
    finally:
        os.chdir(cwd)


# --------------------------------------------------------------- a real kernel (end to end)


def _notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Warm kernel check")] + [
        nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return str(path)


def _spec(notebook, output="p/all/check.html"):
    return {"notebook": notebook, "parameters": {}, "output": output, "cell_timeout": 120,
            "job_timeout": 300, "keep_notebook": True, "kernel_name": "python3",
            "title": {"heading": "Warm kernel check", "scope": "test", "full": "Warm kernel check"},
            "provenance": {"dataset": "t", "dataset_hash": "h", "parameters": {}, "version": "0",
                           "git_commit": None, "generated_at": "2026-01-01T00:00:00Z"}}


POLLUTE = [
    "leak_variable = 42\n"
    "import helpers.report.fmt as f\nf.LEAK_MARKER = 1\n"
    "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 9.5\n"
    "import numpy as np, random\nnp.random.seed(1)\nrandom.seed(1)\n"
    "import pandas as pd\npd.set_option('display.max_rows', 7)\n"
    "import os, sys, warnings\nos.environ['LEADEVAL_LEAK'] = '1'\nsys.path.append('/leak')\n"
    "warnings.filterwarnings('ignore', message='leak')\n"
    "import matplotlib.pyplot as plt\nplt.figure()\n"
    "os.makedirs('sub', exist_ok=True)\nos.chdir('sub')\n"
    "print('polluted')",
]

PROBE = [
    "import json, os, sys, random, warnings\nimport numpy as np, pandas as pd, matplotlib\n"
    "import matplotlib.pyplot as plt\nimport helpers.report.fmt as f\n"
    "np.random.seed(1); seeded = float(np.random.random())\n"
    "random.seed(1); seeded_py = random.random()\n"
    "print(json.dumps({'variable': 'leak_variable' in globals(),\n"
    "  'module_attr': hasattr(f, 'LEAK_MARKER'),\n"
    "  'rc': matplotlib.rcParams['lines.linewidth'],\n"
    "  'max_rows': pd.get_option('display.max_rows'),\n"
    "  'env': 'LEADEVAL_LEAK' in os.environ, 'path': '/leak' in sys.path,\n"
    "  'filter': any(getattr(m, 'pattern', None) == 'leak' for _, m, *r in warnings.filters),\n"
    "  'figures': len(plt.get_fignums()), 'cwd_is_sub': os.path.basename(os.getcwd()) == 'sub',\n"
    "  'execution_count': get_ipython().execution_count}))",
]

REPORT = [
    "import numpy as np, pandas as pd, matplotlib.pyplot as plt\n"
    "from helpers.report.display import show_table, show_figure\n"
    "rng = np.random.default_rng(7)\n"
    "df = pd.DataFrame({'group': list('abcde'), 'score': rng.normal(size=5).round(3)})\n"
    "show_table(df, caption='Scores')",
    "fig, ax = plt.subplots()\nax.plot(df['score'])\nax.set_title('Scores')\n"
    "show_figure(fig, alt='Scores by group')",
    "print(df.describe())",
]


def _stdout(result):
    nb = json.loads(result["notebook_json"])
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stdout")


@pytest.fixture(scope="module")
def kept_kernel():
    kernel = warm.ReusedKernel()
    yield kernel
    kernel.discard()


@pytest.mark.slow
def test_state_set_by_one_job_is_absent_in_the_next(tmp_path, kept_kernel):
    from helpers.runner.execute import run_job

    first = run_job(_spec(_notebook(tmp_path / "pollute.ipynb", POLLUTE)), kept_kernel)
    assert first["status"] == "ok", first["error"]
    assert kept_kernel.keep_after(first)
    pid = kept_kernel.km.provisioner.pid
    second = run_job(_spec(_notebook(tmp_path / "probe.ipynb", PROBE)), kept_kernel)
    assert second["status"] == "ok", second["error"]
    assert kept_kernel.km.provisioner.pid == pid  # the same kernel process ran both jobs
    fresh = run_job(_spec(_notebook(tmp_path / "probe2.ipynb", PROBE)))  # a new kernel
    got, expected = json.loads(_stdout(second)), json.loads(_stdout(fresh))
    assert got == expected
    assert got["variable"] is False and got["module_attr"] is False and got["env"] is False
    assert got["path"] is False and got["filter"] is False and got["figures"] == 0
    assert got["cwd_is_sub"] is False and got["max_rows"] != 7 and got["rc"] != 9.5


@pytest.mark.slow
def test_reused_kernel_report_is_byte_identical_to_a_new_kernels(tmp_path, kept_kernel):
    from helpers.runner.execute import run_job

    polluted = run_job(_spec(_notebook(tmp_path / "pollute.ipynb", POLLUTE)), kept_kernel)
    assert polluted["status"] == "ok" and kept_kernel.keep_after(polluted)
    report = _notebook(tmp_path / "report.ipynb", REPORT)
    reused = run_job(_spec(report), kept_kernel)
    fresh = run_job(_spec(report))
    assert reused["status"] == fresh["status"] == "ok"
    assert "<img" in fresh["html"] and "Scores" in fresh["html"]
    assert reused["html"] == fresh["html"]
    strip = lambda r: [(c["cell_type"], c.get("outputs"), c.get("execution_count"))  # noqa: E731
                       for c in json.loads(r["notebook_json"])["cells"]]
    assert strip(reused) == strip(fresh)


@pytest.mark.slow
def test_failed_job_discards_the_kept_kernel(tmp_path):
    from helpers.runner.execute import run_job

    kernel = warm.ReusedKernel(modules=("numpy",))
    try:
        result = run_job(_spec(_notebook(tmp_path / "bad.ipynb", ["raise ValueError('boom')"])), kernel)
        assert result["status"] == "failed" and "boom" in result["error"]
        assert not kernel.keep_after(result)
    finally:
        kernel.discard()
    assert not kernel.usable("python3")


# ------------------------------------------------------- compiled code kept, garbage frozen


def test_code_cache_reuses_compiled_code_but_runs_each_import_afresh(tmp_path, monkeypatch):
    pkg = tmp_path / "helpers" / "lecache_probe"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "counter.py"
    mod.write_text("state = []\nVALUE = 1\n")
    cache = warm.HelpersCodeCache()
    monkeypatch.setattr(sys, "meta_path", [cache, *sys.meta_path])
    # a throwaway `helpers` package path so the finder sees helpers.lecache_probe
    import helpers

    monkeypatch.setattr(helpers, "__path__", [str(tmp_path / "helpers"), *helpers.__path__])
    import importlib

    first = importlib.import_module("helpers.lecache_probe.counter")
    first.state.append("leak")
    compiled = lambda: [k for k in cache.codes if k[0] == str(mod)]  # noqa: E731
    assert len(compiled()) == 1
    del sys.modules["helpers.lecache_probe.counter"]
    second = importlib.import_module("helpers.lecache_probe.counter")
    assert second is not first and second.state == []  # executed afresh: no state carried over
    assert len(compiled()) == 1  # ... from the same compiled code
    mod.write_text("state = []\nVALUE = 22\n")  # an edit (new size) is compiled again
    del sys.modules["helpers.lecache_probe.counter"]
    third = importlib.import_module("helpers.lecache_probe.counter")
    assert third.VALUE == 22 and len(compiled()) == 2
    for name in [n for n in sys.modules if n.startswith("helpers.lecache_probe")]:
        del sys.modules[name]


def test_code_cache_ignores_other_packages():
    assert warm.HelpersCodeCache().find_spec("json") is None


def test_worker_threads_share_the_cores_and_respect_the_user():
    from helpers.runner.pool import THREAD_VARS, limit_threads

    env = {"MKL_NUM_THREADS": "7"}
    threads = limit_threads(os.cpu_count() or 1, env)
    assert threads == 1
    assert env["MKL_NUM_THREADS"] == "7"  # set by the user: kept
    assert all(env[name] == "1" for name in THREAD_VARS if name != "MKL_NUM_THREADS")
    assert limit_threads(1, {}) == (os.cpu_count() or 1)


def test_kernel_limits_from_arguments_environment_and_defaults():
    assert warm.kernel_limits(environ={}) == (warm.MAX_JOBS, warm.MAX_RSS_MB) == (1000, 3072)
    env = {"LEADEVAL_KERNEL_MAX_JOBS": "50", "LEADEVAL_KERNEL_MAX_RSS_MB": "1500.5"}
    assert warm.kernel_limits(environ=env) == (50, 1500.5)
    assert warm.kernel_limits(7, 100, environ=env) == (7, 100)  # arguments win
    for bad in ({"LEADEVAL_KERNEL_MAX_JOBS": "0"}, {"LEADEVAL_KERNEL_MAX_RSS_MB": "-1"},
                {"LEADEVAL_KERNEL_MAX_JOBS": "2.5"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            warm.kernel_limits(environ=bad)


@pytest.mark.slow
def test_kept_kernel_is_replaced_after_max_jobs(tmp_path):
    from helpers.runner.execute import run_job

    kernel = warm.ReusedKernel(modules=("numpy",), max_jobs=2)
    try:
        nb = _notebook(tmp_path / "one.ipynb", ["x = 1"])
        for expected in (True, False):  # kept after the first job, not after the second
            result = run_job(_spec(nb), kernel)
            assert result["status"] == "ok" and kernel.keep_after(result) is expected
    finally:
        kernel.discard()
