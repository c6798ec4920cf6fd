"""The programme: provider, host, design, cohorts, demand and places."""

from __future__ import annotations

import pandas as pd

from helpers.evaluation_document.results import EvaluationDocument
from helpers.evaluation_document.words import join_words, plural
from helpers.report.disclosure import is_suppressed, suppress_count
from helpers.report.fmt import fmt_int


def programme_profile(rep) -> pd.DataFrame:
    """One row describing the programme in scope from the programmes, cohorts and applicants
    tables. ``applications`` counts rows of the applicants table when it has any for the scope,
    else the cohorts' ``applications`` column (missing when neither records them)."""
    d = rep.data
    p = rep.programme
    c = d.cohorts
    apps = getattr(d, "applicants", pd.DataFrame())
    if len(apps):
        applications = len(apps)
    elif "applications" in c and c["applications"].notna().any():
        applications = int(c["applications"].sum())
    else:
        applications = None
    places = int(c["places"].sum()) if "places" in c and c["places"].notna().any() else None
    modes = sorted(set(c["delivery_mode"].dropna().astype(str))) if "delivery_mode" in c else []
    row = {k: p.get(k) for k in ("programme_id", "name", "provider", "host_organisation",
                                 "level", "modules", "days")}
    row["programme_id"] = rep.programme_id
    row.update(cohorts=len(c), first_start=pd.to_datetime(c["start_date"]).min() if len(c) else pd.NaT,
               last_end=pd.to_datetime(c["end_date"]).max() if len(c) else pd.NaT,
               delivery_modes="; ".join(modes), places=places, applications=applications)
    return pd.DataFrame([row], columns=EvaluationDocument.COLUMNS["programme"])


def _int(x) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def programme_sentences(doc: EvaluationDocument) -> list[str]:
    """Provider, host, design (modules and days), cohorts and their dates, delivery."""
    r = doc.programme.iloc[0]
    name = str(r["name"] or r["programme_id"])
    who = f"delivered by {r['provider']}" if _text(r["provider"]) else ""
    if _text(r["host_organisation"]) and r["host_organisation"] != r["provider"]:
        who += (" for " if who else "hosted by ") + str(r["host_organisation"])
    out = [f"The programme, {name}, was {who}." if who else f"The programme is {name}."]
    modules, days = _int(r["modules"]), _int(r["days"])
    design = []
    if days:
        design.append(plural(days, "day") + " of development"
                      + (f" over {plural(modules, 'module')}" if modules else ""))
    elif modules:
        design.append(plural(modules, "module"))
    if _text(r["level"]):
        design.append(f"for {str(r['level'])[0].lower()}{str(r['level'])[1:]}")
    if design:
        out.append("It offered " + " ".join(design) + ".")
    k = int(r["cohorts"])
    if k:
        span = (f"from {r['first_start']:%B %Y} to {r['last_end']:%B %Y}"
                if pd.notna(r["first_start"]) and pd.notna(r["last_end"]) else "")
        cohort_words = "one cohort ran" if k == 1 else f"{k} cohorts ran"
        mode = f", delivered {r['delivery_modes']}" if r["delivery_modes"] and ";" not in r["delivery_modes"] \
            else (f", delivered as {join_words(r['delivery_modes'].split('; '))}" if r["delivery_modes"] else "")
        out.append(f"In this scope {cohort_words} {span}{mode}.".replace("  ", " ").replace(" .", "."))
    return out


def _text(x) -> bool:
    return isinstance(x, str) and x.strip() != ""


def demand_sentence(doc: EvaluationDocument) -> str | None:
    """Places against applications ("415 applications for 233 places: 1.8 per place"), with
    the applicants' outcomes when the applicants table records them."""
    r = doc.programme.iloc[0]
    t = doc.threshold
    places, apps = _int(r["places"]), _int(r["applications"])
    if not places or apps is None:
        return None
    text = (f"Demand: {suppress_count(apps, t)} applications for {fmt_int(places)} places "
            f"({apps / places:.1f} per place)" if not is_suppressed(apps, t) else
            f"Demand: {suppress_count(apps, t)} applications for {fmt_int(places)} places")
    applicants = getattr(doc.rep.data, "applicants", pd.DataFrame())
    if len(applicants) and "outcome" in applicants:
        counts = applicants["outcome"].astype(str).value_counts()
        words = {"admitted": "admitted", "waitlisted": "wait-listed", "not_admitted": "not admitted",
                 "withdrew": "withdrew"}
        parts = [f"{suppress_count(int(counts[k]), t)} {w}" for k, w in words.items() if k in counts]
        # the parts add up to the applications shown: one hidden part would be given away
        if parts and not any(is_suppressed(int(n), t) for n in counts):
            text += "; " + join_words(parts)
    return text + "."


def aims(doc: EvaluationDocument) -> list[str]:
    return list(doc.design.get("aims") or [])
