"""JupyterLab support: the project's notebooks are saved without outputs.

Researchers run the shipped notebooks in JupyterLab to explore the results; the outputs they
see hold participants' data and must never reach git. ``make lab`` starts the server with
``jupyter_server_config.py``, which installs :func:`strip_saved_outputs` as the contents
manager's pre-save hook, and ``make setup`` registers nbstripout as the repository's git filter,
so neither depends on a person remembering to clear outputs.
"""
from __future__ import annotations

from pathlib import PurePosixPath

import nbformat
from nbstripout import strip_output

#: Folder (relative to the server's root) whose notebooks are committed without outputs.
PROJECT_NOTEBOOKS = "notebooks"


def strip_saved_outputs(model: dict, path: str, contents_manager=None, **kwargs) -> None:
    """Jupyter ``pre_save_hook``: clear outputs and execution counts of a project notebook.

    Parameters
    ----------
    model : dict
        The contents model being saved; its ``content`` is replaced in place.
    path : str
        The notebook's path relative to the server root (``notebooks/20_x.ipynb``).

    Only notebooks directly in :data:`PROJECT_NOTEBOOKS` are stripped: a researcher's own
    notebook elsewhere keeps its outputs. Cell ids and metadata are kept, so the saved file
    differs from the committed one only where a person edited a cell.

    Examples
    --------
    >>> model = {"type": "notebook", "content": {"nbformat": 4, "nbformat_minor": 5,
    ...     "metadata": {}, "cells": [{"cell_type": "code", "id": "a1", "metadata": {},
    ...     "source": "1 + 1", "execution_count": 3,
    ...     "outputs": [{"output_type": "execute_result", "execution_count": 3,
    ...                  "data": {"text/plain": "2"}, "metadata": {}}]}]}}
    >>> strip_saved_outputs(model, "notebooks/20_leadership_outcomes.ipynb")
    >>> cell = model["content"]["cells"][0]
    >>> cell["outputs"], cell["execution_count"]
    ([], None)
    """
    if model.get("type") != "notebook" or not is_project_notebook(path):
        return
    notebook = nbformat.from_dict(model["content"])
    model["content"] = strip_output(notebook, keep_output=False, keep_count=False, keep_id=True)


def is_project_notebook(path: str) -> bool:
    """True for ``notebooks/<name>.ipynb`` relative to the server root.

    Examples
    --------
    >>> is_project_notebook("notebooks/10_reach_and_reaction.ipynb")
    True
    >>> is_project_notebook("explore/my_analysis.ipynb")
    False
    """
    parts = PurePosixPath(path.replace("\\", "/").lstrip("/")).parts
    return len(parts) == 2 and parts[0] == PROJECT_NOTEBOOKS and parts[1].endswith(".ipynb")
