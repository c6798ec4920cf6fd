"""Showing results safely: the report context, disclosure control, number formatting,
escaped display and the figure theme. Notebooks import from here; nothing here computes
statistics."""

__all__ = ["NotApplicable", "Report", "open_report"]


def __getattr__(name: str):
    # The report context, and the plotting theme it sets up, load on first use: a module of
    # this package used without plotting (the runner's disclosure audit, run on every page in
    # the main process) would otherwise import matplotlib and seaborn.
    if name in __all__:
        from helpers.report import context

        return getattr(context, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
