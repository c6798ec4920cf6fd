"""Bring the exports users already have into a dataset: ``leadeval import``.

:mod:`~helpers.intake.mapfile` (the map and its checks), :mod:`~helpers.intake.exports` (one
reader per export format), :mod:`~helpers.intake.fields` (a map field to values per row),
:mod:`~helpers.intake.builders` (rows per target table), :mod:`~helpers.intake.writer` (merge,
validate, swap in under the lock), :mod:`~helpers.intake.command` and
:mod:`~helpers.intake.initmap` (the command line).
"""
