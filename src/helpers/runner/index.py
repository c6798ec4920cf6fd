"""``reports/manifest.json`` and ``reports/index.html``, both derived from the same records.

manifest.json follows DESIGN.md exactly: ``{"generated_at", "jobs": [{"notebook", "parameters",
"output", "status", "input_hash", "seconds", "error"}]}`` with ``output`` relative to the reports
folder and ``status`` one of ok, stale, failed.

index.html lists every report grouped by programme and cohort with its status and a link (when
and how long each took stay in the manifest); it has no script, inline CSS only, and escapes
every string. It opens with each programme's evaluation report, named with its provider; each
programme's section then reads in about one screen: its evaluation report, the detailed
programme-level reports, and its cohorts' reports folded into one ``<details>`` element (open
when something there is stale or failed). Above :data:`COLLAPSE_ABOVE` cohorts each cohort is
folded too, so national scale (hundreds of cohorts, 11,000+ reports) stays readable.
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
.lead ul{margin:.3rem 0;padding-left:1.2rem}.lead li{margin:.3rem 0}
.provider{color:#425563;margin:.2rem 0 .6rem}.evaluation{font-size:1.1rem;font-weight:600}
h4{font-size:1rem;margin:.8rem 0 .2rem}
.error{flex-basis:100%;font-size:.9rem;color:#8a1538;overflow-wrap:anywhere}
nav.contents ul{padding-left:1.2rem}nav.contents li{margin:.2rem 0}
details{border-bottom:1px solid #d8dde0}details>ul.jobs{margin-left:1rem}
summary{cursor:pointer;padding:.4rem 0}summary .meta{margin-left:.6rem}
a{color:#005eb8}
@media print{header{border-bottom-width:2px}}
"""


def _status_summary(records: list[dict]) -> str:
    """'6 published' or '4 published, 1 not applicable, 1 failed' for a group of records."""
    n = len(records)
    counts = {s: sum(1 for r in records if (r.get("status") or "failed") == s) for s in STATUS_ORDER}
    if counts["ok"] == n:
        return "all published" if n > 1 else "published"
    parts = [f"{counts['ok']} published"] if counts["ok"] else []
    parts += [f"{counts[s]} {STATUS_WORDS[s]}" for s in STATUS_ORDER[1:] if counts[s]]
    return ", ".join(parts)


STATUS_ORDER = ("ok", "not_applicable", "stale", "failed")
STATUS_WORDS = {"ok": "published", "not_applicable": "not applicable", "stale": "stale",
                "failed": "failed"}


def _job_item(rec: dict) -> str:
    """One report's line: link (when there is a report), status, and why it failed or does not
    apply."""
    status = rec.get("status") or "failed"
    title = rec.get("title") or rec["output"].rsplit("/", 1)[-1]
    link = (f'<a href="{_e(quote(rec["output"]))}">{_e(title)}</a>'
            if status in ("ok", "stale") else _e(title))
    item = (f'<li><span class="title">{link}</span>'
            f'<span class="status {_e(status)}">{_e(STATUS_TEXT.get(status, status))}</span>')
    if rec.get("error"):
        item += f'<span class="error">{_e(rec["error"])}</span>'
    if status == "not_applicable" and rec.get("reason"):
        item += f'<span class="meta">{_e(rec["reason"])}</span>'
    return item + "</li>"


def _provider_line(rec: dict) -> str:
    """'The King's Fund, for Barts Health NHS Trust' from a record's programme fields."""
    provider, host = rec.get("provider") or "", rec.get("host_organisation") or ""
    if provider and host and provider != host:
        return f"{provider}, for {host}"
    return provider or host


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _evaluation_link(rec: dict, label: str) -> str:
    status = rec.get("status") or "failed"
    if status in ("ok", "stale"):
        item = f'<a href="{_e(quote(rec["output"]))}">{_e(label)}</a>'
        return item + (" (stale: last run failed, previous report shown)" if status == "stale" else "")
    return f"{_e(label)} ({_e(STATUS_TEXT.get(status, status).lower())})"


