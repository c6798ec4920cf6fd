"""Every Examples block in src/helpers runs as a doctest, so a docstring cannot drift from what
the code does (the values in them were checked against R or the published source they cite).

One test per module of the ``helpers`` package, found by walking the package: a new module is
collected without being listed here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import helpers

MODULES = sorted(m.name for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers."))
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def test_the_walk_finds_the_package():
    assert {"helpers.reliability", "helpers.multiplicity", "helpers.outcomes.effect_sizes",
            "helpers.outcomes.change"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, report=False, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_a_wrong_example_fails():
    # the collector must be able to fail: a module whose example is wrong is reported
    import types

    bad = types.ModuleType("bad_example")
    exec('def f():\n    """\n    >>> 1 + 1\n    3\n    """\n', bad.__dict__)
    result = doctest.testmod(bad, optionflags=FLAGS, report=False)
    assert result.failed == 1
