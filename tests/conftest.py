"""Shared pytest fixtures: paths every test area needs.

Area-specific fixtures live beside their tests; this file only knows where things are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (holds notebooks/, data/, reports.yaml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_dataset_path() -> Path:
    """The committed synthetic dataset, data/sample/."""
    return REPO_ROOT / "data" / "sample"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` over two processes (``make test``), with tests/e2e as one unit.

    Each test module runs whole in one process (some modules' tests build on the ones before
    them through a module fixture). The end-to-end modules share the session's published
    sample run (tests/e2e/conftest.py), which takes minutes to build: as one unit it is built
    once, while the other process works through the remaining modules.
    """
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling  # here: plain pytest runs without xdist

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "tests/e2e" if module.startswith("tests/e2e/") else module

    return ModuleScheduling(config, log)
