"""Leadership outcomes (Kirkpatrick levels 2 and 3): change between waves, the mixed model,
360 self-other gaps, the retrospective pre-test, attrition and the figures that show them.

One module per question: :mod:`~helpers.outcomes.change` (paired change, Holm),
:mod:`~helpers.outcomes.effect_sizes` (d_z, d_av, Lakens 2013), :mod:`~helpers.outcomes.mixed`
(REML mixed model; its fitting in :mod:`~helpers.outcomes.lmm`, the CR2 fallback in
:mod:`~helpers.outcomes.cr2`), :mod:`~helpers.outcomes.rater_gap` (360 and then-test),
:mod:`~helpers.outcomes.attrition`, :mod:`~helpers.outcomes.likert` (figures) and
:mod:`~helpers.outcomes.sentences` (findings in words).
"""

from helpers.outcomes.attrition import attrition_by, baseline_by_completion
from helpers.outcomes.change import paired_test, scale_change, subgroup_change
from helpers.outcomes.effect_sizes import paired_effect_sizes
from helpers.outcomes.mixed import all_wave_effects, wave_effects
from helpers.outcomes.rater_gap import gap_narrowing, gap_summary, then_test

__all__ = ["attrition_by", "baseline_by_completion", "paired_test", "scale_change",
           "subgroup_change", "paired_effect_sizes", "all_wave_effects", "wave_effects",
           "gap_narrowing", "gap_summary", "then_test"]
