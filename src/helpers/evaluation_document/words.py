"""Words shared by the evaluation document: how counts, waves, raters and strands are said."""

from __future__ import annotations

from helpers.report.fmt import fmt_int, plural


PROFESSION_PLURAL = {"medical": "doctors", "nursing": "nurses",
                     "ahp": "allied health professionals", "manager": "managers"}
WAVE_WORDS = {"baseline": "start of the programme", "post": "end of the programme",
              "follow_up": "follow-up", "retrospective_pre": "retrospective start"}
RATER_WORDS = {"self": "self-ratings", "manager": "managers' ratings", "peer": "peers' ratings",
               "direct_report": "direct reports' ratings"}
#: Kirkpatrick level (or part of the report) of each strand, for the question index.
STRAND_TITLES = {
    "reach": "Reach (level 1)", "reaction": "Reaction (level 1)", "learning": "Learning (level 2)",
    "behaviour": "Behaviour (level 3)", "results": "Results (level 4): improvement projects",
    "networks": "Networks", "pipeline": "Leadership pipeline", "themes": "What participants said",
    "equality": "Equality of access and outcome", "comparison": "Comparison with applicants "
    "not admitted", "value": "Value for money", "benchmarking": "Benchmarking organisations"}
NO_DATA = {
    "reach": "No participants are recorded in this scope.",
    "reaction": "No reaction survey was answered in this scope.",
    "learning": "No self-ratings at the start and the end of the programme are recorded, so "
                "learning cannot be assessed.",
    "behaviour": "No colleagues' (360) ratings are recorded, so change in behaviour seen by "
                 "others cannot be assessed.",
    "results": "No improvement projects are recorded.",
    "networks": "No network survey is recorded.",
    "pipeline": "No career moves can be followed in this scope.",
    "themes": "No coded interviews or comments are recorded.",
    "equality": "No ethnicity, sex or disability is recorded, so equality of access and "
                "outcome cannot be examined.",
    "comparison": "No applicants table is recorded, so there is no comparison group.",
    "value": "dataset.yaml gives no costs for this scope, so no cost per outcome is reported.",
    "benchmarking": "Fewer than two organisations took part, so there is nothing to benchmark.",
}



def people_count(n: int, one: str, many: str | None, threshold: int) -> str:
    """:func:`plural`, or "fewer than 5 doctors" when ``n`` is a count that disclosure control
    hides (1 to ``threshold - 1``): a sentence must not give back what a table suppresses.

    Examples
    --------
    >>> [people_count(n, "participant", None, 5) for n in (0, 1, 4, 5)]
    ['no participants', 'fewer than 5 participants', 'fewer than 5 participants', '5 participants']
    """
    many = many or one + "s"
    if 0 < n < threshold:
        return f"fewer than {fmt_int(threshold)} {many}"
    return plural(n, one, many)


def join_words(words: list[str]) -> str:
    """"a", "a and b", "a, b and c".

    Examples
    --------
    >>> join_words(["x"]), join_words(["x", "y"]), join_words(["x", "y", "z"])
    ('x', 'x and y', 'x, y and z')
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
