"""The audit's quote_descriptor finding: a quote attributed by descriptors that fewer than the
threshold people of the report's scope share ("Lead Nurse" where the programme has one), in the
quotes table or as a row of the framework matrix. Pages built to fail are caught and refused by
the publish gate; attributions shared by enough people pass."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import load_dataset
from helpers.report import audit
from helpers.report.display import table_html
from helpers.runner.gate import AuditGate

PAGE = "barts_kf_scl/all/30_qualitative_themes.html"


@pytest.fixture(scope="module")
def sample(sample_dataset_path):
    return load_dataset(sample_dataset_path)


def _quotes(*who):
    t = pd.DataFrame({"Theme": ["Restorative space"] * len(who),
                      "Quote": ["We had time to think."] * len(who), "Attributed to": list(who)})
    return f"<html><body>{table_html(t, 'Exemplar quotes (up to 3 per theme)')}</body></html>"


def _found(sample, markup, output=PAGE):
    return audit.quote_findings(markup, audit.scope_people(sample, output),
                                int(sample.suppress_below), output)


@pytest.mark.parametrize("who", ["Lead Nurse",                      # one in the programme
                                 "Consultant, cohort barts_c01",    # one in that cohort
                                 "Participant (AHP), cohort barts_c01"])
def test_a_quote_attributed_to_fewer_than_five_people_fails_the_audit(sample, who):
    found = _found(sample, _quotes("Participant, cohort barts_c02", who))
    assert [f.kind for f in found] == ["quote_descriptor"] and repr(who) in found[0].detail


def test_a_framework_matrix_row_naming_a_small_group_fails_the_audit(sample):
    t = pd.DataFrame({"Group": ["Participant (medical), cohort barts_c03", "Lead Nurse"],
                      "Restorative space": ["One view.", "Another view."]})
    page = f"<html><body>{table_html(t, 'Framework matrix: themes by group')}</body></html>"
    found = _found(sample, page)
    assert len(found) == 1 and "'Lead Nurse' matches 1" in found[0].detail


def test_attributions_shared_by_enough_people_and_labels_naming_no_one_pass(sample):
    page = _quotes("Participant", "Participant (medical), cohort barts_c04",
                   "Participant, cohort barts_c02", "Focus group")
    assert _found(sample, page) == []


def test_the_scope_is_the_reports_programme_or_cohort(sample):
    # every Barts participant is "Participant" in the programme report; in a cohort report
    # only that cohort's people are counted
    assert len(audit.scope_people(sample, PAGE)) == 220
    assert len(audit.scope_people(sample, "barts_kf_scl/barts_c01/r.html")) == 18
    found = _found(sample, _quotes("Participant (medical)"), "barts_kf_scl/barts_c01/r.html")
    assert found == []


def test_the_gate_refuses_a_page_quoting_a_unique_role(sample, tmp_path):
    gate = AuditGate(tmp_path, sample)
    reason = gate.check(PAGE, _quotes("Lead Nurse"))
    assert reason and reason.startswith("not published") and "quote_descriptor" in reason
    assert gate.check(PAGE, _quotes("Participant (medical), cohort barts_c04")) is None
