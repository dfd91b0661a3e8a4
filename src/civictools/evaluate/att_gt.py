"""Callaway & Sant'Anna (2021) group-time average treatment effects, ATT(g, t).

For every cohort ``g`` (units first treated in period ``g``) and period ``t``,
ATT(g, t) compares the change in outcomes of cohort ``g`` from a base period to
``t`` with the change among comparison units -- never-treated units
(``control="never"``) or units not yet treated by ``max(t, base) +
anticipation`` (``control="notyet"``) -- using one of the 2x2 estimators of
:mod:`civictools.evaluate._drdid` (doubly robust by default). Conventions follow
R's ``did`` (2.5):

* ``first_treat`` 0 or missing = never treated; cohorts first treated after
  the last period are treated as never treated;
* units already treated in the first period (``g <= t_1 + anticipation``) are
  dropped with a :class:`~civictools.errors.DataDroppedWarning` (they have no
  untreated period) and counted in ``.dropped``;
* ``base_period="varying"``: pre-treatment cells compare consecutive periods,
  post-treatment cells compare with the last period before ``g -
  anticipation``; ``"universal"``: every cell compares with that period (its
  own cell is reported as 0 with no standard error);
* covariates enter through the earlier of the two periods of each cell;
* unbalanced panels are balanced by dropping units with missing periods
  (warned and counted), as ``did`` does with ``panel=TRUE``.

Standard errors come from the influence functions (``sqrt(mean(psi^2) / n)``;
clustered: cluster sums), or from the multiplier bootstrap
(:mod:`civictools.evaluate._mboot`), which also gives the simultaneous
confidence band. :meth:`ATTgtResult.aggregate` combines the ATT(g, t) into
event-study, cohort, calendar or overall summaries
(:mod:`civictools.evaluate._aggregate`).

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences with
multiple time periods. *Journal of Econometrics* 225(2), 200-230.
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences
estimators. *Journal of Econometrics* 219(1), 101-122.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from civictools.evaluate._lazy import stats

from civictools.errors import CivictoolsWarning, EstimationError
from civictools.evaluate._drdid import KERNELS, KERNELS_RC, logit_fit
from civictools.evaluate._mboot import cluster_sums, multiplier_bootstrap
from civictools.evaluate._results import DropLog, ResultMixin, drop_notes, Summary, format_number, format_p

__all__ = ["att_gt", "ATTgtResult"]

_METHOD_LABEL = {
    "dr": "doubly robust (Sant'Anna & Zhao 2020)",
    "ipw": "inverse probability weighting (normalised)",
    "reg": "outcome regression",
}
_CONTROL_LABEL = {"never": "never treated", "notyet": "not yet treated"}
DEFAULT_SEED = 20210101  # bootstrap seed when none is given: results stay reproducible


@dataclass(frozen=True)
class _Panel:
    """Balanced wide arrays, one row per unit."""

    units: np.ndarray  # unit identifiers
    tlist: np.ndarray  # sorted periods
    Y: np.ndarray  # (n, T)
    G: np.ndarray  # (n,) first-treatment period, 0 = never
    w: np.ndarray | None  # (n,) unit weights
    X: np.ndarray | None  # (n, k) or (T, n, k) covariates incl. intercept
    x_varies: bool
    x_names: tuple
    cluster: np.ndarray | None  # (n,) codes
    n_clusters: int | None
    nobs: int


@dataclass(frozen=True)
class ATTgtResult(ResultMixin):
    """Result of :func:`att_gt`.

    Attributes
    ----------
    outcome : str
        Outcome column.
    control, method, base_period : str
        Estimation choices.
    anticipation : int
        Periods of anticipation allowed.
    nobs : int
        Rows (unit-periods) used.
    n_units : int
        Units used.
    n_clusters : int or None
        Clusters, when ``cluster=`` was given.
    dropped : DataFrame
        Rows removed before estimation (``reason``, ``count``).
    inf : numpy.ndarray
        ``(n_units, n_cells)`` influence functions of the ATT(g, t), kept for
        aggregation and the bootstrap.
    crit_val : float
        Critical value of the intervals in :meth:`tidy` (uniform band when the
        bootstrap was used with ``cband=True``).
    """

    outcome: str
    control: str
    method: str
    base_period: str
    anticipation: int
    alpha: float
    nobs: int
    n_units: int
    n_clusters: int | None
    dropped: pd.DataFrame
    cells: pd.DataFrame = field(repr=False)
    inf: np.ndarray = field(repr=False)
    unit_group: np.ndarray = field(repr=False)
    unit_weight: np.ndarray = field(repr=False)
    cluster_codes: np.ndarray | None = field(repr=False)
    tlist: np.ndarray = field(repr=False)
    bstrap: bool = False
    biters: int = 999
    cband: bool = False
    crit_val: float = 1.959963984540054
    seed: int | None = None
    covariates: tuple = ()
    notes: tuple = ()
    panel: bool = True
    title: str = "Group-time ATT (Callaway & Sant'Anna) / 分组-时期平均处理效应"

    # --- tables -----------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """One row per (group, time): estimate, std_error, conf_low, conf_high.

        Columns: ``group, time, event_time, post, estimate, std_error,
        statistic, p_value, conf_low, conf_high``. Intervals use
        :attr:`crit_val` (a uniform band if bootstrapped with ``cband``);
        p-values are pointwise (normal).
        """
        c = self.cells
        est = c["estimate"].to_numpy()
        se = c["std_error"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        return pd.DataFrame(
            {
                "group": c["group"].to_numpy(),
                "time": c["time"].to_numpy(),
                "event_time": c["time"].to_numpy() - c["group"].to_numpy(),
                "post": c["post"].to_numpy(),
                "estimate": est,
                "std_error": se,
                "statistic": stat,
                "p_value": 2.0 * stats.norm.sf(np.abs(stat)),
                "conf_low": est - self.crit_val * se,
                "conf_high": est + self.crit_val * se,
            }
        )

    def vcov(self) -> pd.DataFrame:
        """Analytical covariance matrix of the ATT(g, t) (influence functions)."""
        V = _if_vcov(self.inf, self.cluster_codes)
        lab = [f"ATT({g},{t})" for g, t in zip(self.cells["group"], self.cells["time"])]
        return pd.DataFrame(V, index=lab, columns=lab)

    def pretrend_test(self) -> dict:
        """Wald test that all pre-treatment ATT(g, t) are zero (R ``did``'s ``W``).

        ``W = n * b' V^-1 b`` over pre-treatment cells with positive variance,
        chi-squared with as many degrees of freedom; uses the analytical
        influence-function covariance.

        Returns
        -------
        dict
            ``statistic``, ``df``, ``p_value`` (None values when there are no
            usable pre-treatment cells).
        """
        c = self.cells
        pre = np.flatnonzero(
            (c["group"].to_numpy() - self.anticipation > c["time"].to_numpy())
            & np.isfinite(c["estimate"].to_numpy())
        )
        n = self.n_units
        V = _if_vcov(self.inf, self.cluster_codes) * n
        if pre.size:
            ok = np.diag(V)[pre] > 0
            pre = pre[ok & np.isfinite(np.diag(V)[pre])]
        if pre.size == 0:
            return {"statistic": None, "df": 0, "p_value": None}
        b = c["estimate"].to_numpy()[pre]
        Vp = V[np.ix_(pre, pre)]
        # R did's guard: no statistic when the pre-period covariance is singular
        # (e.g. more pre-treatment cells than units).
        with np.errstate(all="ignore"):
            rcond = 1.0 / np.linalg.cond(Vp, 1)
        if not np.isfinite(rcond) or rcond <= np.finfo(float).eps:
            return {"statistic": None, "df": int(pre.size), "p_value": None,
                    "note": "singular covariance of the pre-treatment ATT(g, t); no Wald statistic"}
        try:
            stat = float(n * b @ np.linalg.solve(Vp, b))
        except np.linalg.LinAlgError:
            return {"statistic": None, "df": int(pre.size), "p_value": None}
        return {"statistic": stat, "df": int(pre.size), "p_value": float(stats.chi2.sf(stat, pre.size))}

    def aggregate(
        self,
        kind: str = "dynamic",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
        na_rm: bool = False,
        bstrap: bool | None = None,
        biters: int | None = None,
        cband: bool | None = None,
        alpha: float | None = None,
        seed: int | None = None,
    ):
        """Aggregate the ATT(g, t) as R ``did``'s ``aggte``.

        Parameters
        ----------
        kind : {"simple", "dynamic", "group", "calendar"}
            ``simple``: post-treatment cells weighted by cohort size;
            ``dynamic``: by event time ``e = t - g`` (overall = mean over
            ``e >= 0``); ``group``: by cohort; ``calendar``: by period.
        min_e, max_e : float
            Event-time window (``dynamic``; also ``simple`` and ``group``).
        balance_e : int, optional
            ``dynamic`` only: keep cohorts observed for at least ``balance_e``
            periods after treatment, and event times up to ``balance_e``.
        na_rm : bool
            Drop ATT(g, t) that could not be estimated instead of failing.
        bstrap, biters, cband, alpha, seed
            Inference settings; default to those of :func:`att_gt`.

        Returns
        -------
        AggregateResult
            ``.tidy()`` with a ``level`` column; ``.overall`` with
            ``estimate`` and ``std_error``.
        """
        from civictools.evaluate._aggregate import aggregate_att_gt

        return aggregate_att_gt(
            self, kind, min_e=min_e, max_e=max_e, balance_e=balance_e, na_rm=na_rm,
            bstrap=self.bstrap if bstrap is None else bstrap,
            biters=self.biters if biters is None else biters,
            cband=(self.cband if bstrap is None else bool(bstrap)) if cband is None else cband,
            alpha=self.alpha if alpha is None else alpha,
            seed=self.seed if seed is None else seed,
        )

    # --- display ----------------------------------------------------------
    def summary(self) -> Summary:
        """Deterministic summary of the ATT(g, t)."""
        tab = self.tidy()[["group", "time", "estimate", "std_error", "conf_low", "conf_high"]]
        info = [
            ("Outcome", self.outcome),
            ("Units", f"{self.n_units} ({self.nobs} unit-periods)" if self.panel
             else f"{self.nobs} observations (repeated cross-sections)"),
            ("Cohorts", ", ".join(str(g) for g in sorted(pd.unique(self.cells["group"])))),
            ("Comparison group", _CONTROL_LABEL[self.control]),
            ("Estimator", _METHOD_LABEL[self.method] + (f"; covariates: {', '.join(self.covariates)}" if self.covariates else "")),
            ("Base period", self.base_period + (f"; anticipation = {self.anticipation}" if self.anticipation else "")),
            ("Standard errors", _se_label(self)),
        ]
        if self.n_clusters is not None:
            info.append(("Clusters", str(self.n_clusters)))
        pt = self.pretrend_test()
        if pt["statistic"] is not None:
            info.append(("Pre-trend Wald test", f"chi2({pt['df']}) = {format_number(pt['statistic'])}, p = {format_p(pt['p_value'])}"))
        notes = list(self.notes) + drop_notes(self.dropped)
        return Summary(self.title, info, tab, notes)

    def plot(self, groups: Sequence | None = None, ncols: int = 2, truth: pd.DataFrame | None = None):
        """One panel per cohort: ATT(g, t) against period with intervals.

        Parameters
        ----------
        groups : sequence, optional
            Cohorts to show (default all).
        ncols : int
            Panels per row.
        truth : DataFrame, optional
            Columns ``group, time, att``: true effects drawn as a line.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()
        tab = self.tidy()
        gs = list(groups) if groups is not None else sorted(pd.unique(tab["group"]))
        nrows = int(np.ceil(len(gs) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), squeeze=False, sharey=True)
        for ax, g in zip(axes.ravel(), gs):
            sub = tab[tab["group"] == g]
            for post, color in ((0, "0.45"), (1, "C3")):
                s = sub[sub["post"] == post]
                ax.errorbar(
                    s["time"], s["estimate"],
                    yerr=[s["estimate"] - s["conf_low"], s["conf_high"] - s["estimate"]],
                    fmt="o", color=color, capsize=2, lw=1, ms=3.5,
                    label="处理后 / post" if post else "处理前 / pre",
                )
            if truth is not None:
                tr = truth[truth["group"] == g].sort_values("time")
                ax.plot(tr["time"], tr["att"], color="k", lw=1, ls="--", label="真实值 / truth")
            ax.axhline(0.0, color="0.6", lw=0.8)
            ax.axvline(g - 0.5, color="0.6", lw=0.8, ls=":")
            ax.set_title(f"组 / group {g}")
        for ax in axes.ravel()[len(gs):]:
            ax.set_visible(False)
        axes.ravel()[0].legend(fontsize=7)
        fig.suptitle(f"ATT(g, t): {self.outcome}")
        fig.tight_layout()
        return fig


def _if_vcov(inf: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Covariance of the estimates from unit influence functions (``/ n^2``)."""
    n = inf.shape[0]
    m = np.where(np.isfinite(inf), inf, 0.0)
    if cluster is not None:
        m = cluster_sums(m, cluster)
    return m.T @ m / n**2


def _analytic_se(inf: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    n = inf.shape[0]
    if cluster is not None:
        s = cluster_sums(inf, cluster)
        return np.sqrt(np.sum(s**2, axis=0)) / n
    return np.sqrt(np.sum(inf**2, axis=0)) / n


def _uniform_crit(c: float, alpha: float, notes: list) -> tuple[float, bool]:
    """R did's guards on the bootstrap critical value: fall back to pointwise."""
    z = float(stats.norm.ppf(1 - alpha / 2))
    if not np.isfinite(c):
        notes.append("uniform critical value not computable (no finite standard errors); pointwise intervals reported")
        return z, False
    if c < z:
        notes.append("the bootstrap band was narrower than pointwise intervals; pointwise intervals reported")
        return z, False
    if c >= 7:
        notes.append("the uniform critical value is 7 or more: the band is unreliable (small cohorts?)")
    return float(c), True


def _se_label(r: ATTgtResult) -> str:
    if r.bstrap:
        band = f"; uniform {100 * (1 - r.alpha):g}% band, c = {r.crit_val:.3f}" if r.cband else ""
        return f"multiplier bootstrap (Rademacher, B = {r.biters}, seed = {r.seed}){band}"
    return "analytical (influence function)" + (" clustered" if r.n_clusters else "")


# ---------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------


def _require_columns(df: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise EstimationError(
            f"column(s) {', '.join(map(repr, missing))} not found in the data; available: "
            f"{', '.join(map(str, list(df.columns)[:30]))}"
        )


def _as_float(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(s):
        raise EstimationError(
            f"{what} column {col!r} must be numeric (found dtype {s.dtype}); convert it first, "
            f"e.g. with civictools.panel.build_panel or pd.to_numeric(df[{col!r}])"
        )
    return s.to_numpy(dtype=float, na_value=np.nan)


def _covariate_frame(df: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """Numeric covariate columns; categorical ones become dummies (first level dropped)."""
    parts = []
    for c in covariates:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            parts.append(pd.DataFrame({c: s.astype(float)}, index=df.index))
        else:
            dum = pd.get_dummies(s.astype("category"), prefix=c, drop_first=True, dtype=float)
            dum[s.isna().to_numpy()] = np.nan
            parts.append(dum)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index)


@dataclass(frozen=True)
class _Rows:
    """Repeated cross-sections: one independent observation per row."""

    tlist: np.ndarray
    tcode: np.ndarray  # (n,) index into tlist
    y: np.ndarray
    G: np.ndarray
    w: np.ndarray | None
    X: np.ndarray | None  # (n, k) incl. intercept
    x_names: tuple
    cluster: np.ndarray | None
    n_clusters: int | None
    nobs: int


def _prepare_panel(
    df, y, unit, time, first_treat, covariates, weights, cluster, control, anticipation, log: DropLog,
    panel: bool = True,
) -> tuple[_Panel | _Rows, list[str]]:
    if not isinstance(df, pd.DataFrame):
        raise EstimationError("data must be a pandas DataFrame")
    cols = [y, unit, time, first_treat, *covariates] + ([weights] if weights else []) + ([cluster] if cluster else [])
    _require_columns(df, list(dict.fromkeys(cols)))
    yv = _as_float(df, y, "outcome")
    tv = _as_float(df, time, "time")
    gv = _as_float(df, first_treat, "first-treatment")
    if np.isnan(tv).any():
        raise EstimationError(f"time column {time!r} has {int(np.isnan(tv).sum())} missing values; fill or drop them")
    if np.any(tv != np.round(tv)):
        raise EstimationError(f"time column {time!r} must hold whole-number periods (e.g. 1, 2, ... or years)")
    # R's did convention: 0 or missing first treatment = never treated.
    gv = np.where(np.isnan(gv), 0.0, gv)
    xf = _covariate_frame(df, covariates)
    wv = _as_float(df, weights, "weight") if weights else None
    bad = ~np.isfinite(yv) | ~np.isfinite(xf.to_numpy(dtype=float)).all(axis=1) | df[unit].isna().to_numpy()
    if wv is not None:
        bad |= ~np.isfinite(wv)
    if cluster:
        bad |= df[cluster].isna().to_numpy()
    if bad.any():
        na_cols = [c for c in dict.fromkeys([y, unit, *covariates, *([weights] if weights else []), *([cluster] if cluster else [])]) if df[c].isna().any()]
        log.add(f"missing values in {', '.join(na_cols)}", int(bad.sum()), stacklevel=5)
    keep = ~bad
    if wv is not None and (wv[keep] < 0).any():
        raise EstimationError(f"weights column {weights!r} has negative values")
    d = pd.DataFrame({"_u": df[unit].to_numpy()[keep], "_t": tv[keep].astype(np.int64), "_g": gv[keep], "_y": yv[keep]})
    if wv is not None:
        d["_w"] = wv[keep]
    if cluster:
        d["_c"] = df[cluster].to_numpy()[keep]
    xnames = list(xf.columns)
    for j, c in enumerate(xnames):
        d[f"_x{j}"] = xf[c].to_numpy(dtype=float)[keep]
    if not panel:
        # Repeated cross-sections: every row is its own sampling unit.
        d["_u"] = np.arange(len(d))
    dup = d.duplicated(["_u", "_t"])
    if dup.any():
        first = d.loc[dup, ["_u", "_t"]].iloc[0]
        raise EstimationError(
            f"{int(dup.sum())} duplicate ({unit}, {time}) rows, e.g. {unit}={first['_u']!r}, {time}={first['_t']}; "
            "aggregate them first (civictools.panel.build_panel reports them)"
        )
    # Unit-level attributes must not change over time.
    for col, name in (("_g", first_treat), ("_w", weights), ("_c", cluster)):
        if col in d.columns and (d.groupby("_u", sort=False)[col].nunique(dropna=False) > 1).any():
            raise EstimationError(f"column {name!r} varies over time within units; it must be constant per {unit}")

    tall = np.sort(d["_t"].unique())
    # Cohorts first treated after the last period are never treated here (R did).
    late = d["_g"] > tall.max() + anticipation
    notes: list[str] = []
    if late.any():
        n_late = d.loc[late, "_u"].nunique()
        notes.append(f"{n_late} unit(s) first treated after the last period are used as never treated")
        d.loc[late, "_g"] = 0.0
    glist = np.sort(d.loc[d["_g"] > 0, "_g"].unique())
    if glist.size == 0:
        raise EstimationError(f"no treated cohorts: {first_treat!r} is 0 or missing for every unit")
    if not (d["_g"] == 0).any():
        latest = glist.max()
        if control == "never":
            raise EstimationError(
                "there are no never-treated units; use control='notyet' (then the last cohort "
                "serves as comparison group and periods from its treatment on are dropped)"
            )
        cut = d["_t"] >= latest - anticipation
        log.add(f"periods from {int(latest - anticipation)} on (no comparison units once the last cohort is treated)", int(cut.sum()), stacklevel=5)
        d = d[~cut]
        notes.append(f"no never-treated units: cohort {int(latest)} serves only as a not-yet-treated comparison group")
        d = d.assign(_g=np.where(d["_g"] == latest, np.inf, d["_g"]))
    t1 = d["_t"].min()
    early = (d["_g"] > 0) & (d["_g"] <= t1 + anticipation)
    if early.any():
        n_early = d.loc[early, "_u"].nunique()
        log.add(
            f"{n_early} unit(s) already treated in the first period {int(t1)}"
            + (f" (anticipation = {anticipation})" if anticipation else "")
            + " have no untreated period (R did drops them too)",
            int(early.sum()),
            stacklevel=5,
        )
        d = d[~early]
    tlist = np.sort(d["_t"].unique())
    T = tlist.size
    if T < 2:
        raise EstimationError("att_gt needs at least two periods")
    if not panel:
        xr = None
        if xnames:
            xr = np.column_stack([np.ones(len(d)), d[[f"_x{j}" for j in range(len(xnames))]].to_numpy(dtype=float)])
        cl = n_cl = None
        if cluster:
            cl = pd.factorize(d["_c"].to_numpy(), sort=True)[0].astype(np.int64)
            n_cl = int(cl.max()) + 1
        rows = _Rows(
            tlist=tlist, tcode=np.searchsorted(tlist, d["_t"].to_numpy()), y=d["_y"].to_numpy(dtype=float),
            G=d["_g"].to_numpy(dtype=float), w=d["_w"].to_numpy(dtype=float) if "_w" in d.columns else None,
            X=xr, x_names=tuple(xnames), cluster=cl, n_clusters=n_cl, nobs=int(len(d)),
        )
        return rows, notes
    counts = d.groupby("_u", sort=False)["_t"].transform("size")
    unbalanced = counts < T
    if unbalanced.any():
        log.add(
            f"{d.loc[unbalanced, '_u'].nunique()} unit(s) not observed in all {T} periods (panel balanced as R did does)",
            int(unbalanced.sum()),
            stacklevel=5,
        )
        d = d[~unbalanced]
    if len(d) == 0:
        raise EstimationError("no observations left after cleaning")
    d = d.sort_values(["_u", "_t"], kind="stable")
    n = len(d) // T
    units = d["_u"].to_numpy()[::T]
    Y = d["_y"].to_numpy().reshape(n, T)
    G = d["_g"].to_numpy()[::T]
    w = d["_w"].to_numpy()[::T].astype(float) if "_w" in d.columns else None
    if w is not None and not (w.mean() > 0):
        raise EstimationError(f"weights column {weights!r} must have a positive mean")
    X = None
    x_varies = False
    if xnames:
        k = len(xnames)
        raw = d[[f"_x{j}" for j in range(k)]].to_numpy(dtype=float).reshape(n, T, k)
        x_varies = bool(np.any(raw != raw[:, :1, :]))
        ones = np.ones((n, T, 1))
        full = np.concatenate([ones, raw], axis=2)
        X = np.ascontiguousarray(full.transpose(1, 0, 2)) if x_varies else np.ascontiguousarray(full[:, 0, :])
    cl = None
    n_cl = None
    if cluster:
        cl = pd.factorize(d["_c"].to_numpy()[::T], sort=True)[0].astype(np.int64)
        n_cl = int(cl.max()) + 1
    return (
        _Panel(units=units, tlist=tlist, Y=Y, G=G, w=w, X=X, x_varies=x_varies, x_names=tuple(xnames),
               cluster=cl, n_clusters=n_cl, nobs=int(len(d))),
        notes,
    )


def _last_pre_index(g: float, tlist: np.ndarray, anticipation: int) -> int | None:
    idx = np.flatnonzero(tlist + anticipation < g)
    return int(idx[-1]) if idx.size else None


def _plan(glist: np.ndarray, tlist: np.ndarray, base_period: str, anticipation: int) -> list[tuple]:
    """Cells as (g, t index, base index or None for the universal base cell)."""
    plan = []
    T = tlist.size
    tfac = 0 if base_period == "universal" else 1
    for g in glist:
        last_pre = _last_pre_index(g, tlist, anticipation)
        if last_pre is None:  # cannot happen after the first-period drop; kept for safety
            continue
        for ti in range(T - tfac):
            tn = ti + tfac
            pret = last_pre if (base_period == "universal" or g - anticipation <= tlist[tn]) else ti
            if base_period == "universal" and pret == tn:
                plan.append((g, tn, None))
            else:
                plan.append((g, tn, pret))
    return plan


def _comparison(G: np.ndarray, g: float, control: str, thr: float) -> tuple[np.ndarray, np.ndarray]:
    """Treated and comparison masks of a cell (R did's never / not-yet-treated rules)."""
    treated = G == g
    never = G == 0
    if control == "never":
        return treated, never
    ginf = np.where(np.isfinite(G), G, np.inf)
    return treated, never | ((ginf > thr) & ~treated)


def _check_overlap(ps: np.ndarray) -> None:
    if np.max(ps) >= 0.999:
        # R did's overlap check: a (near-)separated logit gives no usable cell.
        raise EstimationError("overlap violated (a propensity score of 0.999 or more)")


def _cells_panel(P: _Panel, plan, control, method, anticipation):
    tlist = P.tlist
    n = P.Y.shape[0]
    K = len(plan)
    inf = np.zeros((n, K))
    att = np.full(K, np.nan)
    kernel = KERNELS[method]
    ps_cache: dict = {}
    X0 = P.X if (P.X is not None and not P.x_varies) else None
    intercept = np.ones((n, 1))
    for j, (g, tn, pret) in enumerate(plan):
        if pret is None:
            att[j] = 0.0
            continue
        thr = max(tlist[tn], tlist[pret]) + anticipation
        treated, ctrl = _comparison(P.G, g, control, thr)
        idx = np.flatnonzero(treated | ctrl)
        if not treated.any() or not ctrl.any():
            warnings.warn(f"no comparison units for group {g:g} in period {tlist[tn]}; ATT set to NaN", CivictoolsWarning, stacklevel=3)
            inf[:, j] = np.nan
            continue
        dy = P.Y[idx, tn] - P.Y[idx, pret]
        d = treated[idx].astype(float)
        if P.X is None:
            Xs, xkey = intercept[: idx.size], -1
        elif X0 is not None:
            Xs, xkey = X0[idx], -1
        else:
            # R did conditions on the covariates of the earlier period of the cell.
            xkey = min(tn, pret)
            Xs = P.X[xkey][idx]
        ws = P.w[idx] if P.w is not None else None
        ps = None
        try:
            if method in ("dr", "ipw") and Xs.shape[1] > 1:
                # The logit depends only on the sample and the covariates: shared across periods.
                key = (g, "never" if control == "never" else thr, xkey)
                ps = ps_cache.get(key)
                if ps is None:
                    wn = ws / ws.mean() if ws is not None else np.ones(idx.size)
                    ps = logit_fit(Xs, d, wn)
                    ps_cache[key] = ps
                _check_overlap(ps)
            a, psi = kernel(dy, d, Xs, ws, ps)
        except EstimationError as exc:
            warnings.warn(f"ATT({g:g}, {tlist[tn]}) not estimated: {exc}", CivictoolsWarning, stacklevel=3)
            inf[:, j] = np.nan
            continue
        att[j] = a
        inf[idx, j] = psi * (n / idx.size)
    return att, inf


def _cells_rc(P: _Rows, plan, control, method, anticipation):
    tlist = P.tlist
    n = P.y.shape[0]
    K = len(plan)
    inf = np.zeros((n, K))
    att = np.full(K, np.nan)
    kernel = KERNELS_RC[method]
    for j, (g, tn, pret) in enumerate(plan):
        if pret is None:
            att[j] = 0.0
            continue
        thr = max(tlist[tn], tlist[pret]) + anticipation
        treated, ctrl = _comparison(P.G, g, control, thr)
        in_t = (P.tcode == tn) | (P.tcode == pret)
        idx = np.flatnonzero(in_t & (treated | ctrl))
        post = (P.tcode[idx] == tn).astype(float)
        d = treated[idx].astype(float)
        if min(np.sum(d * post), np.sum(d * (1 - post)), np.sum((1 - d) * post), np.sum((1 - d) * (1 - post))) == 0:
            warnings.warn(f"ATT({g:g}, {tlist[tn]}) not estimated: no treated or comparison observations in one "
                          "of its two periods", CivictoolsWarning, stacklevel=3)
            inf[:, j] = np.nan
            continue
        Xs = P.X[idx] if P.X is not None else np.ones((idx.size, 1))
        ws = P.w[idx] if P.w is not None else None
        try:
            ps = None
            if method in ("dr", "ipw") and Xs.shape[1] > 1:
                wn = ws / ws.mean() if ws is not None else np.ones(idx.size)
                ps = logit_fit(Xs, d, wn)
                _check_overlap(ps)
            a, psi = kernel(P.y[idx], post, d, Xs, ws, ps)
        except EstimationError as exc:
            warnings.warn(f"ATT({g:g}, {tlist[tn]}) not estimated: {exc}", CivictoolsWarning, stacklevel=3)
            inf[:, j] = np.nan
            continue
        att[j] = a
        inf[idx, j] = psi * (n / idx.size)
    return att, inf


def att_gt(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treat: str,
    covariates: Sequence[str] | str | None = None,
    control: str = "never",
    method: str = "dr",
    anticipation: int = 0,
    base_period: str = "varying",
    weights: str | None = None,
    cluster: str | None = None,
    bstrap: bool = False,
    biters: int = 999,
    alpha: float = 0.05,
    seed: int | None = None,
    panel: bool = True,
    cband: bool | None = None,
) -> ATTgtResult:
    """Group-time average treatment effects of Callaway & Sant'Anna (2021).

    Parameters
    ----------
    df : DataFrame
        Long panel: one row per unit and period.
    y, unit, time : str
        Outcome, unit identifier and (whole-number) period columns.
    first_treat : str
        Period of first treatment; 0 or missing = never treated (R ``did``).
    covariates : sequence of str, optional
        Pre-treatment covariates (the earlier period of each 2x2 cell is used);
        non-numeric columns are expanded to dummies.
    control : {"never", "notyet"}
        Comparison group: never-treated, or not-yet-treated units.
    method : {"dr", "ipw", "reg"}
        Doubly robust (default, as R ``did``), normalised IPW, or outcome regression.
    anticipation : int
        Number of periods before ``first_treat`` in which units may already react.
    base_period : {"varying", "universal"}
        Base period of pre-treatment cells.
    weights : str, optional
        Column of sampling weights (constant within unit).
    cluster : str, optional
        Column of clusters coarser than the unit (constant within unit).
    bstrap : bool
        Multiplier bootstrap for standard errors (Rademacher, ``biters`` draws).
    biters : int
        Bootstrap draws.
    alpha : float
        1 - confidence level.
    seed : int, optional
        Seed of the bootstrap (default ``DEFAULT_SEED``, so reruns agree).
    panel : bool
        True: panel data (balanced as R did does). False: repeated cross-sections,
        every row an independent observation (``unit`` is then not used to link
        rows; pass ``cluster=`` to cluster); the 2x2 cells use the
        repeated-cross-section estimators (``DRDID::drdid_rc``, ``std_ipw_did_rc``,
        ``reg_did_rc``).
    cband : bool, optional
        Simultaneous (uniform) confidence band; defaults to ``bstrap``.

    Returns
    -------
    ATTgtResult

    Warns
    -----
    DataDroppedWarning
        Rows with missing values, units treated in the first period, units not
        observed in every period.

    Examples
    --------
    >>> from civictools.datasets import simulate_rollout
    >>> sim = simulate_rollout(n_units=200, n_periods=6, cohorts=(3, 5), seed=3)
    >>> r = att_gt(sim.data, "y", "unit", "period", "first_treat")
    >>> r.tidy().shape[0], r.n_units
    (10, 200)
    >>> round(float(r.aggregate("simple").overall["estimate"]), 1)
    2.0
    """
    if control not in ("never", "notyet"):
        raise EstimationError(f"control must be 'never' or 'notyet', not {control!r}")
    if method not in KERNELS:
        raise EstimationError(f"method must be one of {', '.join(KERNELS)}, not {method!r}")
    if base_period not in ("varying", "universal"):
        raise EstimationError(f"base_period must be 'varying' or 'universal', not {base_period!r}")
    if int(anticipation) != anticipation or anticipation < 0:
        raise EstimationError("anticipation must be a non-negative whole number")
    if not 0 < alpha < 1:
        raise EstimationError("alpha must lie strictly between 0 and 1")
    anticipation = int(anticipation)
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates or [])
    cband = bool(bstrap) if cband is None else bool(cband)
    seed = DEFAULT_SEED if seed is None else int(seed)
    log = DropLog()
    P, notes = _prepare_panel(df, y, unit, time, first_treat, covariates, weights, cluster, control, anticipation, log,
                              panel=panel)
    tlist = P.tlist
    glist = np.sort(np.unique(P.G[(P.G > 0) & np.isfinite(P.G)]))
    plan = _plan(glist, tlist, base_period, anticipation)
    if panel:
        att, inf = _cells_panel(P, plan, control, method, anticipation)
    else:
        att, inf = _cells_rc(P, plan, control, method, anticipation)
    n = inf.shape[0]
    K = len(plan)
    se = _analytic_se(inf, P.cluster)
    with np.errstate(invalid="ignore"):
        se[~(se > np.sqrt(np.finfo(float).eps) * 10)] = np.nan
    crit = float(stats.norm.ppf(1 - alpha / 2))
    if bstrap:
        bo = multiplier_bootstrap(inf, biters, alpha, np.random.default_rng(seed), P.cluster)
        se = bo["se"]
        if cband:
            crit, cband = _uniform_crit(bo["crit_val"], alpha, notes)
    base_cells = np.array([p[2] is None for p in plan], dtype=bool)
    se[base_cells] = np.nan
    cells = pd.DataFrame(
        {
            "group": np.array([p[0] for p in plan]).astype(np.int64) if K else np.array([], dtype=np.int64),
            "time": np.array([tlist[p[1]] for p in plan], dtype=np.int64),
            "post": np.array([int(p[0] <= tlist[p[1]]) for p in plan], dtype=np.int64),
            "estimate": att,
            "std_error": se,
        }
    )
    Gunit = np.where(np.isfinite(P.G), P.G, 0.0)
    return ATTgtResult(
        outcome=y,
        control=control,
        method=method,
        base_period=base_period,
        anticipation=anticipation,
        alpha=alpha,
        nobs=P.nobs,
        n_units=n,
        n_clusters=P.n_clusters,
        dropped=log.frame(),
        cells=cells,
        inf=inf,
        unit_group=Gunit,
        unit_weight=P.w if P.w is not None else np.ones(n),
        cluster_codes=P.cluster,
        tlist=tlist,
        bstrap=bool(bstrap),
        biters=int(biters),
        cband=bool(cband and bstrap),
        crit_val=crit,
        seed=seed,
        covariates=tuple(covariates),
        notes=tuple(notes),
        panel=bool(panel),
    )
