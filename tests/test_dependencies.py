"""pyproject.toml and environment.yml must name the same dependencies with the same ranges."""

import re
import tomllib

import yaml

# PyPI requirement -> the conda-forge package(s) that provide it.
PYPI_TO_CONDA = {"dask[distributed]": ["dask", "distributed"], "build": ["python-build"]}


def _split(req: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)$", req)
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pyproject(repo_root):
    data = tomllib.loads((repo_root / "pyproject.toml").read_text())
    reqs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    out = {}
    for req in reqs:
        name, spec = _split(req)
        for conda_name in PYPI_TO_CONDA.get(name, [name]):
            out[conda_name] = spec
    return out


def _environment(repo_root):
    data = yaml.safe_load((repo_root / "environment.yml").read_text())
    out = {}
    for dep in data["dependencies"]:
        if isinstance(dep, dict):
            for pip_req in dep.get("pip", []):
                if not pip_req.startswith("-e"):
                    name, spec = _split(pip_req)
                    out[name] = spec
            continue
        name, spec = _split(dep)
        if name not in {"python", "pip"}:
            out[name] = spec
    return out


def test_same_dependency_names_and_ranges(repo_root):
    assert _environment(repo_root) == _pyproject(repo_root)


def test_environment_installs_the_package_editable(repo_root):
    data = yaml.safe_load((repo_root / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in data["dependencies"] if isinstance(d, dict))
    assert "-e .[test]" in pip_section
    assert data["channels"] == ["conda-forge"]
