"""Strict parameters: parsed from the `parameters` cell with ast, checked before anything runs."""

import ast

import pytest

from helpers.runner.exceptions import ParameterError
from helpers.runner.layout import PER_COHORT_PARAMETER
from helpers.runner.params import (check_parameters, declares, parse_parameters, parameters_source,
                                   read_notebook_json, validate_job_parameters)

CELL = '''
dataset: str | None = None
programme_id: str = "kf_scl"
cohort_id: Optional[str] = None
threshold: int = 5
share: float = 0.5
flag: bool = False
title: str
untyped = 3
'''


def test_annotations_defaults_and_required():
    specs = parse_parameters(CELL)
    assert specs["dataset"].types == ("str", "None")
    assert specs["cohort_id"].types == ("str", "None")
    assert specs["programme_id"].default == "kf_scl" and not specs["programme_id"].required
    assert specs["title"].required
    assert specs["untyped"].types == ("int",)


def test_every_problem_is_named():
    specs = parse_parameters(CELL)
    problems = check_parameters(specs, {"colour": "red", "threshold": "5", "flag": 1, "share": 1,
                                        "dataset": None})
    text = "\n".join(problems)
    assert "unknown parameter 'colour'" in text
    assert "missing required parameter 'title'" in text
    assert "'threshold' should be int" in text
    assert "'flag' should be bool" in text  # 1 is not a bool
    assert not any("'share'" in p for p in problems)  # an int is a valid float
    assert len(problems) == 4


def test_bool_is_not_an_int():
    specs = parse_parameters("n: int = 1")
    assert check_parameters(specs, {"n": True})


def test_unsupported_annotation_is_refused():
    with pytest.raises(ValueError, match="unsupported parameter annotation"):
        parse_parameters("x: numpy.ndarray = None")


def test_validate_job_raises_with_job_name(repo_root):
    nb = read_notebook_json(repo_root / "tests/runner_fixtures/typed_params.ipynb")
    assert "threshold: int = 5" in parameters_source(nb)
    with pytest.raises(ParameterError) as info:
        validate_job_parameters(nb, {"dataset": None, "programme_id": "p", "cohort_id": None,
                                     "threshold": "high", "colour": 1}, "p/all/typed_params.html")
    assert info.value.job == "p/all/typed_params.html"
    assert len(info.value.problems) == 2
    nb = read_notebook_json(repo_root / "tests/runner_fixtures/required_param.ipynb")
    with pytest.raises(ParameterError, match="missing required parameter 'title'"):
        validate_job_parameters(nb, {"dataset": None, "programme_id": "p", "cohort_id": None}, "j")


def test_the_evaluation_report_declares_the_per_cohort_report_set_and_others_do_not(repo_root):
    evaluation = read_notebook_json(repo_root / "notebooks/90_evaluation_report.ipynb")
    assert declares(evaluation, PER_COHORT_PARAMETER)
    validate_job_parameters(evaluation, {"dataset": None, "programme_id": "p", "cohort_id": "c",
                                         PER_COHORT_PARAMETER: ["50_networks"]}, "p/c/90.html")
    assert not declares(read_notebook_json(repo_root / "notebooks/10_reach_and_reaction.ipynb"),
                        PER_COHORT_PARAMETER)
    assert not declares({"cells": []}, PER_COHORT_PARAMETER)


HOSTILE = 'x"; import os; os.system("touch pwned") #'


def test_papermill_translator_writes_values_as_literals(tmp_path, monkeypatch):
    """papermill's Python translator escapes strings like repr: the value stays data."""
    from papermill.translators import PythonTranslator

    code = PythonTranslator.codify({"cohort_id": HOSTILE, "label": "a'b\\\"c\n"})
    tree = ast.parse(code)
    assigns = {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body}
    assert assigns == {"cohort_id": HOSTILE, "label": "a'b\\\"c\n"}
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "<injected>", "exec"), namespace)  # noqa: S102 - the point of the test
    assert namespace["cohort_id"] == HOSTILE
    assert not (tmp_path / "pwned").exists()
