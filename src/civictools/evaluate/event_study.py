"""Event study: TWFE with relative-time indicators, binned end points and a pre-trend test.

For unit ``i`` first treated in period ``g_i`` the relative time is ``t - g_i``.
Units whose first-treatment period is 0 or missing (R's ``did`` convention) are
never treated: all their indicators are zero, so they serve as controls together
with not-yet-treated periods. With ``bins=(lo, hi)`` relative times below ``lo``
are pooled into ``lo`` and those above ``hi`` into ``hi`` (end-point binning);
the reference period ``ref`` (default -1) is omitted. The model is estimated by
:func:`civictools.evaluate.twfe`'s engine, so fixed effects, weights, singletons
and fixest-compatible CR1/HC1/iid inference are identical.

The joint pre-trend test is a Wald test of all pre-period coefficients
(``rel < 0``, reference excluded): ``F = b' V^-1 b / q`` against ``F(q, df)``
with ``df = G - 1`` for clustered variances (``N - K`` otherwise), as fixest's
``wald()``.

Note that with staggered adoption and heterogeneous effects these coefficients
mix cohorts (Sun & Abraham 2021); use the interaction-weighted or
Callaway-Sant'Anna estimators for causal event-time effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from civictools.errors import EstimationError
from civictools.evaluate._results import DropLog, format_number, format_p
from civictools.evaluate.twfe import _VCOV_TYPES, TWFEResult, _check_columns, _fit_design, _make_result, _prepare

__all__ = ["event_study", "EventStudyResult"]


def _term(k: int, lo: int | None, hi: int | None) -> str:
    if lo is not None and k == lo:
        return f"rel_le_{k}"
    if hi is not None and k == hi:
        return f"rel_ge_{k}"
    return f"rel_{k}"


@dataclass(frozen=True, repr=False)
class EventStudyResult(TWFEResult):
    """Result of :func:`event_study` (a :class:`TWFEResult` with event-time terms).

    Attributes
    ----------
    ref : int
        Omitted reference period.
    bins : tuple or None
        End-point bins ``(lo, hi)``.
    rel_times : dict
        Relative time of each event-time term.
    """

    title: str = "Event study (TWFE) / 事件研究"
    ref: int = -1
    bins: tuple | None = None
    rel_times: dict = None

    def _wild_terms(self) -> list[str]:
        return [t for t in self._design.terms if t in self.rel_times]

    def tidy(self, alpha: float | None = None) -> pd.DataFrame:
        """Coefficient table with a ``rel_time`` column (covariates have NaN)."""
        tab = super().tidy(alpha)
        tab["rel_time"] = [self.rel_times.get(t, np.nan) for t in tab["term"]]
        return tab

    def pretrend_test(self) -> dict:
        """Joint Wald test that all pre-period coefficients are zero.

        Returns
        -------
        dict
            ``statistic`` (F), ``p_value``, ``df_num`` (q), ``df_den``, ``terms``.
        """
        from scipy import stats

        terms = [t for t, k in self.rel_times.items() if k < 0]
        if not terms:
            return {"statistic": np.nan, "p_value": np.nan, "df_num": 0, "df_den": self.df_t, "terms": []}
        b = self.coef()[terms].to_numpy()
        V = self.vcov.loc[terms, terms].to_numpy()
        q = len(terms)
        F = float(b @ np.linalg.solve(V, b)) / q
        return {
            "statistic": F,
            "p_value": float(stats.f.sf(F, q, self.df_t)),
            "df_num": q,
            "df_den": self.df_t,
            "terms": terms,
        }

    def _summary_info(self) -> list:
        info = super()._summary_info()
        pt = self.pretrend_test()
        if pt["df_num"]:
            info.append(
                (
                    "Pre-trend test",
                    f"F({pt['df_num']}, {int(pt['df_den'])}) = {format_number(pt['statistic'])}, "
                    f"p = {format_p(pt['p_value'])}",
                )
            )
        info.append(("Reference period", str(self.ref)))
        if self.bins is not None:
            info.append(("End-point bins", f"<= {self.bins[0]} and >= {self.bins[1]}"))
        return info

    def plot(self, ax=None, alpha: float | None = None, title: str | None = None, color: str = "C0"):
        """Plot the event-time coefficients with confidence intervals.

        The reference period is drawn at zero. Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()  # Chinese labels need the bundled font
        tab = self.tidy(alpha)
        tab = tab[tab["rel_time"].notna()]
        ref = pd.DataFrame({"rel_time": [self.ref], "estimate": [0.0], "conf_low": [0.0], "conf_high": [0.0]})
        tab = pd.concat([tab[["rel_time", "estimate", "conf_low", "conf_high"]], ref]).sort_values("rel_time")
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 3.8))
        x = tab["rel_time"].to_numpy(dtype=float)
        est = tab["estimate"].to_numpy()
        ax.axhline(0.0, color="0.5", lw=0.8)
        ax.axvline(self.ref + 0.5, color="0.5", lw=0.8, ls="--")
        ax.errorbar(
            x, est, yerr=[est - tab["conf_low"].to_numpy(), tab["conf_high"].to_numpy() - est],
            fmt="o", color=color, capsize=3, lw=1.2,
        )
        level = 100 * (1 - (self.alpha if alpha is None else alpha))
        ax.set_xlabel("相对处理时期 / periods relative to treatment")
        ax.set_ylabel(f"估计值 / estimate ({level:g}% CI)")
        ax.set_title(title or f"事件研究 / event study: {self.outcome}")
        return ax


