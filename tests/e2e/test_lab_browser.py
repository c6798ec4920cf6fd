"""A researcher opens a notebook in JupyterLab, runs all cells, and draws a plot of their own.

JupyterLab is started from the project's Python on a free port with a token and no browser,
rooted at a temporary copy of the project (notebooks/, data/sample and reports.yaml), so that
nothing Lab saves (autosave, checkpoints, workspaces) lands in the real notebooks/. The
project's ``leadeval`` kernelspec is installed into a temporary Jupyter data folder, and the
user's own Jupyter configuration, settings and workspaces are replaced by empty temporary ones:
the test sees what a new user of the repository sees.

Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) opens
notebooks/10_reach_and_reaction.ipynb, runs every cell from the Run menu and waits for the
kernel to be idle. No cell may show a traceback, and a new cell calling ``plt.plot`` and
``plt.show()`` must render an image: figures are drawn by the kernel a person uses, not
swallowed by a non-interactive backend.

Without Chromium the test skips with the reason, except under ``CI=true``, where a missing
browser is a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, require_chromium

playwright = pytest.importorskip("playwright.sync_api")
sync_playwright, PlaywrightTimeout = playwright.sync_playwright, playwright.TimeoutError

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NOTEBOOK = "notebooks/10_reach_and_reaction.ipynb"
KERNEL = "leadeval"
START_TIMEOUT = 60  # seconds for Lab to answer its status endpoint
KERNEL_TIMEOUT = 180  # seconds for the notebook's kernel to start and be idle
RUN_TIMEOUT = 300_000  # milliseconds for every cell of the notebook to finish
OWN_PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()"

# What a traceback looks like in Lab: an error output, or a traceback printed on stderr.
ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
                 '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')
STDERR_OUTPUTS = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

# Every cell stays in the page (no virtual scrolling) so that the page shows all prompts and
# outputs; Lab does not fetch news or check for updates from a test.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab: where it serves, with which token, rooted where."""

    url: str
    token: str
    root: Path
    log: Path
    notebooks_before: dict[str, int]

    def api(self, path: str):
        request = urllib.request.Request(f"{self.url}/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read().decode("utf-8"))

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-8000:]


def _snapshot(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (checkpoints included) with its modification time."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _project_copy(root: Path) -> None:
    """The parts of the repository a researcher's Lab shows, copied so Lab may write to them."""
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copytree(REPO_ROOT / "data" / "sample", root / "data" / "sample")
    shutil.copy2(REPO_ROOT / "reports.yaml", root / "reports.yaml")


def _jupyter_home(home: Path) -> dict[str, str]:
    """Empty Jupyter folders with only the leadeval kernelspec; the environment that uses them."""
    prefix = home / "prefix"
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix),
                    "--name", KERNEL, "--display-name", "Python (leadeval)"],
                   check=True, capture_output=True, text=True, timeout=60)
    settings = home / "lab-settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return {
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab at a temporary copy of the project, shut down when the module ends."""
    require_chromium()
    base = tmp_path_factory.mktemp("lab")
    before = _snapshot(REPO_ROOT / "notebooks")
    root = base / "project"
    _project_copy(root)
    env = {**os.environ, **_jupyter_home(base / "jupyter")}
    for name in ("LEADEVAL_DATASET", "MPLBACKEND", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)  # the notebook finds its dataset and backend as a person's would
    # the kernel inherits PYTHONPATH: this checkout's helpers, not only the installed ones
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO_ROOT / "src"), env.get("PYTHONPATH")] if p)
    # In a fresh clone nothing is byte-compiled and the disk cache is cold, so the kernel's first
    # imports can outlast the run timeout: pay them once here, outside what is measured.
    subprocess.run([sys.executable, "-c", "import helpers.reach, helpers.report, seaborn, "
                    "statsmodels.api, matplotlib.pyplot"], env=env, check=True, timeout=600,
                   capture_output=True)
    token, port = secrets.token_hex(16), _free_port()
    log = base / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # containers and CI run as root
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log, before)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{server.tail()}")
            try:
                server.api("status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT} s:\n{server.tail()}")
                time.sleep(0.5)
        yield server
    finally:
        proc.terminate()  # Lab shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)


@dataclass
class Session:
    """What the browser saw after running the notebook and one cell of the researcher's own."""

    code_cells: int
    prompts: list[str]
    errors: list[str]
    tracebacks: list[str]
    offered: str
    kernels: list[dict]
    images: int
    image_sizes: list[dict]


