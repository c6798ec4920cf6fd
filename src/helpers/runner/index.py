"""``reports/manifest.json`` and ``reports/index.html``, both derived from the same records.

manifest.json follows DESIGN.md exactly: ``{"generated_at", "jobs": [{"notebook", "parameters",
"output", "status", "input_hash", "seconds", "error"}]}`` with ``output`` relative to the reports
folder and ``status`` one of ok, stale, failed.

index.html lists every report grouped by programme and cohort with its status, generation time,
duration and a link; it has no script, inline CSS only, and escapes every string. At national
scale (a programme family with hundreds of cohorts, 11,000+ reports) a flat list cannot be read,
so the page opens with a contents list of programmes and, above :data:`COLLAPSE_ABOVE` cohorts,
folds each cohort's reports into a ``<details>`` element whose summary line gives its status;
a cohort with a stale or failed report stays open.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Iterable
from urllib.parse import quote

MANIFEST_KEYS = ("notebook", "parameters", "output", "status", "input_hash", "seconds", "error")
STATUS_TEXT = {"ok": "Published", "stale": "Stale: last run failed, previous report shown",
               "failed": "Failed: no report", "not_applicable": "Not applicable"}


def manifest_document(records: Iterable[dict], generated_at: str) -> dict:
    """The manifest.json document for these records (DESIGN.md keys; a ``not_applicable`` job
    adds its ``reason``)."""
    jobs = []
    for rec in records:
        job = {k: rec.get(k) for k in MANIFEST_KEYS}
        if rec.get("status") == "not_applicable":
            job["reason"] = rec.get("reason")
        jobs.append(job)
    return {"generated_at": generated_at, "jobs": jobs}


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _duration(seconds) -> str:
    if seconds is None:
        return ""
    seconds = float(seconds)
    return f"{seconds:.1f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


EVALUATION_NOTEBOOK = "90_evaluation_report"
#: A programme with more cohorts than this folds each cohort's list (HTML ``<details>``).
COLLAPSE_ABOVE = 10


def _is_evaluation(rec: dict) -> bool:
    return rec["output"].rsplit("/", 1)[-1].removesuffix(".html") == EVALUATION_NOTEBOOK


def _order(rec: dict) -> tuple:
    """The evaluation report leads each list; the detailed reports follow in notebook order."""
    return (not _is_evaluation(rec), rec["output"])


_CSS = """
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#231f20}
header,main{max-width:62rem;margin:0 auto;padding:0 1rem}
header{border-bottom:4px solid #005eb8;padding-top:1rem}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}h2{font-size:1.3rem;margin-top:2rem}h3{font-size:1.05rem}
.summary{color:#425563}
ul.jobs{list-style:none;padding:0;margin:0}
ul.jobs li{border-bottom:1px solid #d8dde0;padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
.title{flex:1 1 16rem;font-weight:600}.meta{color:#425563;font-size:.9rem}
.status{font-size:.85rem;padding:0 .4rem;border-radius:.2rem;white-space:nowrap}
.ok{background:#e3f1e6;color:#00401e}.stale{background:#fff4d6;color:#5c4500}.failed{background:#fbe3e3;color:#8a1538}.not_applicable{background:#f0f4f5;color:#425563}
.lead{background:#f0f4f5;border-left:4px solid #005eb8;padding:.6rem 1rem;margin:1rem 0}
.lead ul{margin:.3rem 0;padding-left:1.2rem}
.error{flex-basis:100%;font-size:.9rem;color:#8a1538;overflow-wrap:anywhere}
nav.contents ul{padding-left:1.2rem}nav.contents li{margin:.2rem 0}
details{border-bottom:1px solid #d8dde0}details>ul.jobs{margin-left:1rem}
summary{cursor:pointer;padding:.4rem 0}summary .meta{margin-left:.6rem}
a{color:#005eb8}
@media print{header{border-bottom-width:2px}}
"""


def _status_summary(records: list[dict]) -> str:
    """'6 published' or '4 published, 1 stale, 1 failed' for a group of records."""
    n = len(records)
    counts = {s: sum(1 for r in records if (r.get("status") or "failed") == s)
              for s in ("ok", "stale", "failed")}
    if counts["ok"] == n:
        return "all published" if n > 1 else "published"
    parts = [f"{counts['ok']} published"] if counts["ok"] else []
    parts += [f"{counts[s]} {s}" for s in ("stale", "failed") if counts[s]]
    return ", ".join(parts)


def _job_item(rec: dict) -> str:
    """One report's line: link (when there is a report), status, when and how long."""
    status = rec.get("status") or "failed"
    title = rec.get("title") or rec["output"].rsplit("/", 1)[-1]
    link = (f'<a href="{_e(quote(rec["output"]))}">{_e(title)}</a>'
            if status in ("ok", "stale") else _e(title))
    meta = []
    if rec.get("generated_at"):
        meta.append(f"generated {_e(rec['generated_at'])}")
    if rec.get("seconds") is not None:
        meta.append(f"took {_e(_duration(rec['seconds']))}")
    item = (f'<li><span class="title">{link}</span>'
            f'<span class="status {_e(status)}">{_e(STATUS_TEXT.get(status, status))}</span>'
            f'<span class="meta">{" · ".join(meta)}</span>')
    if rec.get("error"):
        item += f'<span class="error">{_e(rec["error"])}</span>'
    if status == "not_applicable" and rec.get("reason"):
        item += f'<span class="meta">{_e(rec["reason"])}</span>'
    return item + "</li>"


def index_html(records: Iterable[dict], generated_at: str) -> str:
    """The reports index page.

    Parameters
    ----------
    records : iterable of dict
        Records with at least the manifest keys; ``programme_id``, ``cohort_id``, ``title``,
        ``programme_name`` and ``generated_at`` are used when present.
    generated_at : str
        When the index was written (ISO 8601, UTC).
    """
    records = list(records)
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for rec in records:
        prog = rec.get("programme_id") or rec["output"].split("/")[0]
        cohort = rec.get("cohort_id") or "all"
        groups[prog][cohort].append(rec)
        names.setdefault(prog, rec.get("programme_name") or prog)
    counts = {s: sum(1 for r in records if r.get("status") == s) for s in ("ok", "stale", "failed")}
    out = ['<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">",
           f"<title>Evaluation reports</title><style>{_CSS}</style></head><body>",
           "<header><h1>Evaluation reports</h1>",
           f'<p class="summary">{counts["ok"]:,} published, {counts["stale"]:,} stale, '
           f'{counts["failed"]:,} failed. Index written {_e(generated_at)}.</p></header><main>']
    # Readers come for the headline: each programme's evaluation report is listed first.
    leads = [(prog, rec) for prog in sorted(groups) for rec in groups[prog].get("all", [])
             if _is_evaluation(rec)]
    if leads:
        out.append('<section class="lead"><h2>Programme evaluation reports</h2><ul>')
        for prog, rec in leads:
            status = rec.get("status") or "failed"
            name = _e(names[prog])
            item = (f'<a href="{_e(quote(rec["output"]))}">{name}</a>'
                    if status in ("ok", "stale") else f"{name} (failed: no report)")
            if status == "stale":
                item += " (stale: last run failed, previous report shown)"
            out.append(f"<li>{item}</li>")
        out.append("</ul></section>")
    anchors = {prog: f"programme-{i}" for i, prog in enumerate(sorted(groups), start=1)}
    if len(groups) > 1:
        out.append('<nav class="contents"><h2>Programmes</h2><ul>')
        for prog in sorted(groups):
            recs = [r for c in groups[prog].values() for r in c]
            n_cohorts = sum(1 for c in groups[prog] if c != "all")
            meta = f"{len(recs):,} report{'s' if len(recs) != 1 else ''}"
            if n_cohorts:
                meta += f", {n_cohorts:,} cohort{'s' if n_cohorts != 1 else ''}"
            meta += "; " + _status_summary(recs)
            out.append(f'<li><a href="#{anchors[prog]}">{_e(names[prog])}</a> '
                       f'<span class="meta">{_e(meta)}</span></li>')
        out.append("</ul></nav>")
    for prog in sorted(groups):
        out.append(f'<section id="{anchors[prog]}"><h2>{_e(names[prog])}</h2>')
        cohorts = sorted(groups[prog], key=lambda c: (c != "all", c))
        fold = sum(1 for c in cohorts if c != "all") > COLLAPSE_ABOVE
        for cohort in cohorts:
            recs = sorted(groups[prog][cohort], key=_order)
            label = "All cohorts" if cohort == "all" else f"Cohort {cohort}"
            if fold and cohort != "all":
                opened = " open" if any(r.get("status") != "ok" for r in recs) else ""
                out.append(f'<details{opened}><summary>{_e(label)}<span class="meta">'
                           f'{_e(_status_summary(recs))}</span></summary><ul class="jobs">')
            else:
                out.append(f"<h3>{_e(label)}</h3><ul class=\"jobs\">")
            out.extend(_job_item(rec) for rec in recs)
            out.append("</ul></details>" if fold and cohort != "all" else "</ul>")
        out.append("</section>")
    out.append("</main></body></html>\n")
    return "\n".join(out)
