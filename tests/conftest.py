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
