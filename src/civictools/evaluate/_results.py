"""Shared pieces of every estimation result: tidy tables, summaries, drop records.

Estimators in :mod:`civictools.evaluate` return small immutable result objects.
They share:

* :func:`tidy_frame` -- the standard coefficient table (term, estimate, std_error,
  statistic, p_value, conf_low, conf_high) from estimates, standard errors and the
  reference distribution (Student t with ``df`` degrees of freedom, or normal);
* :class:`Summary` -- a deterministic printable/HTML summary (no dates, no ids);
* :class:`DropLog` -- counts rows removed and why, warns with
  :class:`~civictools.errors.DataDroppedWarning`, and yields the ``.dropped`` frame;
* :class:`ResultMixin` -- ``__repr__`` and ``_repr_html_`` from ``summary()``;
* :func:`plot_estimates` -- the estimates-with-intervals plot of the aggregation,
  Sun-Abraham and imputation results.
"""

from __future__ import annotations

import html
import math
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from civictools.errors import DataDroppedWarning

__all__ = [
    "tidy_frame",
    "format_number",
    "format_p",
    "plot_estimates",
    "Summary",
    "DropLog",
    "ResultMixin",
    "TIDY_COLUMNS",
]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]


def tidy_frame(
    terms: Sequence[str],
    estimates: Iterable[float],
    std_errors: Iterable[float],
    df: float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Build the standard coefficient table.

    Parameters
    ----------
    terms : sequence of str
        Coefficient names.
    estimates, std_errors : array-like
        Point estimates and standard errors.
    df : float, optional
        Degrees of freedom of the Student t reference distribution; None or inf
        uses the standard normal.
    alpha : float
        1 - confidence level of the intervals.

    Examples
    --------
    >>> tidy_frame(["treat"], [2.0], [1.0], df=10).round(4)
        term  estimate  std_error  statistic  p_value  conf_low  conf_high
    0  treat       2.0        1.0        2.0   0.0734   -0.2281     4.2281
    """
    from scipy import stats  # deferred: scipy.stats costs ~0.5 s at import

    est = np.asarray(list(estimates), dtype=float)
    se = np.asarray(list(std_errors), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    if df is None or not np.isfinite(df):
        dist = stats.norm
    else:
        dist = stats.t(df)
    p = 2.0 * dist.sf(np.abs(stat))
    q = dist.ppf(1.0 - alpha / 2.0)
    return pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": p,
            "conf_low": est - q * se,
            "conf_high": est + q * se,
        }
    )


def format_number(x: float, digits: int = 4) -> str:
    """Format a number with ``digits`` significant digits, deterministically.

    >>> format_number(-0.0224589744), format_number(12345.678), format_number(float("nan"))
    ('-0.02246', '1.235e+04', '')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def format_p(p: float) -> str:
    """Format a p-value (three decimals, ``<0.001`` below).

    >>> format_p(0.0004), format_p(0.44612)
    ('<0.001', '0.446')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class Summary:
    """A printable estimation summary.

    Attributes
    ----------
    title : str
        Heading.
    info : list of (label, value)
        Key facts (outcome, observations, clusters, variance estimator ...).
    table : DataFrame
        The coefficient table (already formatted or numeric).
    notes : list of str
        Warnings and explanations shown under the table.

    Examples
    --------
    >>> s = Summary("Demo", [("Observations", "10")], tidy_frame(["x"], [1.0], [0.5]), ["a note"])
    >>> print(s.as_text())  # doctest: +NORMALIZE_WHITESPACE
    Demo
    ====
    Observations: 10
    <BLANKLINE>
    term estimate std_error statistic p_value conf_low conf_high
       x        1       0.5         2   0.046  0.02002      1.98
    <BLANKLINE>
    Note: a note
    """

    title: str
    info: list = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)

    def _formatted(self) -> pd.DataFrame:
        tab = self.table.copy()
        for col in tab.columns:
            if col in ("p_value",) or col.endswith("p_value"):
                tab[col] = [format_p(v) for v in tab[col]]
            elif pd.api.types.is_float_dtype(tab[col]):
                tab[col] = [format_number(v) for v in tab[col]]
        return tab

    def as_text(self) -> str:
        """Plain-text rendering."""
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{k}: {v}" for k, v in self.info]
        if len(self.table):
            lines += ["", self._formatted().to_string(index=False)]
        if self.notes:
            lines.append("")
            lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        """HTML rendering (a self-contained fragment, deterministic)."""
        parts = [f'<div class="civictools-summary"><h4>{html.escape(self.title)}</h4>']
        if self.info:
            parts.append("<table><tbody>")
            for k, v in self.info:
                parts.append(
                    f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                    f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
                )
            parts.append("</tbody></table>")
        if len(self.table):
            tab = self._formatted()
            parts.append("<table><thead><tr>")
            parts += [f"<th>{html.escape(str(c))}</th>" for c in tab.columns]
            parts.append("</tr></thead><tbody>")
            for row in tab.itertuples(index=False):
                parts.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
            parts.append("</tbody></table>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()


class DropLog:
    """Record of rows removed before estimation.

    Each :meth:`add` with a positive count emits a
    :class:`~civictools.errors.DataDroppedWarning` naming the count and reason.

    Examples
    --------
    >>> import warnings
    >>> log = DropLog()
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     log.add("missing values in y", 3)
    >>> log.frame()
                    reason  count
    0  missing values in y      3
    """

    def __init__(self) -> None:
        self._records: list[tuple[str, int]] = []

    def add(self, reason: str, count: int, *, warn: bool = True, stacklevel: int = 3) -> None:
        """Record ``count`` rows dropped for ``reason`` (ignored when zero)."""
        count = int(count)
        if count <= 0:
            return
        self._records.append((reason, count))
        if warn:
            warnings.warn(
                f"{count} row(s) dropped: {reason}", DataDroppedWarning, stacklevel=stacklevel
            )

    @property
    def total(self) -> int:
        """Total number of rows dropped."""
        return sum(c for _, c in self._records)

    def frame(self) -> pd.DataFrame:
        """The records as a DataFrame with columns ``reason`` and ``count``."""
        return pd.DataFrame(self._records, columns=["reason", "count"]).astype(
            {"reason": object, "count": "int64"}
        )


def plot_estimates(ax, tab: pd.DataFrame, *, x: str, marker: str, color: str, label: str | None,
                   truth: pd.DataFrame | None, xlabel: str, title: str, ref_line: bool = False,
                   ref_points: Sequence[float] = ()):
    """Estimates of ``tab`` (columns ``x``, estimate, conf_low, conf_high) with intervals.

    ``ref_line`` draws the dotted line between leads and lags; ``ref_points`` are
    reference periods drawn as hollow markers at 0; ``truth`` (``level`` or
    ``event_time`` and ``att``) is drawn as a dashed line. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from civictools.viz import setup_chinese_font

    setup_chinese_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8))
    xs = tab[x].to_numpy(dtype=float)
    est = tab["estimate"].to_numpy()
    ax.axhline(0.0, color="0.6", lw=0.8)
    if ref_line:
        ax.axvline(-0.5, color="0.6", lw=0.8, ls=":")
    ax.errorbar(xs, est, yerr=[est - tab["conf_low"].to_numpy(), tab["conf_high"].to_numpy() - est],
                fmt=marker, color=color, capsize=3, lw=1.2, ms=4, label=label)
    if len(ref_points):
        ax.plot(list(ref_points), [0.0] * len(ref_points), marker, mfc="white", color=color)
    if truth is not None:
        col = "level" if "level" in truth.columns else "event_time"
        tr = truth.sort_values(col)
        ax.plot(tr[col], tr["att"], color="k", ls="--", lw=1, label="真实值 / truth")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ATT")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return ax


def drop_notes(dropped: pd.DataFrame) -> list[str]:
    """Summary notes for a ``dropped`` frame (reason, count), one per reason."""
    return [f"{count} row(s) dropped: {reason}." for reason, count in dropped.itertuples(index=False)]


class ResultMixin:
    """``__repr__`` and ``_repr_html_`` delegating to ``summary()``."""

    def summary(self) -> Summary:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return self.summary().as_text()
