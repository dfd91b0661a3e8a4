"""Plots of term counts: top terms and terms over time, with Chinese labels."""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from civictools.errors import TextError
from civictools.viz._fonts import setup_chinese_font

__all__ = ["plot_top_terms", "plot_term_over_time"]


def _use_font(ax: Any) -> None:
    """Give every text of ``ax`` the current family list.

    Tick labels take their font when the Axes is created, so an Axes made
    before :func:`setup_chinese_font` would still draw boxes.
    """
    import matplotlib
    from matplotlib.text import Text

    family = matplotlib.rcParams["font.family"]
    for text in ax.findobj(Text):
        text.set_fontfamily(family)


def _axes(ax: Any, figsize: tuple[float, float]) -> Any:
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_top_terms(
    data: Any,
    top: int = 20,
    *,
    stopwords: Any = True,
    ax: Any = None,
    title: str | None = None,
    color: str = "#3b6e8f",
    xlabel: str = "频次 count",
) -> Any:
    """Horizontal bar chart of the most frequent terms, largest on top.

    Parameters
    ----------
    data : DataFrame or list of token lists
        The output of :func:`civictools.term_frequencies` (``term``, ``count``),
        a token table from :meth:`Segmenter.tokens`, or token lists.
    top : int
        Number of bars.
    ax : matplotlib Axes, optional
        Draw here instead of a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_top_terms([["社工站", "网格员", "社工站"]], top=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['网格员', '社工站']
    """
    from civictools.text.explore import term_frequencies

    setup_chinese_font()
    if isinstance(data, pd.DataFrame) and {"term", "count"} <= set(data.columns):
        freqs = data.groupby("term", sort=False)["count"].sum().reset_index()
    else:
        freqs = term_frequencies(data, stopwords=stopwords)
    freqs = freqs.sort_values(["count", "term"], ascending=[False, True], kind="mergesort").head(top)
    if freqs.empty:
        raise TextError("plot_top_terms(): no terms to plot")
    ax = _axes(ax, (6.0, max(2.0, 0.32 * len(freqs) + 1.0)))
    freqs = freqs.iloc[::-1]
    ax.barh(freqs["term"].tolist(), freqs["count"].tolist(), color=color)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    _use_font(ax)
    return ax


def plot_term_over_time(
    tokens: pd.DataFrame,
    terms: Sequence[str],
    time_col: str = "year",
    *,
    per: int | None = 1000,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Line chart of how often ``terms`` occur in each period.

    Parameters
    ----------
    tokens : DataFrame
        Token table with a ``token`` column and ``time_col`` (merge it in from
        the documents: ``tokens.merge(docs[["doc_id", "year"]], on="doc_id")``).
    terms : sequence of str
        Terms to draw, one line each.
    per : int or None
        Counts per ``per`` tokens of the period (punctuation excluded), so
        periods with more text do not look busier; ``None`` plots raw counts.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib, pandas as pd
    >>> matplotlib.use("Agg")
    >>> t = pd.DataFrame({"year": [2021, 2021, 2022], "token": ["社工站", "网格员", "社工站"]})
    >>> ax = plot_term_over_time(t, ["社工站"], per=None)
    >>> ax.get_lines()[0].get_ydata().tolist()
    [1.0, 1.0]
    """
    from civictools.text.explore import _is_punct

    setup_chinese_font()
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(tokens, pd.DataFrame) or not {"token", time_col} <= set(tokens.columns):
        raise TextError(
            f"plot_term_over_time() needs a token table with 'token' and {time_col!r} columns; "
            "merge the time column in from the documents"
        )
    kept = tokens[~tokens["token"].astype(str).map(_is_punct)]
    periods = sorted(kept[time_col].dropna().unique().tolist())
    totals = kept.groupby(time_col)["token"].size()
    counts = (
        kept[kept["token"].isin(list(terms))]
        .groupby([time_col, "token"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=periods, columns=list(terms), fill_value=0)
    )
    if per:
        counts = counts.div(totals.reindex(periods), axis=0) * per
    ax = _axes(ax, (6.5, 3.6))
    for term in terms:
        ax.plot(periods, counts[term].astype(float).tolist(), marker="o", label=term)
    ax.set_xlabel(time_col)
    ax.set_ylabel(f"每{per}词 per {per:,} tokens" if per else "频次 count")
    if all(isinstance(p, (int,)) for p in periods):
        ax.set_xticks(periods)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    _use_font(ax)
    return ax
