"""One accessible look for every figure.

The categorical palette is Okabe and Ito's colour-blind-safe set (Okabe M, Ito K. Color
Universal Design, 2008) with its blue replaced by NHS blue (#005EB8, NHS England identity
guidelines) as the accent. SPC colours are those of NHS England's "Making Data Count" charts
as NHSRplotthedots draws them.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import seaborn as sns

NHS_BLUE = "#005EB8"
NHS_DARK_GREY = "#425563"
PALETTE = [
    NHS_BLUE,   # accent
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
# Diverging palette for Likert items: disagreement in vermillion, agreement in NHS blue.
LIKERT_COLOURS = ["#B2182B", "#EF8A62", "#D9D9D9", "#67A9CF", NHS_BLUE]
SPC_COLOURS = {
    "common_cause": "#7B7D7D",
    "special_cause_improvement": "#289DE0",
    "special_cause_concern": "#FAB428",
    "special_cause_neutral": "#361475",
    "target": "#DE1B1B",
}

#: Seed of the jitter in point plots, so a figure is the same every time it is drawn.
JITTER_SEED = 20241125
FIGURE_DPI = 100
FIGURE_SIZE = (7.5, 4.2)


def apply_theme() -> None:
    """Set the seaborn/matplotlib theme used by every report figure.

    Mathtext parsing is off, so text from data is drawn literally. Readable sizes at the
    report's width, light grid, no top/right spines, a DPI that keeps
    embedded PNGs sharp but small (a figure is ~40-80 kB). Silences the known harmless
    seaborn/matplotlib deprecation about ``vert`` so it never reaches a report.

    The backend is left alone: in JupyterLab a researcher's own ``plt.show()`` must still
    draw inline, and the runner chooses an off-screen backend for its own kernels.
    """
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=PALETTE,
        rc={
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": FIGURE_SIZE,
            "axes.titlesize": 13,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "leadeval",
            # Labels come from data (project titles, organisation names): a "$" must stay a
            # dollar sign, never start mathtext (a hostile "$$\\href{...}$$" crashed a chart).
            "text.parse_math": False,
        },
    )
    warnings.filterwarnings("ignore", message=".*vert.*", category=Warning)
    warnings.filterwarnings("ignore", category=FutureWarning, module="seaborn")


@contextmanager
def fixed_jitter(seed: int = JITTER_SEED):
    """Draw a plot with numpy's global generator seeded, then put the generator's state back.

    seaborn's ``stripplot`` draws its jitter from numpy's global generator
    (``seaborn.categorical``: ``partial(np.random.uniform, ...)``; it takes no seed), which a new
    kernel, and the kept kernel's reset, seed from the operating system. Without this the same
    data drew its points in different places on every run, so a report regenerated from unchanged
    data was not the same report. The state is restored so that no other random draw changes.
    """
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)
