"""What a dataset holds and how complete it is: the data-quality report's logic.

Pure functions over a loaded :class:`helpers.data.Dataset` (or its tables), each returning a
tidy DataFrame; :func:`prepare` gathers them for one report scope in a :class:`QualityResults`.
Counts there are raw; the ``show_*`` functions pass them through
``helpers.report.disclosure.suppress_table`` before display.

References
----------
The American Association for Public Opinion Research (2023). *Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys*, 10th edition. Response rate 2 (RR2):
complete and partial responses divided by eligible cases; here a participant responded in a wave
when they answered at least one item as ``self`` rater, and every participant of the selection
is eligible.

Little, R. J. A. and Rubin, D. B. (2019). *Statistical Analysis with Missing Data*, 3rd edition,
Wiley, section 1.2: missingness reported per variable as count and share of cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.data import DataError, load_dataset
from helpers.report.disclosure import suppress_table
from helpers.report.display import show_sentences, show_table
from helpers.report.fmt import plural
from helpers.report.results import Results

WAVE_ORDER = ["retrospective_pre", "baseline", "post", "follow_up"]


def table_overview(tables: dict[str, pd.DataFrame], files: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per table: its file, number of rows and columns.

    Parameters
    ----------
    tables : dict of str to DataFrame
        ``Dataset.tables``.
    files : dict of str to str, optional
        ``Dataset.files``: the file each table was read from (absent tables get "not supplied").

    Returns
    -------
    DataFrame with columns ``table, file, rows, columns``, in the order given.
    """
    files = files or {}
    return pd.DataFrame(
        [{"table": name, "file": files.get(name, "not supplied"), "rows": int(len(frame)),
          "columns": int(frame.shape[1])} for name, frame in tables.items()],
        columns=["table", "file", "rows", "columns"],
    )


