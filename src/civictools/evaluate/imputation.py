"""Imputation estimator of Borusyak, Jaravel & Spiess (2024).

1. Fit ``Y_it = alpha_i + lambda_t + X_it' beta + e_it`` by (weighted) least
   squares on the untreated observations only (never-treated units and the
   not-yet-treated periods of eventually treated units);
2. impute the untreated outcome ``Y_it(0)`` of every treated observation from
   the fitted unit and period effects, and take ``tau_it = Y_it - Y_it(0)``;
3. average the ``tau_it``: over all treated observations (``overall``) and by
   event time ``h = t - g`` (``horizons``).

The estimator is linear in the outcomes, ``tau_w = sum_it v_it Y_it``, with
``v_it = w_it`` on treated observations and ``v = -Z0 (Z0'Z0)^- Z1' w1`` on
untreated ones. Standard errors use BJS's conservative, cluster-robust formula
(Theorem 3): ``sigma^2 = sum_c (sum_{it in c} v_it e~_it)^2``, where ``e~`` is
the first-stage residual on untreated observations and ``tau_it - tau~`` on
treated ones, ``tau~`` being the ``v``-weighted average of ``tau_it`` within
the cells of ``avg_effects_by`` (cohort x event time by default, as
``did_imputation`` in Stata); ``leave_out=True`` leaves the observation's own
cluster out of that mean (BJS's refinement for small cells).

Singleton observations are *not* dropped in the first stage (a unit with one
untreated period still identifies its effect, which is needed for imputation);
this is why the estimator works on mpdta, where pyfixest's ``did2s`` does not.
Treated observations whose unit or period has no untreated observation cannot be
imputed: they are dropped with a warning and counted.

The first stage partials the unit effects out exactly (they are a diagonal block)
and solves the remaining ``(periods + covariates)`` system densely, so it is
exact rather than iterative.

Reference
---------
Borusyak, K., Jaravel, X. and Spiess, J. (2024). Revisiting event-study designs:
robust and efficient estimation. *Review of Economic Studies* 91(6), 3253-3285.
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

__all__ = ["did_imputation", "ImputationResult"]


@dataclass(frozen=True)
class ImputationResult(ResultMixin):
    """Result of :func:`did_imputation`.

    Attributes
    ----------
    overall : pandas.Series
        Average effect over all treated observations (``estimate, std_error, conf_low, conf_high``).
    effects : DataFrame
        Per treated observation: ``unit, time, group, event_time, y, y0_hat, tau``.
    nobs : int
        Observations used (untreated + treated).
    n_untreated, n_treated : int
        Observations in the first stage / imputed.
    dropped : DataFrame
        Rows removed (``reason``, ``count``).
    """

    outcome: str
    table: pd.DataFrame = field(repr=False)
    overall: pd.Series = field(repr=False)
    effects: pd.DataFrame = field(repr=False)
    nobs: int = 0
    n_untreated: int = 0
    n_treated: int = 0
    n_clusters: int = 0
    alpha: float = 0.05
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    coef: pd.Series = field(default_factory=pd.Series, repr=False)
    pretrend: dict | None = field(default=None, repr=False)
    leave_out: bool = False
    notes: tuple = ()
    title: str = "Imputation estimator (Borusyak, Jaravel & Spiess 2024) / 插补估计量"

    def tidy(self) -> pd.DataFrame:
        """Rows ``overall`` and one per event time: term, event_time, estimate, std_error, statistic, p_value, conf_low, conf_high."""
        t = self.table
        out = tidy_frame(t["term"], t["estimate"], t["std_error"], df=None, alpha=self.alpha)
        out.insert(1, "event_time", t["event_time"].to_numpy())
        out["n_obs"] = t["n_obs"].to_numpy()
        return out

    def summary(self) -> Summary:
        o = self.overall
        info = [
            ("Outcome", self.outcome),
            ("Observations", f"{self.nobs} ({self.n_untreated} untreated in the first stage, {self.n_treated} treated imputed)"),
            ("Clusters", str(self.n_clusters)),
            ("Overall ATT", f"{format_number(o['estimate'])} (SE {format_number(o['std_error'])})"),
            ("Standard errors", "BJS (2024) Theorem 3, conservative, clustered"
                                + (", leave-out" if self.leave_out else "") + "; normal intervals"),
        ]
        if self.pretrend is not None:
            pt = self.pretrend
            info.append(("Pre-trend test", f"{pt['q']} leads: F = {format_number(pt['statistic'])}, "
                                           f"p = {format_number(pt['p_value'])} (untreated observations, CR1)"))
        notes = list(self.notes) + drop_notes(self.dropped)
        return Summary(self.title, info, self.tidy(), notes)

    def plot(self, ax=None, truth: pd.DataFrame | None = None, color: str = "C4", label: str = "BJS imputation"):
        """Event-time estimates with intervals. Returns the Axes."""
        tab = self.tidy()
        return plot_estimates(ax, tab[tab["term"] != "overall"], x="event_time", marker="D", color=color,
                              label=label, truth=truth, xlabel="相对处理时期 / event time",
                              title=f"BJS imputation: {self.outcome}")


class _FirstStage:
    """Weighted LS of ``y`` on unit effects + period effects + covariates, untreated rows.

    Unit effects are a diagonal block and are partialled out exactly; the rest
    (periods minus one, plus covariates) is a small dense system.
    """

    def __init__(self, unit0, time0, X0, w0, n_units, n_times):
        self.u0, self.t0, self.w0 = unit0, time0, w0
        self.n_units, self.n_times = n_units, n_times
        self.B0 = self._b(time0, X0)
        self.p = self.B0.shape[1]
        self.sw_u = np.bincount(unit0, weights=w0, minlength=n_units)  # A'WA (diagonal)
        # A'WB: (n_units, p)
        self.AWB = np.column_stack(
            [np.bincount(unit0, weights=w0 * self.B0[:, j], minlength=n_units) for j in range(self.p)]
        ) if self.p else np.zeros((n_units, 0))
        BWB = (self.B0 * w0[:, None]).T @ self.B0
        self.S = BWB - self.AWB.T @ (self.AWB / self.sw_u[:, None])
        if self.p:
            # Scale-free rank check: a column with (almost) no variation left after
            # sweeping out unit effects is collinear with them (e.g. a time-invariant covariate).
            scale = np.sqrt(np.maximum(np.diag(BWB), np.finfo(float).tiny))
            ok = bool(np.min(np.linalg.eigvalsh(self.S / np.outer(scale, scale))) > 1e-10)
            if ok:
                self.S_inv = np.linalg.inv(self.S)
            if not ok:
                raise EstimationError(
                    "the first-stage design (unit and period effects + covariates on untreated "
                    "observations) is singular: covariates collinear with the fixed effects, or "
                    "units and periods not connected through untreated observations"
                )

    def _b(self, times, X):
        # Period dummies without the first period (absorbed by the unit effects).
        T = np.zeros((times.size, max(self.n_times - 1, 0)))
        rows = np.flatnonzero(times > 0)
        T[rows, times[rows] - 1] = 1.0
        return np.column_stack([T, X]) if X is not None and X.shape[1] else T

    def solve(self, a_u: np.ndarray, a_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Solve ``Z0'WZ0 theta = a`` for (unit block, rest); columns of ``a`` are right-hand sides."""
        if self.p:
            rhs = a_b - self.AWB.T @ (a_u / self.sw_u[:, None])
            th_b = self.S_inv @ rhs
            th_u = (a_u - self.AWB @ th_b) / self.sw_u[:, None]
        else:
            th_b = np.zeros((0, a_u.shape[1]))
            th_u = a_u / self.sw_u[:, None]
        return th_u, th_b

    def predict(self, units, B, th_u, th_b):
        return th_u[units] + B @ th_b