def event_study(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treat: str,
    ref: int = -1,
    bins: tuple[int, int] | None = None,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
    fe: Sequence[str] | None = None,
    vcov: str = "CR1",
    alpha: float = 0.05,
) -> EventStudyResult:
    """Event-study regression ``y ~ sum_k 1[t - g = k] + covariates | unit + time``.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    y, unit, time : str
        Outcome, unit and (integer-valued) period columns.
    first_treat : str
        First treatment period of each unit; 0 or missing means never treated.
    ref : int
        Omitted reference relative period (default -1).
    bins : (int, int), optional
        Pool relative times ``<= lo`` and ``>= hi``.
    covariates, cluster, weights, fe, vcov, alpha
        As in :func:`civictools.evaluate.twfe` (cluster defaults to the unit).

    Returns
    -------
    EventStudyResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(60), 6), "t": np.tile(np.arange(1, 7), 60)})
    >>> d["g"] = np.where(d.u < 30, 4, 0)
    >>> d["y"] = 0.1 * d.t + np.where((d.g > 0) & (d.t >= d.g), 1.0, 0.0) + rng.normal(0, 0.1, len(d))
    >>> r = event_study(d, "y", "u", "t", "g")
    >>> r.tidy()[["term", "rel_time"]].term.tolist()
    ['rel_-3', 'rel_-2', 'rel_0', 'rel_1', 'rel_2']
    >>> round(float(r.coef()["rel_0"]), 1)
    1.0
    """
    _check_columns(df, [y, unit, time, first_treat])
    tv = df[time]
    if not pd.api.types.is_numeric_dtype(tv) or pd.api.types.is_bool_dtype(tv):
        raise EstimationError(
            f"time column {time!r} must hold integer periods (found {tv.dtype}); convert dates "
            "to period numbers first (civictools.panel does this)"
        )
    gv = df[first_treat]
    if not pd.api.types.is_numeric_dtype(gv):
        raise EstimationError(f"first-treatment column {first_treat!r} must be numeric (0 or NaN = never treated)")
    g_unit = df.groupby(unit, sort=False)[first_treat].nunique(dropna=False)
    if (g_unit > 1).any():
        bad = g_unit.index[g_unit > 1][0]
        raise EstimationError(
            f"column {first_treat!r} varies within unit {bad!r}; it must be the unit's first treatment period"
        )
    tnum = tv.to_numpy(dtype=float)
    if np.isfinite(tnum).all() and not np.allclose(tnum, np.round(tnum)):
        raise EstimationError(f"time column {time!r} must hold integer periods")
    g = gv.to_numpy(dtype=float, na_value=np.nan)
    treated = np.isfinite(g) & (g != 0)
    rel = np.where(treated, tnum - np.where(treated, g, 0.0), np.nan)
    lo, hi = (None, None)
    if bins is not None:
        lo, hi = int(bins[0]), int(bins[1])
        if not lo < ref < hi:
            raise EstimationError(f"bins {bins} must satisfy lo < ref ({ref}) < hi")
        rel = np.where(np.isfinite(rel), np.clip(rel, lo, hi), np.nan)
    observed = np.unique(rel[np.isfinite(rel)]).astype(int)
    if ref not in observed:
        raise EstimationError(
            f"reference period {ref} is not observed for any treated unit; observed relative "
            f"periods: {observed.min() if observed.size else 'none'}..{observed.max() if observed.size else ''}"
        )
    ks = [int(k) for k in observed if k != ref]
    if not ks:
        raise EstimationError("no relative periods other than the reference; nothing to estimate")
    dummies = pd.DataFrame(
        {_term(k, lo, hi): (rel == k).astype(np.float64) for k in ks}, index=df.index
    )
    clash = [c for c in dummies.columns if c in df.columns]
    if clash:
        raise EstimationError(f"column name(s) {clash} clash with event-time terms; rename them")
    fe_cols = list(fe) if fe is not None else [unit, time]
    if vcov not in _VCOV_TYPES:
        raise EstimationError(f"vcov must be one of {', '.join(_VCOV_TYPES)}; got {vcov!r}")
    if vcov == "CR1" and cluster is None:
        cluster = fe_cols[0]
    log = DropLog()
    post_cols = [i for i, k in enumerate(ks) if k >= 0]
    prep = _prepare(df, y, list(covariates), fe_cols, cluster=cluster, weights=weights, log=log,
                    extra_x=dummies, treat_cols=post_cols)
    try:
        d = _fit_design(prep)
    except EstimationError as exc:
        if "collinear" in str(exc) and not (~treated).any():
            raise EstimationError(
                "every unit is eventually treated, so the full set of relative-time indicators is "
                "collinear with the unit and period effects; bin the end points (bins=(lo, hi)) or "
                "drop the last periods in which all units are treated"
            ) from exc
        raise
    rel_times = {_term(k, lo, hi): k for k in ks}
    return _make_result(
        d, vcov, alpha, y, "", log.frame(), cls=EventStudyResult,
        ref=int(ref), bins=(lo, hi) if bins is not None else None, rel_times=rel_times,
    )