def cohort_overview(cohorts: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Cohorts with their dates, delivery mode and number of participants.

    Returns
    -------
    DataFrame with columns ``cohort_id, start_date, end_date, delivery_mode, participants``.
    """
    counts = participants.groupby("cohort_id").size()
    out = cohorts[["cohort_id", "start_date", "end_date", "delivery_mode"]].copy()
    out["participants"] = out["cohort_id"].map(counts).fillna(0).astype(int)
    return out.reset_index(drop=True)


def response_rates(participants: pd.DataFrame, responses: pd.DataFrame, rater: str = "self") -> pd.DataFrame:
    """Response rate per instrument and wave (AAPOR RR2 with every participant eligible).

    A participant responded in a wave when they answered (non-missing value) at least one item of
    the instrument as ``rater``.

    Returns
    -------
    DataFrame with columns ``instrument_id, wave, respondents, eligible, rate`` (rate 0 to 1),
    waves in study order.
    """
    eligible = int(participants["participant_id"].nunique())
    answered = responses[(responses["rater"] == rater) & responses["value"].notna()]
    answered = answered[answered["participant_id"].isin(participants["participant_id"])]
    grouped = (answered.groupby(["instrument_id", "wave"], observed=True)["participant_id"]
               .nunique().rename("respondents").reset_index())
    grouped["eligible"] = eligible
    grouped["rate"] = grouped["respondents"] / eligible if eligible else float("nan")
    order = {w: i for i, w in enumerate(WAVE_ORDER)}
    grouped["_order"] = grouped["wave"].map(order).fillna(len(order))
    grouped = grouped.sort_values(["instrument_id", "_order"]).drop(columns="_order")
    return grouped.reset_index(drop=True)[["instrument_id", "wave", "respondents", "eligible", "rate"]]


def _is_missing(series: pd.Series) -> pd.Series:
    missing = series.isna()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        missing |= series.astype("string").str.strip().fillna("") == ""
    return missing


def missingness(tables: dict[str, pd.DataFrame], only_missing: bool = True) -> pd.DataFrame:
    """Missing values by table and column (blank text counts as missing).

    Parameters
    ----------
    tables : dict of str to DataFrame
    only_missing : bool, default True
        Leave out columns with nothing missing (report them in one sentence instead).

    Returns
    -------
    DataFrame with columns ``table, column, rows, missing, share`` (share 0 to 1).
    """
    rows = []
    for name, frame in tables.items():
        for column in frame.columns:
            n_missing = int(_is_missing(frame[column]).sum())
            if only_missing and n_missing == 0:
                continue
            rows.append({"table": name, "column": column, "rows": int(len(frame)),
                         "missing": n_missing,
                         "share": n_missing / len(frame) if len(frame) else float("nan")})
    return pd.DataFrame(rows, columns=["table", "column", "rows", "missing", "share"])


def codings_per_coder(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings applied by each coder, with the segments and distinct codes they used.

    Returns
    -------
    DataFrame with columns ``coder_id, codings, segments, codes``, most codings first.
    """
    if codings.empty:
        return pd.DataFrame(columns=["coder_id", "codings", "segments", "codes"])
    out = codings.groupby("coder_id").agg(codings=("code_id", "size"),
                                          segments=("segment_id", "nunique"),
                                          codes=("code_id", "nunique")).reset_index()
    return out.sort_values(["codings", "coder_id"], ascending=[False, True]).reset_index(drop=True)


def validation_summary(path) -> pd.DataFrame:
    """Validate a dataset folder and count problems by file and column.

    Returns
    -------
    DataFrame with columns ``file, column, problems, expected``; empty when the dataset is
    valid. Offending values are left out on purpose: they may be identifiers.
    """
    try:
        load_dataset(path)
    except DataError as exc:
        records = [{"file": p.file, "column": p.column or "", "expected": p.expected}
                   for p in exc.problems]
        frame = pd.DataFrame(records, columns=["file", "column", "expected"])
        return (frame.groupby(["file", "column"], dropna=False)
                .agg(problems=("expected", "size"), expected=("expected", "first")).reset_index())
    return pd.DataFrame(columns=["file", "column", "problems", "expected"])


def validation_sentences(problems: pd.DataFrame, dataset_name: str) -> list[str]:
    """Plain-English summary of :func:`validation_summary`."""
    if problems.empty:
        return [f"The dataset '{dataset_name}' passed every validation check: every table has its "
                "required columns and types, and every reference between tables resolves."]
    total = int(problems["problems"].sum())
    files = problems["file"].nunique()
    return [f"The dataset '{dataset_name}' has {plural(total, 'validation problem')} in "
            f"{plural(files, 'file')}; "
            "reports built on it are not published until they are fixed."]


# --- report sections (notebook 00) ---------------------------------------------------------

#: Tables whose rows describe the programme's design rather than people: their row counts are
#: not counts of people and are shown as they are.
DESIGN_TABLES = frozenset({"programmes", "cohorts", "items", "codes", "projects", "kpi_values"})


def tables_display(overview: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`table_overview` for a report: row counts of tables about people suppressed
    (a table of 3 career moves is 3 people), those of design tables shown."""
    shown = suppress_table(overview, ["rows"], threshold, totals_visible=False)
    design = overview["table"].isin(DESIGN_TABLES)
    shown.loc[design, "rows"] = [f"{int(n):,}" for n in overview.loc[design, "rows"]]
    return shown


def cohorts_display(overview: pd.DataFrame, threshold: int, fixed=None) -> pd.DataFrame:
    """:func:`cohort_overview` for a report: the cohorts add up to the participants table's
    rows, published above, so they are protected against that total with the programme-wide
    cohort codes in ``fixed`` (the same cohorts hidden as in every other report)."""
    return suppress_table(overview, ["participants"], threshold, fixed=fixed)


def rates_display(rates: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`response_rates` for a report: respondents are part of the eligible, so both they
    and the non-respondents are protected; the rate is withheld with a hidden count."""
    return suppress_table(rates, ["respondents", "eligible"], threshold,
                          pct_cols={"rate": "respondents"}, totals_visible=False,
                          parts={"respondents": "eligible"})


def missing_display(missing: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """:func:`missingness` for a report: missing values are part of the table's rows."""
    shown = suppress_table(missing, ["rows", "missing"], threshold,
                           pct_cols={"share": "missing"}, totals_visible=False,
                           parts={"missing": "rows"})
    design = missing["table"].isin(DESIGN_TABLES)
    for col in ("rows", "missing"):
        shown.loc[design, col] = [f"{int(n):,}" for n in missing.loc[design, col]]
    shown.loc[design, "share"] = [f"{100 * x:.1f}%" for x in missing.loc[design, "share"]]
    return shown


@dataclass
class QualityResults(Results):
    """What the dataset holds for one report scope and how complete it is (not yet suppressed).

    Attributes
    ----------
    threshold : int
        ``suppress_below`` of dataset.yaml.
    scope : str
        The programme (and cohort) in words.
    dataset_name : str
        The dataset's name (dataset.yaml ``name``).
    tables : DataFrame
        :func:`table_overview`: ``table, file, rows, columns``.
    cohorts : DataFrame
        :func:`cohort_overview`: ``cohort_id, start_date, end_date, delivery_mode,
        participants``.
    response_rates : DataFrame
        :func:`response_rates`: ``instrument_id, wave, respondents, eligible, rate``.
    missing : DataFrame
        :func:`missingness`: ``table, column, rows, missing, share``.
    coders : DataFrame
        :func:`codings_per_coder`: ``coder_id, codings, segments, codes``.
    problems : DataFrame
        :func:`validation_summary` of the whole dataset folder: ``file, column, problems,
        expected`` (empty when valid).
    cohorts_fixed : DataFrame
        The programme-wide suppression codes of the cohorts' rows
        (:meth:`helpers.report.context.Report.cohort_fixed`).
    """

    threshold: int
    scope: str
    dataset_name: str
    tables: pd.DataFrame
    cohorts: pd.DataFrame
    response_rates: pd.DataFrame
    missing: pd.DataFrame
    coders: pd.DataFrame
    problems: pd.DataFrame
    cohorts_fixed: pd.DataFrame | None = None

    COLUMNS = {
        "tables": ("table", "file", "rows", "columns"),
        "cohorts": ("cohort_id", "start_date", "end_date", "delivery_mode", "participants"),
        "response_rates": ("instrument_id", "wave", "respondents", "eligible", "rate"),
        "missing": ("table", "column", "rows", "missing", "share"),
        "coders": ("coder_id", "codings", "segments", "codes"),
        "problems": ("file", "column", "problems", "expected"),
        "cohorts_fixed": ("participants",),
    }

    def summary(self) -> pd.DataFrame:
        """The tables of the dataset in scope, people's row counts suppressed."""
        return tables_display(self.tables, self.threshold)


def prepare(rep) -> QualityResults:
    """Compute notebook 00's tables for the report's scope, once (validation of the whole
    dataset folder included)."""
    d = rep.data
    cohorts = cohort_overview(d.cohorts, d.participants)
    return QualityResults(
        threshold=rep.threshold, scope=rep.scope, dataset_name=rep.full.name,
        tables=table_overview(d.tables, rep.full.files),
        cohorts=cohorts,
        response_rates=response_rates(d.participants, d.responses),
        missing=missingness(d.tables), coders=codings_per_coder(d.codings),
        problems=validation_summary(rep.full.path),
        cohorts_fixed=rep.cohort_fixed(cohorts, "cohort_id", "participants"))


def show_tables(res: QualityResults) -> None:
    """Section table: every table of the dataset in scope, rows suppressed where they are people."""
    show_table(tables_display(res.tables, res.threshold), caption=f"Tables for {res.scope}")


def show_cohorts(res: QualityResults) -> None:
    """Section table: cohorts and participants, hidden as in every report of the programme."""
    show_table(cohorts_display(res.cohorts, res.threshold, res.cohorts_fixed),
               caption="Cohorts", units="participants")


def show_response_rates(res: QualityResults) -> None:
    """Section table: response rate by instrument and wave."""
    show_table(rates_display(res.response_rates, res.threshold),
               caption="Response rates by instrument and wave")


def show_missingness(res: QualityResults) -> None:
    """Section table: missing values by table and column."""
    show_table(missing_display(res.missing, res.threshold),
               caption="Missing values by table and column")


def show_coders(res: QualityResults) -> None:
    """Section table: codings per coder (counts of a coder's work, not of participants)."""
    show_table(suppress_table(res.coders, ["codings", "segments", "codes"], res.threshold,
                              totals_visible=False), caption="Codings per coder")


def show_validation(res: QualityResults) -> None:
    """Section sentences: whether the dataset passed validation."""
    show_sentences(validation_sentences(res.problems, res.dataset_name))
