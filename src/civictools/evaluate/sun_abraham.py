"""Sun & Abraham (2021) interaction-weighted event study.

A two-way fixed-effects regression with one indicator per *cohort x relative
period* (all relative periods of every treated cohort except the reference
``ref``) estimates cohort-specific effects CATT(g, l) cleanly: each cohort is
compared only with the control cohort (never-treated units, or the last-treated
cohort with ``control="last"``), so the contamination of ordinary event-study
coefficients by other periods' effects (Sun & Abraham 2021, Prop. 3) is gone.
The interaction-weighted (IW) estimate of relative period ``l`` averages the
CATT(g, l) with the cohorts' shares among the observations at ``l``::

    IW(l) = sum_g  n(g, l) / sum_g' n(g', l) * CATT(g, l),

and its standard error follows from the regression's covariance matrix by the
delta method (shares held fixed), as fixest's ``sunab()`` / ``aggregate()`` and
pyfixest's saturated event study do. The overall post-treatment effect weights
every CATT(g, l), ``l >= 0``, by its number of observations (fixest's
``agg = "ATT"``).

The regression runs on the fixed-effects engine of :func:`civictools.evaluate.twfe`
(absorbed unit and time effects, fixest's CR1 clustered by unit by default,
singletons removed as fixest does).

Reference
---------
Sun, L. and Abraham, S. (2021). Estimating dynamic treatment effects in event
studies with heterogeneous treatment effects. *Journal of Econometrics* 225(2),
175-199.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from civictools.evaluate._lazy import stats

from civictools.errors import EstimationError
from civictools.evaluate._results import (
    DropLog, ResultMixin, drop_notes, Summary, format_number, plot_estimates, tidy_frame,
)
from civictools.evaluate.twfe import _VCOV_TYPES, TWFEResult, _check_columns, _fit_design, _make_result, _prepare

__all__ = ["sun_abraham", "SunAbrahamResult"]


@dataclass(frozen=True)
class SunAbrahamResult(ResultMixin):
    """Result of :func:`sun_abraham`.

    Attributes
    ----------
    regression : TWFEResult
        The saturated cohort x relative-period regression.
    cohort_effects : DataFrame
        CATT(g, l): ``group, event_time, estimate, std_error, n_obs``.
    weights : DataFrame
        IW weights ``group, event_time, weight`` (sum to 1 within event time).
    overall : pandas.Series
        Post-treatment average (``estimate, std_error, conf_low, conf_high``).
    nobs : int
        Observations in the regression.
    dropped : DataFrame
        Rows removed (``reason``, ``count``).
    """

    outcome: str
    ref: tuple
    control: str
    regression: TWFEResult = field(repr=False)
    cohort_effects: pd.DataFrame = field(repr=False)
    weights: pd.DataFrame = field(repr=False)
    _iw: pd.DataFrame = field(repr=False)
    overall: pd.Series = field(repr=False)
    nobs: int = 0
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple = ()
    title: str = "Sun & Abraham interaction-weighted event study / 交互加权事件研究"

    def tidy(self) -> pd.DataFrame:
        """IW estimates by relative period: event_time, estimate, std_error, statistic, p_value, conf_low, conf_high, post."""
        iw = self._iw
        tab = tidy_frame(
            [f"e{int(e)}" for e in iw["event_time"]], iw["estimate"], iw["std_error"],
            df=self.regression.df_t, alpha=self.regression.alpha,
        ).drop(columns="term")
        tab.insert(0, "event_time", iw["event_time"].to_numpy().astype(np.int64))
        tab["post"] = (tab["event_time"] >= 0).astype(np.int64)
        return tab

    def summary(self) -> Summary:
        o = self.overall
        r = self.regression
        info = [
            ("Outcome", self.outcome),
            ("Observations", str(self.nobs)),
            ("Comparison cohort", "never treated" if self.control == "never" else "last treated"),
            ("Reference period(s)", ", ".join(str(k) for k in self.ref)),
            ("Cohort x period terms", str(len(self.cohort_effects))),
            ("Variance", f"{r.vcov_type}" + (f" clustered by {r.cluster} ({r.n_clusters} clusters)" if r.cluster else "")),
            ("Post-treatment ATT", f"{format_number(o['estimate'])} (SE {format_number(o['std_error'])})"),
        ]
        notes = list(self.notes) + drop_notes(self.dropped)
        return Summary(self.title, info, self.tidy(), notes)

    def plot(self, ax=None, truth: pd.DataFrame | None = None, color: str = "C2", label: str = "Sun-Abraham"):
        """Event-study plot of the IW estimates (reference period drawn at 0). Returns the Axes."""
        return plot_estimates(ax, self.tidy(), x="event_time", marker="s", color=color, label=label,
                              truth=truth, xlabel="相对处理时期 / event time",
                              title=f"Sun-Abraham: {self.outcome}", ref_line=True, ref_points=self.ref)


def _term(g: int, e: int) -> str:
    return f"sa_g{g}_e{e}".replace("-", "m")


def sun_abraham(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treat: str,
    ref: int | Sequence[int] = -1,
    control: str = "never",
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
    vcov: str = "CR1",
    alpha: float = 0.05,
) -> SunAbrahamResult:
    """Interaction-weighted event-study estimator of Sun & Abraham (2021).

    Parameters
    ----------
    df : DataFrame
        Long panel.
    y, unit, time : str
        Outcome, unit and (whole-number) period columns.
    first_treat : str
        First treatment period; 0 or missing = never treated.
    ref : int or sequence of int
        Relative period(s) left out for every cohort (default -1).
    control : {"never", "last"}
        Control cohort: never-treated units, or the last-treated cohort (its
        periods from its treatment on are dropped, as Sun & Abraham do when no
        unit is never treated).
    covariates : sequence of str
        Time-varying regressors.
    cluster, weights, vcov, alpha
        As in :func:`civictools.evaluate.twfe` (clustered by unit by default).

    Returns
    -------
    SunAbrahamResult

    Examples
    --------
    >>> from civictools.datasets import simulate_rollout
    >>> sim = simulate_rollout(n_units=300, n_periods=8, cohorts=(4, 6), seed=2)
    >>> r = sun_abraham(sim.data, "y", "unit", "period", "first_treat")
    >>> r.tidy()["event_time"].tolist()
    [-5, -4, -3, -2, 0, 1, 2, 3, 4]
    >>> round(float(r.tidy().query("event_time == 0")["estimate"].iloc[0]), 1)
    1.3
    """
    if control not in ("never", "last"):
        raise EstimationError(f"control must be 'never' or 'last', not {control!r}")
    refs = tuple(sorted({int(ref)} if np.isscalar(ref) else {int(r) for r in ref}))
    if not refs:
        raise EstimationError("give at least one reference period (ref=-1)")
    _check_columns(df, [y, unit, time, first_treat, *covariates])
    tv = df[time]
    if not pd.api.types.is_numeric_dtype(tv) or pd.api.types.is_bool_dtype(tv):
        raise EstimationError(f"time column {time!r} must hold whole-number periods (found {tv.dtype})")
    gv = df[first_treat]
    if not pd.api.types.is_numeric_dtype(gv):
        raise EstimationError(f"first-treatment column {first_treat!r} must be numeric (0 or NaN = never treated)")
    if (df.groupby(unit, sort=False)[first_treat].nunique(dropna=False) > 1).any():
        raise EstimationError(f"column {first_treat!r} varies within units; it must be each unit's first treatment period")
    log = DropLog()
    notes: list[str] = []
    tnum = tv.to_numpy(dtype=float)
    g = np.nan_to_num(gv.to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    data = df
    treated_ever = g > 0
    if control == "last":
        if not treated_ever.any():
            raise EstimationError("no treated units")
        last = float(np.max(g[treated_ever]))
        # Periods from the last cohort's treatment on have no valid comparison.
        cut = tnum >= last
        if cut.any():
            log.add(f"periods from {int(last)} on (the last-treated cohort is the comparison group)", int(cut.sum()))
        keep = ~cut
        data = df.loc[keep]
        tnum, g = tnum[keep], g[keep]
        g = np.where(g == last, 0.0, g)
        notes.append(f"cohort {int(last)} is the comparison group")
        treated_ever = g > 0
    elif not (g == 0).any():
        raise EstimationError("there are no never-treated units; use control='last'")
    data = data.reset_index(drop=True)  # unique labels: kept rows are mapped back by label
    rel = np.where(treated_ever, tnum - g, np.nan)
    cells = pd.DataFrame({"g": g[treated_ever].astype(np.int64), "e": rel[treated_ever].astype(np.int64)})
    pairs = cells.drop_duplicates().sort_values(["g", "e"])
    no_ref = sorted(set(pairs["g"]) - set(pairs.loc[pairs["e"].isin(refs), "g"]))
    if no_ref:
        raise EstimationError(
            f"cohort(s) {no_ref} are never observed at the reference period(s) {list(refs)}: their "
            "interactions would be collinear with the unit effects; choose another ref"
        )
    pairs = pairs[~pairs["e"].isin(refs)]
    if pairs.empty:
        raise EstimationError("no cohort x relative-period terms to estimate")
    gi = np.where(treated_ever, g, -1).astype(np.int64)
    ri = np.where(treated_ever, rel, np.iinfo(np.int64).min).astype(np.int64)
    terms = [_term(a, b) for a, b in pairs.itertuples(index=False)]
    clash = [c for c in terms if c in df.columns]
    if clash:
        raise EstimationError(f"column name(s) {clash[:3]} clash with the interaction terms; rename them")
    dummies = pd.DataFrame(
        {t: ((gi == a) & (ri == b)).astype(np.float64) for t, (a, b) in zip(terms, pairs.itertuples(index=False))},
        index=data.index,
    )
    if vcov not in _VCOV_TYPES:
        raise EstimationError(f"vcov must be one of {', '.join(_VCOV_TYPES)}; got {vcov!r}")
    if vcov == "CR1" and cluster is None:
        cluster = unit
    post_cols = [i for i, (_, b) in enumerate(pairs.itertuples(index=False)) if b >= 0]
    # The engine orders regressors extra_x (the interactions) first, then covariates.
    prep = _prepare(data, y, list(covariates), [unit, time], cluster=cluster, weights=weights, log=log,
                    extra_x=dummies, treat_cols=post_cols)
    design = _fit_design(prep)
    reg = _make_result(design, vcov, alpha, y, "", log.frame(), stacklevel=3)
    if tuple(reg.vcov.index[: len(terms)]) != tuple(terms):
        raise EstimationError("internal: unexpected regressor order from the fixed-effects engine")
    coef = reg.coef().to_numpy()[: len(terms)]
    V = reg.vcov.to_numpy()[: len(terms), : len(terms)]
    # Shares among the observations actually used in the regression.
    n_obs = dummies.loc[prep["index"]].to_numpy().sum(axis=0)
    ce = pairs.rename(columns={"g": "group", "e": "event_time"}).reset_index(drop=True)
    ce["estimate"] = coef
    ce["std_error"] = np.sqrt(np.diag(V))
    ce["n_obs"] = n_obs.astype(np.int64)
    missing = ce["n_obs"] == 0
    if missing.any():
        raise EstimationError("a cohort x relative-period cell lost all its observations (singletons?)")
    ce["weight"] = ce["n_obs"] / ce.groupby("event_time")["n_obs"].transform("sum")
    rows = []
    for e, sub in ce.groupby("event_time", sort=True):
        wv = np.zeros(len(terms))
        wv[sub.index.to_numpy()] = sub["weight"].to_numpy()
        rows.append((int(e), float(wv @ coef), float(np.sqrt(wv @ V @ wv))))
    iw = pd.DataFrame(rows, columns=["event_time", "estimate", "std_error"])
    post = ce["event_time"] >= 0
    if post.any():
        wv = np.zeros(len(terms))
        wv[post.to_numpy()] = ce.loc[post, "n_obs"].to_numpy() / ce.loc[post, "n_obs"].sum()
        est = float(wv @ coef)
        se = float(np.sqrt(wv @ V @ wv))
    else:
        est, se = np.nan, np.nan
    q = stats.t(reg.df_t).ppf(1 - alpha / 2) if np.isfinite(reg.df_t) else stats.norm.ppf(1 - alpha / 2)
    overall = pd.Series({"estimate": est, "std_error": se, "conf_low": est - q * se, "conf_high": est + q * se})
    return SunAbrahamResult(
        outcome=y,
        ref=refs,
        control=control,
        regression=reg,
        cohort_effects=ce[["group", "event_time", "estimate", "std_error", "n_obs"]],
        weights=ce[["group", "event_time", "weight"]],
        _iw=iw,
        overall=overall,
        nobs=reg.nobs,
        dropped=log.frame(),
        notes=tuple(notes),
    )
