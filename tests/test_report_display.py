"""Escaped display builders and number formatting (helpers.report.display, .fmt)."""

import numpy as np
import pandas as pd
import pytest

from helpers.report.display import callout_html, figure_html, link_html, sentences_html, table_html
from helpers.report.fmt import fmt_ci, fmt_int, fmt_num, fmt_p, fmt_pct, fmt_signed

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x">y</a>'


def test_table_escapes_every_cell_caption_and_header():
    df = pd.DataFrame({HOSTILE: [HOSTILE], "n": [1234]})
    out = table_html(df, caption=HOSTILE, units="people")
    assert "<script>" not in out and "<img" not in out and 'href="javascript' not in out
    assert "&lt;script&gt;" in out
    assert '<td class="num">1,234</td>' in out
    assert "(people)" in out


def test_table_formats_numbers_and_keeps_suppressed_strings():
    df = pd.DataFrame({"scale": ["A", "B"], "mean": [3.14159, 2.0], "n": ["<5", "12"]})
    out = table_html(df, caption="Means")
    assert "3.14" in out and "3.142" not in out
    assert "&lt;5" in out


def test_empty_table_says_no_data():
    assert "No data." in table_html(pd.DataFrame({"a": []}), caption="Empty")


def test_sentences_and_callout_escape():
    assert "&lt;b&gt;" in sentences_html(["<b>bold</b>", "two"])
    assert "<li>" in sentences_html(["one", "two"])
    assert "&lt;" in callout_html("<i>x</i>", "warning")


def test_figure_is_embedded_png_with_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    out = figure_html(fig, alt='Line rising "steadily"', caption="Caption")
    assert out.count("data:image/png;base64,") == 1
    assert 'alt="Line rising &quot;steadily&quot;"' in out
    assert "<figcaption>Caption</figcaption>" in out


@pytest.mark.parametrize("href", ["https://evil.example/x.html", "javascript:alert(1)", "/etc/passwd",
                                  "data:text/html,hi", "report.pdf"])
def test_links_only_relative_reports(href):
    with pytest.raises(ValueError):
        link_html("x", href)


def test_relative_link_allowed():
    assert link_html("Outcomes", "20_leadership_outcomes.html") == \
        '<a href="20_leadership_outcomes.html">Outcomes</a>'


def test_number_formats():
    assert fmt_int(1118) == "1,118"
    assert fmt_num(0.4249, 2) == "0.42"
    assert fmt_num(-0.001, 2) == "0.00"
    assert fmt_signed(0.42) == "+0.42" and fmt_signed(-0.1) == "−0.10" and fmt_signed(0) == "0.00"
    assert fmt_pct(0.497) == "49.7%"
    assert fmt_ci(0.31, 0.53) == "0.31 to 0.53"
    from helpers.report.fmt import fmt_sig

    assert [fmt_sig(x) for x in (0.000213, 0.123, 0.05, np.nan)] == ["0.00021", "0.12", "0.05", "–"]
    assert fmt_num(-1234.5, 1) == "−1,234.5" and fmt_ci(-39.04, 34.4, 1) == "−39.0 to 34.4"
    assert fmt_p(0.0004) == "p < 0.001" and fmt_p(0.0321) == "p = 0.032"
    assert fmt_int(float("nan")) == "–"


def test_theme_draws_data_text_literally():
    # A project title such as "$$\href{http://x}{y}$$" must not be parsed as mathtext.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.report.theme import apply_theme

    apply_theme()
    fig, ax = plt.subplots()
    ax.set_title(r"HX05 $$\href{http://x.invalid}{HX05}$$")  # mathtext would raise
    ax.set_xticks([0, 1], [r"$\alpha$", "plain"])
    out = figure_html(fig, alt="chart")
    assert "data:image/png;base64," in out


def test_count_columns_are_marked_and_numeric_text_right_aligned():
    df = pd.DataFrame({"group": ["a", "b"], "Participants": ["<5", "1,118"], "share": ["–", "49.7%"]})
    out = table_html(df, caption="Counts", count_cols=["Participants"])
    assert out.count('class="num count"') == 2
    assert '<td class="num">49.7%</td>' in out
    assert "<td>a</td>" in out


def test_figures_are_encoded_faster_but_losslessly():
    import base64
    import io
    import re

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    def chart():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar(["Before", "After"], [3.1, 3.6])
        ax.set_ylabel("Mean score")
        return fig

    out = figure_html(chart(), alt="chart")
    ours = base64.b64decode(re.search(r"base64,([^\"]+)", out).group(1))
    default = io.BytesIO()
    fig = chart()
    fig.savefig(default, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    assert ours != default.getvalue()  # another zlib level ...
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(ours))),  # ... the same pixels
                          np.asarray(Image.open(default)))
