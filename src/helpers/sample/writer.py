"""Write the sample tables and dataset.yaml byte-for-byte reproducibly.

CSV: UTF-8 without BOM, ``\\n`` line endings, rows sorted by each table's key, dates as ISO
``yyyy-mm-dd``, numbers with ``%.10g`` (integers print without a decimal point), blanks for
missing values. Tables longer than ``PARQUET_ROWS`` rows are written as ``<table>.parquet``
instead (the loader finds a table by its name and any supported extension).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

PARQUET_ROWS = 1_000_000

COLUMNS: dict[str, list[str]] = {
    "programmes": ["programme_id", "name", "provider", "host_organisation", "level", "modules", "days"],
    "cohorts": ["cohort_id", "programme_id", "start_date", "end_date", "delivery_mode", "places",
                "applications"],
    "participants": ["participant_id", "cohort_id", "organisation", "profession", "role", "speciality",
                     "ethnicity", "sex", "disability"],
    "attendance": ["participant_id", "module", "session_date", "attended"],
    "items": ["instrument_id", "item_id", "scale", "text", "min", "max", "reverse_scored"],
    "responses": ["participant_id", "instrument_id", "item_id", "wave", "rater", "rater_id", "value",
                  "response_date"],
    "segments": ["segment_id", "source_id", "source_type", "participant_id", "wave", "text"],
    "codes": ["code_id", "label", "parent_id", "description"],
    "codings": ["segment_id", "code_id", "coder_id"],
    "projects": ["project_id", "programme_id", "lead_participant_id", "title", "area", "kpi", "unit",
                 "better", "start_date", "status", "target", "comparison"],
    "kpi_values": ["project_id", "period", "value", "comparison"],
    "ties": ["wave", "from_id", "to_id", "tie_type"],
    "careers": ["participant_id", "event_date", "event", "role"],
    "applicants": ["applicant_id", "programme_id", "cohort_id", "outcome", "participant_id",
                   "organisation", "profession", "ethnicity", "sex", "disability"],
    "applicant_careers": ["applicant_id", "event_date", "event", "role"],
    "applicant_responses": ["applicant_id", "instrument_id", "item_id", "wave", "rater", "rater_id",
                            "value", "response_date"],
}
# None: keep the order given (responses are sorted on integer codes; the codebook reads theme
# then its codes).
SORT_KEYS: dict[str, list[str] | None] = {
    "programmes": ["programme_id"], "cohorts": ["cohort_id"], "participants": ["participant_id"],
    "attendance": ["participant_id", "session_date"], "items": ["instrument_id", "item_id"],
    "responses": None, "segments": ["segment_id"], "codes": None,
    "codings": ["segment_id", "coder_id", "code_id"], "projects": ["project_id"],
    "kpi_values": ["project_id", "period"], "ties": ["wave", "from_id", "to_id"],
    "careers": ["participant_id", "event_date", "event"],
    "applicants": ["applicant_id"], "applicant_careers": ["applicant_id", "event_date", "event"],
    "applicant_responses": ["applicant_id", "wave", "rater", "item_id"],
}
EXTENSIONS = (".csv", ".xlsx", ".parquet")


def _prepare(name: str, df: pd.DataFrame) -> pd.DataFrame:
    df = df[COLUMNS[name]]
    keys = SORT_KEYS[name]
    if keys:
        df = df.sort_values(keys, kind="stable")
    return df.reset_index(drop=True)


def _iso_dates(col: pd.Series) -> pd.Categorical:
    """ISO date text for a datetime column, formatting each distinct date once."""
    days = col.to_numpy().astype("datetime64[D]")
    missing = np.isnat(days)
    uniq, code = np.unique(days[~missing], return_inverse=True)
    codes = np.full(len(days), -1)
    codes[~missing] = code.ravel()
    return pd.Categorical.from_codes(codes, np.datetime_as_string(uniq))


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = _iso_dates(df[col])
        elif pd.api.types.is_bool_dtype(df[col]):
            df[col] = np.where(df[col].to_numpy(), "true", "false")
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.10g", encoding="utf-8")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for col in df.columns:
        if col.endswith("date") and isinstance(df[col].dtype, pd.CategoricalDtype):
            cats = pd.to_datetime(df[col].cat.categories)
            df[col] = cats.take(df[col].cat.codes.to_numpy(), allow_fill=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = [pa.field(f.name, pa.date32()) if pa.types.is_timestamp(f.type) else f
              for f in table.schema]
    table = table.cast(pa.schema(fields)).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


class _NoAliasDumper(yaml.SafeDumper):
    """Write repeated values (the Likert labels) out in full instead of as YAML anchors."""

    def ignore_aliases(self, data):  # noqa: D102
        return True


def write_dataset(out_dir: Path, tables: dict[str, pd.DataFrame], meta: dict) -> list[Path]:
    """Write ``dataset.yaml`` and one file per table into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        for ext in EXTENSIONS:                        # never leave a stale copy of a table behind
            (out_dir / f"{name}{ext}").unlink(missing_ok=True)
        df = _prepare(name, df)
        if len(df) > PARQUET_ROWS:
            path = out_dir / f"{name}.parquet"
            _write_parquet(df, path)
        else:
            path = out_dir / f"{name}.csv"
            _write_csv(df, path)
        written.append(path)
    path = out_dir / "dataset.yaml"
    text = yaml.dump(meta, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8", newline="\n")
    return [path, *written]