def index_html(records: Iterable[dict], generated_at: str) -> str:
    """The reports index page.

    Parameters
    ----------
    records : iterable of dict
        Records with at least the manifest keys; ``programme_id``, ``cohort_id``, ``title``,
        ``programme_name``, ``provider``, ``host_organisation`` and ``single_cohort`` (the
        only cohort of a one-cohort programme, whose reports are the programme's) are used
        when present.
    generated_at : str
        When the index was written (ISO 8601, UTC).
    """
    records = list(records)
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    first: dict[str, dict] = {}
    for rec in records:
        prog = rec.get("programme_id") or rec["output"].split("/")[0]
        groups[prog][rec.get("cohort_id") or "all"].append(rec)
        first.setdefault(prog, rec)
        if not first[prog].get("provider") and rec.get("provider"):
            first[prog] = rec
    names = {prog: first[prog].get("programme_name") or prog for prog in groups}
    counts = {s: sum(1 for r in records if (r.get("status") or "failed") == s) for s in STATUS_ORDER}
    summary = ", ".join(f"{counts[s]:,} {STATUS_WORDS[s]}" for s in STATUS_ORDER)
    out = ['<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">",
           f"<title>Evaluation reports</title><style>{_CSS}</style></head><body>",
           "<header><h1>Evaluation reports</h1>",
           f'<p class="summary">{summary}. Index written {_e(generated_at)}.</p></header><main>']
    programmes = sorted(groups)
    anchors = {prog: f"programme-{i}" for i, prog in enumerate(programmes, start=1)}
    # Readers come for the headline: each programme's evaluation report is listed first.
    out.append('<section class="lead"><h2>Programme evaluation reports</h2><ul>')
    for prog in programmes:
        lead = next((r for r in groups[prog].get("all", []) if _is_evaluation(r)), None)
        item = _evaluation_link(lead, names[prog]) if lead else _e(names[prog])
        recs = [r for c in groups[prog].values() for r in c]
        meta = [_provider_line(first[prog])] if _provider_line(first[prog]) else []
        meta.append(f"{_plural(len(recs), 'report')}; {_status_summary(recs)}")
        out.append(f'<li>{item} <span class="meta">{_e(" · ".join(meta))}</span> '
                   f'<a href="#{anchors[prog]}" class="meta">all its reports</a></li>')
    out.append("</ul></section>")
    for prog in programmes:
        out.append(_programme_section(prog, groups[prog], names[prog], first[prog], anchors[prog]))
    out.append("</main></body></html>\n")
    return "\n".join(out)


def _programme_section(prog: str, cohorts: dict[str, list[dict]], name: str, info: dict,
                       anchor: str) -> str:
    """One programme: provider, evaluation report, detailed reports, then its cohorts folded."""
    out = [f'<section id="{anchor}"><h2>{_e(name)}</h2>']
    if _provider_line(info):
        out.append(f'<p class="provider">{_e(_provider_line(info))}</p>')
    programme_level = sorted(cohorts.get("all", []), key=_order)
    evaluation = [r for r in programme_level if _is_evaluation(r)]
    for rec in evaluation:
        out.append(f'<p class="evaluation">{_evaluation_link(rec, "Evaluation report")}</p>')
    details = [r for r in programme_level if not _is_evaluation(r)]
    if details:
        out.append('<h3>Detailed reports, all cohorts</h3><ul class="jobs">')
        out.extend(_job_item(rec) for rec in details)
        out.append("</ul>")
    if info.get("single_cohort"):
        out.append(f'<p class="meta">This programme has one cohort, {_e(info["single_cohort"])}: '
                   "its reports are the programme's reports above.</p>")
    names = sorted(c for c in cohorts if c != "all")
    if names:
        recs = [r for c in names for r in cohorts[c]]
        opened = " open" if any(r.get("status") in ("stale", "failed") for r in recs) else ""
        out.append(f"<details{opened}><summary>Reports for each cohort<span class=\"meta\">"
                   f"{_e(_plural(len(names), 'cohort'))}; {_e(_status_summary(recs))}</span>"
                   "</summary>")
        fold = len(names) > COLLAPSE_ABOVE
        for cohort in names:
            recs = sorted(cohorts[cohort], key=_order)
            label = f"Cohort {cohort}"
            if fold:
                inner = " open" if any(r.get("status") in ("stale", "failed") for r in recs) else ""
                out.append(f'<details{inner}><summary>{_e(label)}<span class="meta">'
                           f'{_e(_status_summary(recs))}</span></summary><ul class="jobs">')
            else:
                out.append(f'<h4>{_e(label)}</h4><ul class="jobs">')
            out.extend(_job_item(rec) for rec in recs)
            out.append("</ul></details>" if fold else "</ul>")
        out.append("</details>")
    out.append("</section>")
    return "\n".join(out)
