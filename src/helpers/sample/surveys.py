"""Survey responses, fully vectorised (no Python loop over responses).

Model: a latent rating on the Likert metric = item intercept + person level + person-by-scale
deviation + rater bias + programme effect (by wave, scale, profession and rater) + noise, rounded
and clipped to the item's range; reverse-scored items are stored reflected (min + max - x).
Effect sizes differ by dimension (some near zero) and profession; 360 raters see about half the
change that people report for themselves, follow-up keeps three quarters of it, and the then-test
(``retrospective_pre``) sits below the baseline (response-shift bias; Howard et al. 1979,
*Applied Psychological Measurement* 3:93-101).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.sample.instruments import INSTRUMENTS, build_items

WAVES = ["baseline", "follow_up", "post", "retrospective_pre"]      # sorted: codes order = text order
INSTRUMENT_IDS = sorted(i["instrument_id"] for i in INSTRUMENTS)
RATERS = ["direct_report", "manager", "peer", "self"]
SLOTS = {"self": [0], "manager": [0], "peer": [1, 2], "direct_report": [3, 4]}

EFFECTS = {
    "hlm360": {"leading_with_care": 0.05, "sharing_the_vision": 0.30, "engaging_the_team": 0.40,
               "influencing_for_results": 0.45, "evaluating_information": 0.10,
               "connecting_our_service": 0.55, "inspiring_shared_purpose": 0.25,
               "developing_capability": 0.30, "holding_to_account": 0.0},
    "cmr": {"trust_respect": 0.35, "shared_goals": 0.25, "communication": 0.50, "handling_conflict": 0.30},
    "lcft_mlf": {"strategic_thinking": 0.6, "quality_improvement": 0.8, "care_pathway": 0.45,
                 "developing_others": 0.3, "values_based": 0.05, "partnership": 0.5},
    "reaction": {"satisfaction": 0.0, "relevance": 0.0, "recommend": 0.0},
}
LEVEL = {"hlm360": 3.45, "cmr": 4.1, "lcft_mlf": 2.2, "reaction": 4.15}
PROFESSION_GAIN = {"medical": 1.0, "nursing": 0.8, "AHP": 0.6, "manager": 0.45, "other": 0.5}
PROGRAMME_GAIN = {"luhft_lbs": 1.1, "barts_kf_scl": 1.0, "sath_academy": 0.7, "leeds_cihm": 1.0,
                  "lcft_cetad": 1.0}
RATER_BIAS = {"self": 0.15, "manager": 0.0, "peer": 0.05, "direct_report": 0.1}


@dataclass(frozen=True)
class Wave:
    """Who answers an instrument at one wave: programmes, rater role, response rates, timing."""

    instrument_id: str
    programmes: tuple[str, ...]
    wave: str
    rater: str
    p_engaged: float
    p_other: float
    anchor: str          # "start_date" or "end_date"
    days: tuple[int, int]


PLAN = [
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl", "sath_academy"), "baseline", "self", 0.96, 0.9,
         "start_date", (-28, -5)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "baseline", "manager", 0.85, 0.8, "start_date", (-28, -3)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "baseline", "peer", 0.78, 0.75, "start_date", (-28, -3)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "baseline", "direct_report", 0.74, 0.7,
         "start_date", (-28, -3)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl", "sath_academy"), "post", "self", 0.82, 0.3,
         "end_date", (7, 45)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "post", "manager", 0.75, 0.3, "end_date", (10, 50)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "post", "peer", 0.66, 0.25, "end_date", (10, 50)),
    Wave("hlm360", ("luhft_lbs", "barts_kf_scl"), "post", "direct_report", 0.62, 0.25, "end_date", (10, 50)),
    Wave("hlm360", ("barts_kf_scl", "luhft_lbs"), "follow_up", "self", 0.55, 0.1, "end_date", (330, 420)),
    Wave("reaction", ("luhft_lbs", "lcft_cetad", "barts_kf_scl", "leeds_cihm", "sath_academy"), "post",
         "self", 0.8, 0.3, "end_date", (0, 21)),
    Wave("cmr", ("leeds_cihm",), "baseline", "self", 0.93, 0.9, "start_date", (-21, -2)),
    Wave("cmr", ("leeds_cihm",), "post", "self", 0.74, 0.3, "end_date", (14, 60)),
    Wave("lcft_mlf", ("lcft_cetad",), "baseline", "self", 1.0, 1.0, "start_date", (-14, -1)),
    Wave("lcft_mlf", ("lcft_cetad",), "baseline", "manager", 1.0, 1.0, "start_date", (-14, -1)),
    Wave("lcft_mlf", ("lcft_cetad",), "post", "self", 0.92, 0.5, "end_date", (14, 40)),
    Wave("lcft_mlf", ("lcft_cetad",), "post", "manager", 0.9, 0.5, "end_date", (14, 40)),
]
THEN_TEST = ("hlm360", ("luhft_lbs",), 0.93)   # then-test answered alongside the post self-rating


def _events(people: pd.DataFrame, w: Wave, rng: np.random.Generator) -> dict[str, np.ndarray]:
    in_prog = np.isin(people.programme_id.to_numpy(), w.programmes)
    pidx = np.flatnonzero(in_prog)
    slots = SLOTS[w.rater]
    pidx = np.repeat(pidx, len(slots))
    slot = np.tile(slots, len(pidx) // len(slots))
    p = np.where(people.engaged.to_numpy()[pidx], w.p_engaged, w.p_other)
    keep = rng.random(len(pidx)) < p
    pidx, slot = pidx[keep], slot[keep]
    anchor = people[w.anchor].to_numpy().astype("datetime64[D]")[pidx]
    date = anchor + rng.integers(w.days[0], w.days[1] + 1, len(pidx)).astype("timedelta64[D]")
    n = len(pidx)
    return {"pidx": pidx, "slot": slot, "date": date,
            "wave": np.full(n, WAVES.index(w.wave)), "rater": np.full(n, RATERS.index(w.rater))}


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def build_responses(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The long responses table for every instrument, wave and rater (sorted, typed)."""
    all_items = build_items().sort_values("item_id").reset_index(drop=True)
    item_pos = pd.Series(np.arange(len(all_items)), index=all_items.item_id)
    n_people = len(people)
    person = rng.normal(0, 0.45, n_people)
    rater_bias = rng.normal(0, 0.3, n_people * 5)
    prof_gain = people.profession.map(PROFESSION_GAIN).to_numpy(dtype=float)
    prog_gain = people.programme_id.map(PROGRAMME_GAIN).to_numpy(dtype=float)
    out = []
    for inst in INSTRUMENTS:
        iid = inst["instrument_id"]
        waves = [w for w in PLAN if w.instrument_id == iid]
        parts = [_events(people, w, rng) for w in waves]
        if iid == THEN_TEST[0]:
            post_self = next(p for w, p in zip(waves, parts) if w.wave == "post" and w.rater == "self")
            keep = np.isin(people.programme_id.to_numpy()[post_self["pidx"]], THEN_TEST[1])
            keep &= rng.random(len(keep)) < THEN_TEST[2]
            retro = {k: v[keep] for k, v in post_self.items()}
            retro["wave"] = np.full(keep.sum(), WAVES.index("retrospective_pre"))
            parts.append(retro)
        ev = _concat(parts)
        it = all_items[all_items.instrument_id == iid].reset_index(drop=True)
        scales = [s["scale_id"] for s in inst["scales"]]
        scale_of_item = it.scale.map({s: k for k, s in enumerate(scales)}).to_numpy()
        effect = np.array([EFFECTS[iid][s] for s in scales])
        lo, hi = int(it["min"].iloc[0]), int(it["max"].iloc[0])
        width = (hi - lo) / 4.0                              # effects are given on a 1-5 metric
        person_scale = rng.normal(0, 0.25, (n_people, len(scales)))
        intercept = rng.normal(0, 0.2, len(it))
        n_ev, n_it = len(ev["pidx"]), len(it)
        e = np.repeat(np.arange(n_ev), n_it)
        i = np.tile(np.arange(n_it), n_ev)
        pid = ev["pidx"][e]
        sc = scale_of_item[i]
        wave = ev["wave"][e]
        rater = ev["rater"][e]
        is_self = rater == RATERS.index("self")
        gain = np.select(
            [wave == WAVES.index("post"), wave == WAVES.index("follow_up"),
             wave == WAVES.index("retrospective_pre")], [1.0, 0.75, 0.0], 0.0)
        change = effect[sc] * gain * prof_gain[pid] * prog_gain[pid] * np.where(is_self, 1.0, 0.5)
        change += np.where(wave == WAVES.index("retrospective_pre"), -0.3, 0.0)
        rbias = np.where(is_self, 0.0, rater_bias[pid * 5 + ev["slot"][e]])
        rshift = np.array([RATER_BIAS[r] for r in RATERS])[rater]
        latent = (LEVEL[iid] + intercept[i] + person[pid] + person_scale[pid, sc] + rbias + rshift
                  + change + rng.normal(0, 0.6, len(e)))
        value = np.clip(np.rint(lo + (latent - 1.0) * width), lo, hi)
        reverse = it.reverse_scored.to_numpy()[i]
        value = np.where(reverse, lo + hi - value, value)
        skip = 0.02 + 0.02 * (wave == WAVES.index("follow_up")) + 0.015 * reverse
        value[rng.random(len(e)) < skip] = np.nan
        rater_id = np.where(is_self, -1, pid * 5 + ev["slot"][e])
        out.append({"pidx": pid.astype(np.int32),
                    "item": item_pos[it.item_id.to_numpy()].to_numpy()[i].astype(np.int16),
                    "inst": np.full(len(e), INSTRUMENT_IDS.index(iid), dtype=np.int8),
                    "wave": wave.astype(np.int8), "rater": rater.astype(np.int8),
                    "rater_id": rater_id.astype(np.int64), "value": value.astype(np.float32),
                    "date": ev["date"][e]})
    return _tidy(_concat(out), people, all_items)