def _wait_idle(lab: Lab, page, timeout_ms: int) -> list[dict]:
    """Wait until no cell is queued or running and every kernel says it is idle."""
    page.wait_for_function(
        "() => { const p = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))"
        ".map(e => e.textContent.trim()); return p.length > 0 && p.every(t => /^\\[\\d+\\]:$/.test(t)); }",
        timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        kernels = lab.api("kernels")
        if kernels and all(k["execution_state"] == "idle" for k in kernels):
            return kernels
        if time.monotonic() > deadline:
            return kernels
        time.sleep(0.25)


def _accept_kernel_dialog(page) -> str | None:
    """Accept the kernel-selection dialog if Lab shows one; returns the kernel it offered.

    A new user (no saved preference) may be asked once which kernel to start, with the
    notebook's own preselected; "Select" accepts it.
    """
    dialog = page.locator(".jp-Dialog")
    if not dialog.count() or not dialog.first.is_visible():
        return None
    offered = dialog.locator("select").evaluate("s => s.options[s.selectedIndex].text")
    dialog.get_by_role("button", name="Select").click()
    dialog.wait_for(state="detached", timeout=10_000)
    return offered


def _kernel_ready(lab: Lab, page, timeout_s: float) -> str | None:
    """Wait until the notebook's session has a kernel that says it is idle.

    Run All is pressed only then: pressed while Lab is still starting (or asking for) a kernel,
    it can make Lab replace the kernel it was starting, which is not what is being tested.
    Returns the kernel the selection dialog offered, if Lab asked.
    """
    offered = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        offered = _accept_kernel_dialog(page) or offered
        sessions = [s for s in lab.api("sessions") if s.get("path", "").endswith(NOTEBOOK)]
        if sessions and (sessions[0].get("kernel") or {}).get("execution_state") == "idle":
            return offered
        time.sleep(0.5)
    pytest.fail(f"the notebook's kernel was not idle within {timeout_s:.0f} s: {lab.api('sessions')}")


def _run_all(page) -> str | None:
    """Run > Run All Cells, as a person would; returns the kernel a dialog offered, if one asked."""
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.locator(".lm-Menu-content").get_by_text("Run All Cells", exact=True).click()
    try:
        page.locator(".jp-Dialog").wait_for(timeout=3_000)
    except PlaywrightTimeout:
        return None
    return _accept_kernel_dialog(page)


def _started(page, timeout_ms: int) -> bool:
    """Whether some cell is queued, running or done within ``timeout_ms``."""
    try:
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))"
            ".some(e => /^\\[[\\d*]+\\]:$/.test(e.textContent.trim()))", timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False


@pytest.fixture(scope="module")
def session(lab, tmp_path_factory) -> Session:
    """Open the notebook, Run > Run All Cells, then add and run a plotting cell."""
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("lab-chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}", wait_until="load")
            page.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(timeout=60_000)
            offered = _kernel_ready(lab, page, KERNEL_TIMEOUT)
            offered = _run_all(page) or offered
            assert _started(page, 60_000), "Run All Cells started no cell"
            kernels = _wait_idle(lab, page, RUN_TIMEOUT)
            code_cells = page.locator(".jp-NotebookPanel .jp-CodeCell").count()
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            errors = page.locator(ERROR_OUTPUTS).all_inner_texts()
            tracebacks = [t for t in page.locator(STDERR_OUTPUTS).all_inner_texts() if "Traceback" in t]

            # a cell of the researcher's own, below the last one, run in place with Ctrl+Enter
            page.locator(".jp-NotebookPanel .jp-Cell").last.click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            new_cell = page.locator(".jp-NotebookPanel .jp-Cell.jp-mod-active")
            new_cell.locator(".cm-content").click()
            page.keyboard.insert_text(OWN_PLOT)
            page.keyboard.press("Control+Enter")
            image = page.locator(".jp-NotebookPanel .jp-CodeCell").last.locator(".jp-RenderedImage img")
            try:
                image.first.wait_for(timeout=30_000)
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('.jp-RenderedImage img'))"
                    ".every(i => i.complete)", timeout=10_000)
            except Exception:  # noqa: BLE001 - reported by the assertion below with what was seen
                pass
            _wait_idle(lab, page, 30_000)
            last = page.locator(".jp-NotebookPanel .jp-CodeCell").last
            tracebacks += [t for t in last.locator(STDERR_OUTPUTS).all_inner_texts() if "Traceback" in t]
            errors += last.locator(ERROR_OUTPUTS).all_inner_texts()
            sizes = last.locator(".jp-RenderedImage img").evaluate_all(
                "imgs => imgs.map(i => ({width: i.naturalWidth, height: i.naturalHeight}))")
            return Session(code_cells, prompts, errors, tracebacks, offered, kernels, len(sizes), sizes)
        except Exception as exc:  # say what the page showed when Lab did not do what was expected
            shot = lab.root.parent / "lab.png"
            page.screenshot(path=str(shot), full_page=True)
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            pytest.fail(f"{type(exc).__name__}: {str(exc)[:300]}\nprompts: {prompts}\n"
                        f"screenshot: {shot}\nLab log:\n{lab.tail()}")
        finally:
            context.close()


def test_every_cell_of_the_notebook_runs_in_lab_without_an_error(session):
    assert session.code_cells > 1, "the notebook did not open"
    assert not session.errors, "error outputs in Lab:\n" + "\n---\n".join(e[:1500] for e in session.errors)
    assert not session.tracebacks, "tracebacks on stderr:\n" + "\n---\n".join(session.tracebacks)
    assert all(p.strip() not in ("[ ]:", "[*]:", "") for p in session.prompts), session.prompts


def test_the_notebook_runs_in_the_leadeval_kernel(session):
    assert session.offered in (None, "Python (leadeval)"), session.offered
    assert [k["name"] for k in session.kernels] == [KERNEL]
    assert all(k["execution_state"] == "idle" for k in session.kernels), session.kernels


def test_a_plot_of_the_researchers_own_renders_an_image(session):
    assert session.images >= 1, "plt.plot(...); plt.show() drew no image in Lab"
    assert all(s["width"] > 0 and s["height"] > 0 for s in session.image_sizes), session.image_sizes


def test_lab_saves_nothing_into_the_repository_notebooks(lab, session):
    assert _snapshot(REPO_ROOT / "notebooks") == lab.notebooks_before