def did_imputation(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treat: str,
    covariates: Sequence[str] = (),
    horizons: Sequence[int] | bool | None = True,
    weights: str | None = None,
    cluster: str | None = None,
    avg_effects_by: str = "cohort_event",
    pretrends: int = 0,
    leave_out: bool = False,
    alpha: float = 0.05,
) -> ImputationResult:
    """Borusyak-Jaravel-Spiess imputation estimator of staggered-adoption effects.

    Parameters
    ----------
    df : DataFrame
        Long panel (unbalanced allowed).
    y, unit, time : str
        Outcome, unit and (whole-number) period columns.
    first_treat : str
        First treatment period; 0 or missing = never treated. Observations with
        ``time >= first_treat`` are treated.
    covariates : sequence of str
        Time-varying covariates in the untreated-outcome model.
    horizons : True, None/False or sequence of int
        Event times ``h = t - g`` to report (True: every observed ``h >= 0``).
    weights : str, optional
        Observation weights: WLS weights of the first stage and weights of the averages.
    cluster : str, optional
        Cluster column of the standard errors (default: the unit).
    avg_effects_by : {"cohort_event", "cohort", "event", "all"}
        Cells within which treated residuals are centred in the variance
        (BJS's ``avgeffectsby``; default cohort x event time).
    leave_out : bool
        Centre each treated residual on its cell's mean *without its own cluster*
        (BJS's leave-out refinement; cells with a single cluster keep the full mean).
    pretrends : int
        If positive, BJS's pre-trend test (their Test 1): on untreated observations only,
        add indicators for the last ``pretrends`` periods before treatment to the
        two-way fixed-effects model and test them jointly (Wald F with fixest's CR1
        variance, via :func:`civictools.evaluate.twfe`); stored in ``.pretrend``.
    alpha : float
        1 - confidence level (normal intervals).

    Returns
    -------
    ImputationResult

    Examples
    --------
    >>> from civictools.datasets import simulate_rollout
    >>> sim = simulate_rollout(n_units=300, n_periods=8, cohorts=(4, 6), seed=2)
    >>> r = did_imputation(sim.data, "y", "unit", "period", "first_treat")
    >>> r.tidy()["term"].tolist()[:3]
    ['overall', 'h0', 'h1']
    >>> round(float(r.overall["estimate"]), 1)
    2.2
    """
    if avg_effects_by not in ("cohort_event", "cohort", "event", "all"):
        raise EstimationError("avg_effects_by must be 'cohort_event', 'cohort', 'event' or 'all'")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    cols = [y, unit, time, first_treat, *covariates] + ([weights] if weights else []) + ([cluster] if cluster else [])
    missing_cols = [c for c in dict.fromkeys(cols) if c not in df.columns]
    if missing_cols:
        raise EstimationError(f"column(s) {missing_cols} not found in the data; available: {list(df.columns)[:30]}")
    for c, what in [(y, "outcome"), (time, "time"), (first_treat, "first-treatment"), *[(c, "covariate") for c in covariates]] + ([(weights, "weights")] if weights else []):
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise EstimationError(f"{what} column {c!r} must be numeric (found {df[c].dtype})")
    log = DropLog()
    yv = df[y].to_numpy(dtype=float, na_value=np.nan)
    tv = df[time].to_numpy(dtype=float, na_value=np.nan)
    gv = np.nan_to_num(df[first_treat].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    Xall = df[covariates].to_numpy(dtype=float, na_value=np.nan) if covariates else np.zeros((len(df), 0))
    wv = df[weights].to_numpy(dtype=float, na_value=np.nan) if weights else np.ones(len(df))
    bad = ~np.isfinite(yv) | ~np.isfinite(tv) | ~np.isfinite(Xall).all(axis=1) | ~np.isfinite(wv) | df[unit].isna().to_numpy()
    if cluster:
        bad |= df[cluster].isna().to_numpy()
    if bad.any():
        log.add("missing values in " + ", ".join(c for c in dict.fromkeys(cols) if df[c].isna().any()), int(bad.sum()), stacklevel=3)
    if (wv[~bad] <= 0).any():
        raise EstimationError(f"weights column {weights!r} must be positive")
    keep = ~bad
    sub = df.loc[keep]
    yv, tv, gv, Xall, wv = yv[keep], tv[keep], gv[keep], Xall[keep], wv[keep]
    if np.any(tv != np.round(tv)):
        raise EstimationError(f"time column {time!r} must hold whole-number periods")
    if sub.duplicated([unit, time]).any():
        raise EstimationError(f"duplicate ({unit}, {time}) rows; aggregate them first")
    if (sub.groupby(unit, sort=False)[first_treat].nunique(dropna=False) > 1).any():
        raise EstimationError(f"column {first_treat!r} varies within units")
    ucodes, ulabels = pd.factorize(sub[unit], sort=True)
    treated = (gv > 0) & (tv >= gv)
    if not treated.any():
        raise EstimationError("no treated observations (time >= first_treat > 0)")
    if treated.all():
        raise EstimationError("no untreated observations to fit the untreated-outcome model")
    # Imputable: unit and period both have untreated observations.
    u_has0 = np.bincount(ucodes[~treated], minlength=ulabels.size) > 0
    t_vals0 = np.unique(tv[~treated])
    imputable = u_has0[ucodes] & np.isin(tv, t_vals0)
    lost = treated & ~imputable
    if lost.any():
        log.add("treated observations that cannot be imputed (their unit or period has no untreated observation)",
                int(lost.sum()), stacklevel=3)
        keep2 = ~lost
        sub, yv, tv, gv, Xall, wv, ucodes, treated = (sub.loc[keep2], yv[keep2], tv[keep2], gv[keep2], Xall[keep2],
                                                      wv[keep2], ucodes[keep2], treated[keep2])
    ucodes = pd.factorize(ucodes, sort=True)[0]
    n_units = int(ucodes.max()) + 1
    tcodes = np.searchsorted(t_vals0, tv)
    n_times = t_vals0.size
    u0, t0 = ucodes[~treated], tcodes[~treated]
    fs = _FirstStage(u0, t0, Xall[~treated], wv[~treated], n_units, n_times)
    B0 = fs.B0
    B1 = fs._b(tcodes[treated], Xall[treated])
    u1 = ucodes[treated]
    y0, y1 = yv[~treated], yv[treated]
    w0, w1 = wv[~treated], wv[treated]
    # First stage and imputation.
    a_u = np.bincount(u0, weights=w0 * y0, minlength=n_units)[:, None]
    a_b = ((B0 * (w0 * y0)[:, None]).sum(axis=0))[:, None]
    th_u, th_b = fs.solve(a_u, a_b)
    fit0 = fs.predict(u0, B0, th_u, th_b)[:, 0]
    y0hat1 = fs.predict(u1, B1, th_u, th_b)[:, 0]
    resid0 = y0 - fit0
    tau = y1 - y0hat1
    g1 = gv[treated].astype(np.int64)
    e1 = (tv[treated] - gv[treated]).astype(np.int64)
    # Estimand weights (columns): overall, then horizons.
    if horizons is True:
        hs = np.unique(e1)
    elif horizons is None or horizons is False:
        hs = np.array([], dtype=np.int64)
    else:
        hs = np.array(sorted({int(h) for h in horizons}), dtype=np.int64)
        absent = [int(h) for h in hs if not np.any(e1 == h)]
        if absent:
            raise EstimationError(f"no treated observations at event time(s) {absent}")
    W1 = np.column_stack([w1] + [w1 * (e1 == h) for h in hs])
    W1 = W1 / W1.sum(axis=0)
    est = W1.T @ tau
    # Untreated weights v0 = -W Z0 (Z0'WZ0)^- Z1'w1 for every estimand at once.
    au = np.column_stack([np.bincount(u1, weights=W1[:, j], minlength=n_units) for j in range(W1.shape[1])])
    ab = B1.T @ W1
    vu, vb = fs.solve(au, ab)
    V0 = -(w0[:, None] * fs.predict(u0, B0, vu, vb))
    # Treated residuals: tau minus its v-weighted mean within avg_effects_by cells.
    if avg_effects_by == "cohort_event":
        cell = pd.factorize(pd.MultiIndex.from_arrays([g1, e1]))[0]
    elif avg_effects_by == "cohort":
        cell = pd.factorize(g1)[0]
    elif avg_effects_by == "event":
        cell = pd.factorize(e1)[0]
    else:
        cell = np.zeros(g1.size, dtype=np.int64)
    ncell = int(cell.max()) + 1
    if cluster:
        cl_all = pd.factorize(sub[cluster], sort=True)[0]
    else:
        cl_all = ucodes
    cl0, cl1 = cl_all[~treated], cl_all[treated]
    G = int(cl_all.max()) + 1
    se = np.empty(W1.shape[1])
    for j in range(W1.shape[1]):
        v1 = W1[:, j]
        num = np.bincount(cell, weights=v1 * tau, minlength=ncell)
        den = np.bincount(cell, weights=v1, minlength=ncell)
        tbar = np.divide(num, den, out=np.zeros(ncell), where=den != 0)
        e_t = tau - tbar[cell]
        if leave_out:
            # BJS's leave-out averages: the cell mean without the observation's own cluster,
            # which removes the downward bias of the variance when cells are small.
            ck = cell * G + cl1
            num_k = np.bincount(ck, weights=v1 * tau, minlength=ncell * G)[ck]
            den_k = np.bincount(ck, weights=v1, minlength=ncell * G)[ck]
            rest = den[cell] - den_k
            ok = np.abs(rest) > 1e-12 * np.maximum(np.abs(den[cell]), 1e-300)
            e_t = np.where(ok, tau - np.divide(num[cell] - num_k, rest, out=np.zeros_like(rest), where=ok), e_t)
        s = np.bincount(cl1, weights=v1 * e_t, minlength=G) + np.bincount(cl0, weights=V0[:, j] * resid0, minlength=G)
        se[j] = np.sqrt(np.sum(s**2))
    terms = ["overall"] + [f"h{int(h)}" for h in hs]
    n_obs = [int(treated.sum())] + [int(np.sum(e1 == h)) for h in hs]
    table = pd.DataFrame(
        {"term": terms, "event_time": [np.nan] + [float(h) for h in hs], "estimate": est, "std_error": se, "n_obs": n_obs}
    )
    z = stats.norm.ppf(1 - alpha / 2)
    overall = pd.Series({"estimate": est[0], "std_error": se[0], "conf_low": est[0] - z * se[0], "conf_high": est[0] + z * se[0]})
    effects = pd.DataFrame(
        {"unit": np.asarray(sub[unit])[treated], "time": tv[treated].astype(np.int64), "group": g1, "event_time": e1,
         "y": y1, "y0_hat": y0hat1, "tau": tau}
    )
    coef = pd.Series(th_b[fs.n_times - 1:, 0] if covariates else np.zeros(0), index=covariates, name="estimate", dtype=float)
    pretrend = _pretrend_test(sub.loc[~treated], y, unit, time, first_treat, covariates, cluster, weights,
                              int(pretrends)) if pretrends else None
    notes = []
    if G < 30:
        notes.append(f"only {G} clusters: the conservative standard errors rest on asymptotics in the number of clusters")
    return ImputationResult(
        outcome=y,
        table=table,
        overall=overall,
        effects=effects,
        nobs=int(yv.size),
        n_untreated=int((~treated).sum()),
        n_treated=int(treated.sum()),
        n_clusters=G,
        alpha=alpha,
        dropped=log.frame(),
        coef=coef,
        pretrend=pretrend,
        leave_out=bool(leave_out),
        notes=tuple(notes),
    )


def _pretrend_test(d0, y, unit, time, first_treat, covariates, cluster, weights, k) -> dict:
    """BJS Test 1: leads on untreated observations, joint Wald F (fixest CR1)."""
    import warnings as _w

    from civictools.evaluate.twfe import twfe

    if k < 1:
        raise EstimationError("pretrends must be a positive number of leads")
    g = np.nan_to_num(d0[first_treat].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    rel = np.where(g > 0, d0[time].to_numpy(dtype=float) - g, np.nan)
    names = [f"lead_{j}" for j in range(1, k + 1)]
    clash = [c for c in names if c in d0.columns]
    if clash:
        raise EstimationError(f"column name(s) {clash} clash with the lead indicators; rename them")
    leads = d0.assign(**{f"lead_{j}": (rel == -j).astype(float) for j in range(1, k + 1)})
    present = [c for c in names if leads[c].sum() > 0]
    if not present:
        raise EstimationError("no untreated observations in the pre-treatment leads")
    with _w.catch_warnings():
        _w.simplefilter("ignore")  # singletons/few clusters of the auxiliary regression
        r = twfe(leads, y, unit, time, present[0], covariates=[*present[1:], *covariates], cluster=cluster or unit,
                 weights=weights)
    b = r.coef()[present].to_numpy()
    V = r.vcov.loc[present, present].to_numpy()
    q = len(present)
    stat = float(b @ np.linalg.solve(V, b)) / q
    p = float(stats.f.sf(stat, q, r.df_t))
    return {"statistic": stat, "p_value": p, "q": q, "df_den": r.df_t,
            "coefficients": r.tidy().set_index("term").loc[present].reset_index()}
