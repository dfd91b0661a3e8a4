"""Top-terms and term-over-time plots."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from civictools import TextError, term_frequencies  # noqa: E402
from civictools.viz import plot_term_over_time, plot_top_terms  # noqa: E402

TOKENS = pd.DataFrame(
    {
        "doc_id": [1, 1, 1, 2, 2, 3, 3, 3, 3],
        "year": [2021, 2021, 2021, 2022, 2022, 2023, 2023, 2023, 2023],
        "token": ["社工站", "网格员", "，", "社工站", "议事会", "社工站", "社工站", "网格员", "。"],
    }
)


def test_top_terms_bars():
    with matplotlib.rc_context():
        ax = plot_top_terms(term_frequencies(TOKENS), top=2, title="高频词")
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["网格员", "社工站"]
        assert [p.get_width() for p in ax.patches] == [2, 4]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="png")
        plt.close(ax.figure)
        # token tables work directly
        ax2 = plot_top_terms(TOKENS)
        assert len(ax2.patches) == 3
        plt.close(ax2.figure)


def test_term_over_time_rates():
    with matplotlib.rc_context():
        ax = plot_term_over_time(TOKENS, ["社工站", "议事会"], per=1000)
        lines = {ln.get_label(): ln.get_ydata().tolist() for ln in ax.get_lines()}
        # 2021: 1 of 2 kept tokens; 2022: 1 of 2; 2023: 2 of 3
        assert lines["社工站"] == pytest.approx([500.0, 500.0, 2000 / 3])
        assert lines["议事会"] == pytest.approx([0.0, 500.0, 0.0])
        plt.close(ax.figure)
        with pytest.raises(TextError, match="year"):
            plot_term_over_time(TOKENS.drop(columns="year"), ["社工站"])


def test_empty_top_terms():
    with pytest.raises(TextError):
        plot_top_terms([["的", "。"]])


def test_axes_made_before_font_setup_render_chinese():
    # tick labels take their font when the Axes is created: the plot functions
    # must fix that, or an Axes from plt.subplots() would show boxes
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, axes = plt.subplots(1, 2)
        plot_top_terms(TOKENS, ax=axes[0], title="高频词")
        plot_term_over_time(TOKENS, ["社工站"], ax=axes[1], title="每千词")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
