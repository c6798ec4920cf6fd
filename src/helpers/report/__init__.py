"""Showing results safely: the report context, disclosure control, number formatting,
escaped display and the figure theme. Notebooks import from here; nothing here computes
statistics."""

from helpers.report.context import NotApplicable, Report, open_report

__all__ = ["NotApplicable", "Report", "open_report"]