def _tidy(c: dict[str, np.ndarray], people: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Sort by participant, instrument, item, wave, rater, rater_id and name the columns.

    Every key is a small integer code whose order is the order of its text, so the six keys
    pack into one int64 and a single argsort orders millions of rows. Within a participant the
    rater slot orders the rater ids (``R`` + participant * 5 + slot), self (no id) first.
    """
    key = c["pidx"].astype(np.int64)
    for name, size in (("inst", len(INSTRUMENT_IDS)), ("item", len(items)), ("wave", len(WAVES)),
                       ("rater", len(RATERS))):
        key = key * size + c[name]
    key = key * 6 + (c["rater_id"] - c["pidx"].astype(np.int64) * 5 + 1).clip(0)
    order = np.argsort(key, kind="stable")
    c = {k: v[order] for k, v in c.items()}
    rid = c["rater_id"]
    uniq = np.unique(rid[rid >= 0])
    rater_cat = pd.Categorical.from_codes(
        np.where(rid >= 0, np.searchsorted(uniq, rid), -1),
        np.array([f"R{u:07d}" for u in uniq], dtype=object))
    udates, dcode = np.unique(c["date"], return_inverse=True)
    return pd.DataFrame({
        "participant_id": pd.Categorical.from_codes(c["pidx"], people.participant_id.to_numpy()),
        "instrument_id": pd.Categorical.from_codes(c["inst"], INSTRUMENT_IDS),
        "item_id": pd.Categorical.from_codes(c["item"], items.item_id.to_numpy()),
        "wave": pd.Categorical.from_codes(c["wave"], WAVES),
        "rater": pd.Categorical.from_codes(c["rater"], RATERS),
        "rater_id": rater_cat,
        "value": c["value"],
        "response_date": pd.Categorical.from_codes(dcode.ravel(), np.datetime_as_string(udates)),
    })
