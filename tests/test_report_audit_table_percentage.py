"""The audit's table_percentage_disclosure finding: a percentage cell of a table whose count,
out of a base the same table (or the page) shows, is below the threshold. Tables built to leak
are caught, and the publish gate refuses them; tables that do not leak pass."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.data import load_dataset
from helpers.report import audit
from helpers.report.disclosure import suppress_table
from helpers.report.display import table_html
from helpers.runner.gate import AuditGate
from runner_helpers import FIXTURES

KIND = "table_percentage_disclosure"


def _table(caption, rows, head):
    return table_html(pd.DataFrame(rows, columns=list(head)), caption)


def _page(*tables):
    return "<html><body>" + "".join(tables) + "</body></html>"


def found(markup, threshold=5):
    return [f for f in audit.page_findings(markup, [], threshold, "p/all/r.html") if f.kind == KIND]


# --------------------------------------------------------------------------- built to leak

def test_a_share_beside_a_hidden_count_with_a_total_row_fails_the_audit():
    # 1.8% of the 220 in the total row can only be 4
    page = _page(_table("Participants by trust", [["A", "216", "98.2%"], ["B", "<5", "1.8%"],
                                                  ["Total", "220", "100%"]],
                        ("Trust", "Participants", "Share")))
    hits = found(page)
    assert len(hits) == 1
    assert "row 'B'" in hits[0].detail and "'1.8%' of 220" in hits[0].detail
    assert "count of 4" in hits[0].detail and hits[0].location.startswith("p/all/r.html:")


def test_a_share_of_its_own_rows_small_base_fails_the_audit():
    # 50% of 6 answers is 3 people agreeing
    page = _page(_table("Reaction survey", [["Satisfied", "6", "4.1", "50%"],
                                            ["Relevant", "120", "4.0", "80.0%"]],
                        ("Question", "Answers", "Mean", "Agree or strongly agree")))
    hits = found(page)
    assert [h.detail.split(":")[0] for h in hits] == ["table 1 (Reaction survey), row 'Satisfied', "
                                                      "'Agree or strongly agree'"]
    assert "'50%' of 6 gives back a count of 3" in hits[0].detail


def test_a_percentage_beside_a_hidden_count_in_one_cell_fails_the_audit():
    page = _page(_table("Leavers", [["A", "150 (68.2%)"], ["B", "<5 (1.4%)"], ["Total", "220"]],
                        ("Trust", "Participants")))
    hits = found(page)
    assert len(hits) == 1 and "'<5 (1.4%)' of 220" in hits[0].detail
    assert "count of 3" in hits[0].detail


def test_a_share_of_the_page_total_given_by_another_breakdown_fails_the_audit():
    # No total row, but the profession breakdown gives the page's 40 people: 5.0% of 40 is 2
    page = _page(_table("Participants by profession", [["medical", "30"], ["nursing", "10"]],
                        ("Profession", "Participants")),
                 _table("Participants by trust", [["A", "[c]", "95.0%"], ["B", "<5", "5.0%"]],
                        ("Trust", "Participants", "Share")))
    hits = found(page)  # the [c] is 38 (95.0%), not small: only B is a finding
    assert len(hits) == 1 and "row 'B'" in hits[0].detail
    assert "'5.0%' of 40 gives back a count of 2" in hits[0].detail


def test_a_share_of_the_total_the_shown_rows_give_fails_the_audit():
    # No total row: 13 is 13.0% and 10 is 10.0%, so the column is shares of 100, and the
    # hidden row's 3.0% is 3 people
    rows = [["Lead", "13", "13.0%"], ["Director", "10", "10.0%"], ["Matron", "<5", "3.0%"],
            ["Other", "74", "74.0%"]]
    hits = found(_page(_table("Participants by role", rows, ("Role", "Participants", "Share"))))
    assert len(hits) == 1 and "row 'Matron'" in hits[0].detail
    assert "'3.0%' of 100 gives back a count of 3" in hits[0].detail


def test_a_count_and_its_share_of_the_total_are_not_read_as_share_of_the_count():
    # 10.0% beside 10 is 10 of 100, not 1 of 10
    rows = [["Lead", "13", "13.0%"], ["Director", "10", "10.0%"], ["Other", "77", "77.0%"]]
    assert found(_page(_table("Participants by role", rows,
                              ("Role", "Participants", "Share")))) == []
    # the respondents beside the eligible: 7 of 49 is 14.3%, not 14.3% of 7
    rows = [["hlm360", "7", "49", "14.3%"], ["pulse", "180", "200", "90.0%"]]
    assert found(_page(_table("Response rates", rows,
                              ("Instrument", "Respondents", "Eligible", "Rate")))) == []


def test_a_rounded_percentage_fails_only_when_every_count_it_allows_is_small():
    # 1.5% shown with one decimal is 1.45% to 1.55% of 200: 2.9 to 3.1, so 3
    def page(share):
        return _page(_table("T", [["A", "<5", share], ["Total", "200", "100%"]],
                            ("Trust", "Participants", "Share")))
    assert found(page("1.5%"))
    # 2% shown whole is 1.5% to 2.5% of 220: 3.3 to 5.5, so 4 or 5: 5 is not small
    assert not found(_page(_table("T", [["A", "<5", "2%"], ["Total", "220", "100%"]],
                                  ("Trust", "Participants", "Share"))))
    # 2% of 200 is 3 to 4 (the upper end 5 belongs to 2.5%, shown as 3%): every count is small
    assert found(page("2%"))


def test_the_gate_refuses_a_report_leaking_by_percentage_and_publishes_the_safe_one(tmp_path):
    gate = AuditGate(tmp_path, load_dataset(FIXTURES / "dataset"))
    head = ("Trust", "Participants", "No answer at the end", "Share")
    leaky = _page(_table("Attrition by trust", [["A", "10", "<5", "30.0%"],
                                                ["B", "40", "12", "30.0%"]], head))
    reason = gate.check("kf_scl/all/r.html", leaky)
    assert reason and reason.startswith("not published") and KIND in reason
    assert "'30.0%' of 10 gives back a count of 3" in reason
    safe = _page(_table("Attrition by trust", [["A", "10", "<5", "–"], ["B", "40", "12", "30.0%"]],
                        head))
    assert gate.check("kf_scl/all/r.html", safe) is None


# --------------------------------------------------------------------------- must pass

def test_a_share_withheld_beside_a_suppressed_count_passes_the_audit():
    t = pd.DataFrame({"trust": ["Barts", "Homerton", "Total"], "n": [17, 3, 20],
                      "share": [0.85, 0.15, 1.0]})
    shown = suppress_table(t, ["n"], 5, pct_cols={"share": "n"}, total_rows=[False, False, True])
    page = _page(table_html(shown.rename(columns={"n": "Participants", "share": "Share"}),
                            "Participants by trust"))
    assert "–" in page and found(page) == []


def test_a_percentage_of_a_suppressed_base_passes_the_audit():
    # the base is hidden, so the share cannot be turned into a count
    page = _page(_table("Reaction", [["Satisfied", "<5", "50%"], ["Relevant", "[c]", "40%"]],
                        ("Question", "Answers", "Agree")))
    assert found(page) == []


@pytest.mark.parametrize("rows", [
    [["A", "150", "68.2%"], ["B", "70", "31.8%"], ["Total", "220", "100%"]],   # large counts
    [["A", "12", "0%"], ["B", "8", "100%"]],            # none, or all, of the base
    [["A", "18", "27.8%"], ["B", "24", "62.5%"]],       # 5 of 18 and 15 of 24
    [["A", "5", "27.8%"]],                              # no whole count of 5 is 27.8%
])
def test_percentages_giving_no_small_count_pass_the_audit(rows):
    assert found(_page(_table("T", rows, ("Group", "Participants", "Share")))) == []


def test_a_count_beside_its_own_percentage_is_not_taken_as_its_base():
    # "12 (8.0%)": 8% of 12 would be 1, but 12 is the part, the base is elsewhere
    page = _page(_table("T", [["A", "12 (8.0%)"], ["B", "138 (92.0%)"]], ("Group", "Participants")))
    assert found(page) == []


def test_ranges_and_estimates_with_intervals_are_not_read_as_percentages():
    page = _page(_table("Moves", [["12 months", "10", "12% to 22%", "16% (12% to 22%)"]],
                        ("Within", "Followed up", "95% CI", "Cumulative share (95% CI)")))
    assert found(page) == []


def test_table_percentage_disclosure_is_an_audit_kind():
    assert KIND in audit.AUDIT_KINDS and KIND in audit.PAGE_KINDS
