"""Hostile content for the end-to-end tests: strings that try to become markup in a report.

(Hostile *input files*, made to hurt the loader rather than the report, are in ``inputs/``,
built by ``make_inputs.py`` and tested in ``tests/test_data_hostile.py``.)

Every string starts with a unique marker (``HX01`` ...) so a test can find where it landed.
The kinds follow the published ways of injecting into notebook HTML (nbconvert
CVE-2021-32862's sixteen routes, the OWASP XSS filter evasion cheat sheet) and the ways a
report can be made to fetch something (remote images, stylesheets, frames, refresh) or to
disclose a local file (nbconvert CVE-2026-39378).

:func:`make_hostile_dataset` copies a valid dataset and appends one of these strings to every
distinct value of every free-text field that can reach a report, so grouping by organisation,
role or theme is unchanged while each label carries markup.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Hostile:
    """A hostile string: ``marker`` (unique), what it tries (``kind``) and the ``text``."""

    marker: str
    kind: str
    text: str


HOSTILE: tuple[Hostile, ...] = (
    Hostile("HX01", "script element", "HX01 <script>alert('HX01')</script>"),
    Hostile("HX02", "event handler on a broken image", "HX02 <img src=x onerror=alert('HX02')>"),
    Hostile("HX03", "javascript: link", "HX03 <a href=\"javascript:alert('HX03')\">click</a>"),
    Hostile("HX04", "markdown image from a remote host", "HX04 ![HX04](http://hx04.invalid/pixel.png)"),
    Hostile("HX05", "Jupyter display maths with a link", "HX05 $$\\href{http://hx05.invalid}{HX05}$$"),
    Hostile("HX06", "raw remote image", "HX06 <img src=http://hx06.invalid/p.png>"),
    Hostile("HX07", "HTML entities", "HX07 &lt;b&gt;bold&lt;/b&gt; &amp; &#60;script&#62;"),
    Hostile("HX08", "svg onload", "HX08 <svg onload=alert('HX08')></svg>"),
    Hostile("HX09", "iframe to a remote host", "HX09 <iframe src=\"http://hx09.invalid/\"></iframe>"),
    Hostile("HX10", "style element importing a remote sheet",
            "HX10 <style>@import url(http://hx10.invalid/x.css)</style>"),
    Hostile("HX11", "attribute breakout", "HX11 \"'><script>alert('HX11')</script>"),
    Hostile("HX12", "markdown javascript link", "HX12 [click](javascript:alert('HX12'))"),
    Hostile("HX13", "local files", "HX13 <img src=\"file:///etc/passwd\"> ![HX13](../../secret.png)"),
    Hostile("HX14", "template expression", "HX14 {{ 7*7 }} {{ config }}"),
    Hostile("HX15", "meta refresh", "HX15 <meta http-equiv=\"refresh\" content=\"0;url=http://hx15.invalid/\">"),
    Hostile("HX16", "javascript: hidden by an entity tab",
            "HX16 <a href=\"jav&#x09;ascript:alert('HX16')\">x</a>"),
    Hostile("HX17", "CSS background from a remote host",
            "HX17 <div style=\"background:url(//hx17.invalid/bg.png)\">x</div>"),
    Hostile("HX18", "details ontoggle", "HX18 <details open ontoggle=alert('HX18')>"),
    Hostile("HX19", "remote stylesheet link", "HX19 <link rel=stylesheet href=https://hx19.invalid/x.css>"),
    Hostile("HX20", "dollar signs and TeX (matplotlib mathtext)",
            "HX20 costs $5 and $\\frac{1}{0}$ \\url{http://hx20.invalid}"),
    Hostile("HX21", "markdown autolinks", "HX21 <http://hx21.invalid/> www.hx21.invalid"),
    Hostile("HX22", "right-to-left override", "HX22 \u202egnp.exe"),
)

#: Free-text columns that can reach a report, per table (ids, enums, dates and numbers excluded).
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "programmes": ("name", "provider", "host_organisation", "level"),
    "cohorts": ("delivery_mode",),
    "participants": ("organisation", "role", "speciality"),
    "items": ("text",),
    "segments": ("text",),
    "codes": ("label", "description"),
    "projects": ("title", "area", "kpi", "unit"),
    "careers": ("role",),
}


def _hostile_value(value: str, k: int) -> str:
    return f"{value} {HOSTILE[k % len(HOSTILE)].text}" if value else value


def _inject_table(path: Path, columns: tuple[str, ...], start: int, log: dict) -> int:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    k = start
    for col in columns:
        if col not in frame.columns:
            continue
        mapping = {}
        for value in dict.fromkeys(frame[col]):
            if value:
                mapping[value] = _hostile_value(value, k)
                log.setdefault(HOSTILE[k % len(HOSTILE)].marker, []).append(f"{path.stem}.{col}")
                k += 1
        frame[col] = [mapping.get(v, v) for v in frame[col]]
    frame.to_csv(path, index=False)
    return k


def _inject_meta(path: Path, start: int, log: dict) -> None:
    import yaml

    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    k = start

    def put(where: dict, key: str, label: str) -> None:
        nonlocal k
        if where.get(key):
            where[key] = _hostile_value(str(where[key]), k)
            log.setdefault(HOSTILE[k % len(HOSTILE)].marker, []).append(label)
            k += 1

    put(meta, "name", "dataset.yaml name")
    put(meta, "description", "dataset.yaml description")
    for inst in meta.get("instruments") or []:
        put(inst, "name", "dataset.yaml instrument name")
        for scale in inst.get("scales") or []:
            put(scale, "label", "dataset.yaml scale label")
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_hostile_dataset(source: Path, target: Path) -> dict[str, list[str]]:
    """Copy the dataset folder ``source`` to ``target`` and inject :data:`HOSTILE` strings.

    Each distinct value of each field in :data:`TEXT_FIELDS` (and the dataset, instrument and
    scale names in dataset.yaml) gets the next hostile string appended, cycling through the
    list with a different starting point per table so every string lands in several fields.

    Returns
    -------
    dict
        marker -> the fields (``table.column``) that received it.
    """
    source, target = Path(source), Path(target)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    log: dict[str, list[str]] = {}
    for i, (table, columns) in enumerate(TEXT_FIELDS.items()):
        path = target / f"{table}.csv"
        if path.is_file():
            _inject_table(path, columns, start=3 * i, log=log)
    _inject_meta(target / "dataset.yaml", start=5, log=log)
    return log
