"""Write the fixed inputs of reference_stats.R from data/sample (run once; the CSVs are committed).

The R oracle and the tests read only the CSVs written here, so regenerating the sample data does
not move the expected values. Each file is the input of one statistic, as leadeval prepares it
(reverse-scored item answers, complete pairs, follow-up times, nominations inside the roster),
for the Barts Health programme and, where the file says so, its cohorts:

    PYTHONPATH=src python tests/oracles/make_inputs.py      # from the repository root

Participants are numbered 1, 2, ... within each file; no participant_id is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import careers, reliability
from helpers.data import load_dataset
from helpers.outcomes import rater_gap
from helpers.scales import item_scores, score_scales, wide_scores

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROGRAMME = "barts_kf_scl"
ITS_PROJECT = "lcft_p01"


def _numbered(ids: pd.Series) -> pd.Series:
    codes, _ = pd.factorize(ids.astype(str), sort=True)
    return pd.Series(codes + 1, index=ids.index)


def main() -> None:
    d = load_dataset(ROOT / "data" / "sample")
    b = d.subset(programme_id=PROGRAMME)
    cohort_of = b.participants.set_index("participant_id")["cohort_id"]

    # Cronbach's alpha: self-rated HLM items, one row per respondent and wave, reverse-scored.
    s = item_scores(b.responses[(b.responses["rater"] == "self")
                                & (b.responses["instrument_id"] == "hlm360")], b.items)
    wide = s.pivot_table(index=["participant_id", "wave"], columns="item_id", values="scored",
                         aggfunc="mean").reset_index()
    wide.insert(0, "cohort_id", wide["participant_id"].map(cohort_of))
    wide.insert(1, "person", _numbered(wide["participant_id"]))
    wide.drop(columns="participant_id").to_csv(HERE / "alpha_items.csv", index=False)
    b.items.loc[b.items["instrument_id"] == "hlm360", ["item_id", "scale"]].to_csv(
        HERE / "alpha_item_scales.csv", index=False)

    # Paired change: self-rated scale scores at each wave, one row per person and scale.
    scores = score_scales(b.responses, b.items, b.instruments, instrument_id="hlm360")
    w = wide_scores(scores, ["baseline", "post", "follow_up"], rater="self")
    w.insert(0, "cohort_id", w["participant_id"].map(cohort_of))
    w.insert(1, "person", _numbered(w["participant_id"]))
    w.drop(columns="participant_id").to_csv(HERE / "change_scores.csv", index=False,
                                            float_format="%.10g")

    # 360 gaps: self against the mean of the other rater types, per person, scale and wave.
    g = rater_gap.participant_gaps(scores)
    g.insert(0, "cohort_id", g["participant_id"].map(cohort_of))
    g.insert(1, "person", _numbered(g["participant_id"]))
    g[["cohort_id", "person", "scale", "wave", "self", "others"]].to_csv(
        HERE / "gap_scores.csv", index=False, float_format="%.10g")

    # Pipeline: months from cohort end; status 1 moved, 2 left the NHS first, 0 censored.
    end = careers.observation_end_date(d.meta.get("observation_end"))
    dur = careers.pipeline_durations(b.participants, b.cohorts, b.careers, end)
    status = np.select([dur["moved"], dur["censored_by"] == "left the NHS"], [1, 2], 0)
    pd.DataFrame({"cohort_id": dur["cohort_id"], "months": dur["months"], "status": status}).to_csv(
        HERE / "pipeline.csv", index=False, float_format="%.10g")

    # Networks: the roster (numbered) and the nominations as named, inside the roster.
    ros = b.participants[["participant_id", "cohort_id", "organisation", "profession"]].copy()
    ros.insert(0, "node", _numbered(ros["participant_id"]))
    node = ros.set_index("participant_id")["node"]
    t = b.ties.assign(from_node=b.ties["from_id"].map(node), to_node=b.ties["to_id"].map(node))
    t = t.dropna(subset=["from_node", "to_node"])
    t = t[t["from_node"] != t["to_node"]]
    t = t[["wave", "from_node", "to_node"]].astype({"from_node": int, "to_node": int})
    t.drop_duplicates().sort_values(["wave", "from_node", "to_node"]).to_csv(
        HERE / "network_ties.csv", index=False)
    ros.drop(columns="participant_id").sort_values("node").to_csv(HERE / "network_nodes.csv",
                                                                  index=False)

    # Inter-coder agreement: the double-coded codings of the programme's segments.
    dc = reliability.double_coded(b.codings)
    dc = dc.assign(segment=_numbered(dc["segment_id"]))[["segment", "code_id", "coder_id"]]
    dc.sort_values(["segment", "code_id", "coder_id"]).to_csv(HERE / "codings.csv", index=False)

    # Interrupted time series: one improvement project's monthly KPI (37 points).
    k = d.kpi_values[d.kpi_values["project_id"] == ITS_PROJECT].sort_values("period")
    start = pd.Timestamp(d.projects.set_index("project_id").loc[ITS_PROJECT, "start_date"])
    pd.DataFrame({"time": np.arange(1, len(k) + 1), "value": k["value"].to_numpy(),
                  "after": (pd.to_datetime(k["period"]) >= start).astype(int).to_numpy()}).to_csv(
        HERE / "its_series.csv", index=False)


if __name__ == "__main__":
    main()
