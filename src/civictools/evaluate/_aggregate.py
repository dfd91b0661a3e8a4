"""Aggregations of group-time ATTs, as R ``did``'s ``aggte`` / ``compute.aggte``.

Every aggregate is a weighted average ``theta = sum_k w_k ATT_k`` of the
ATT(g, t) cells. Its influence function is ``sum_k w_k psi_k`` plus, when the
weights are cohort shares estimated from the data (simple, dynamic by event
time, calendar by period, and the overall cohort average), the influence of
estimating those shares (``wif`` below): with ``p_g = mean_i(w_i 1{G_i = g})``
and normalised weights ``p_k / sum_K p``,

    wif_ik = (w_i 1{G_i = g_k} - p_k) / sum_K p
             - (sum_{l in K} (w_i 1{G_i = g_l} - p_l)) * p_k / (sum_K p)^2,

and the aggregate's influence function gains ``sum_k wif_ik ATT_k``. Standard
errors are ``sqrt(mean(psi^2) / n)`` (clustered: cluster sums), or the
multiplier bootstrap, which also gives uniform bands across the levels
(event times, cohorts or periods). Overall summaries:

* ``simple``: post-treatment cells weighted by cohort size;
* ``dynamic``: the mean of the event-time effects for ``e >= 0``;
* ``group``: cohort effects weighted by cohort size;
* ``calendar``: the mean of the period effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from civictools.evaluate._lazy import stats

from civictools.errors import EstimationError
from civictools.evaluate._mboot import multiplier_bootstrap
from civictools.evaluate._results import ResultMixin, Summary, format_number, plot_estimates

__all__ = ["aggregate_att_gt", "AggregateResult"]

_LEVEL_NAME = {"simple": "overall", "dynamic": "event_time", "group": "group", "calendar": "time"}
_TITLE = {
    "simple": "Simple average of post-treatment ATT(g, t) / 简单加权平均",
    "dynamic": "Event-study aggregation / 按相对时期汇总",
    "group": "Cohort aggregation / 按处理批次汇总",
    "calendar": "Calendar-time aggregation / 按日历时期汇总",
}


@dataclass(frozen=True)
class AggregateResult(ResultMixin):
    """Aggregated group-time effects (from :meth:`ATTgtResult.aggregate`).

    Attributes
    ----------
    kind : str
        ``simple``, ``dynamic``, ``group`` or ``calendar``.
    overall : pandas.Series
        ``estimate``, ``std_error``, ``conf_low``, ``conf_high`` of the overall summary.
    levels : DataFrame
        One row per level (empty for ``simple``).
    inf : numpy.ndarray
        Influence functions ``(n_units, n_levels)``.
    inf_overall : numpy.ndarray
        Influence function of the overall summary.
    crit_val : float
        Critical value of the level intervals (uniform if bootstrapped with a band).
    nobs, n_units : int
        Observations and units of the underlying :func:`att_gt` fit.
    dropped : DataFrame
        Rows removed before estimation (from the :func:`att_gt` fit).
    """

    kind: str
    outcome: str
    overall: pd.Series
    levels: pd.DataFrame
    inf: np.ndarray = field(repr=False)
    inf_overall: np.ndarray = field(repr=False)
    crit_val: float = 1.959963984540054
    alpha: float = 0.05
    bstrap: bool = False
    cband: bool = False
    n_units: int = 0
    nobs: int = 0
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple = ()

    def tidy(self) -> pd.DataFrame:
        """Table with ``level`` (event time, group or period), estimate, std_error, conf_low, conf_high.

        For ``kind="simple"`` (no levels) the single row is the overall estimate
        with ``level = "overall"``.
        """
        if self.kind == "simple":
            o = self.overall
            return pd.DataFrame(
                {"level": ["overall"], "estimate": [o["estimate"]], "std_error": [o["std_error"]],
                 "conf_low": [o["conf_low"]], "conf_high": [o["conf_high"]]}
            )
        lv = self.levels
        out = pd.DataFrame(
            {
                "level": lv["level"].to_numpy(),
                "estimate": lv["estimate"].to_numpy(),
                "std_error": lv["std_error"].to_numpy(),
                "conf_low": lv["estimate"].to_numpy() - self.crit_val * lv["std_error"].to_numpy(),
                "conf_high": lv["estimate"].to_numpy() + self.crit_val * lv["std_error"].to_numpy(),
            }
        )
        if self.kind == "dynamic":
            out["post"] = (out["level"] >= 0).astype(np.int64)
        return out

    def summary(self) -> Summary:
        o = self.overall
        info = [
            ("Outcome", self.outcome),
            ("Overall", f"{format_number(o['estimate'])} (SE {format_number(o['std_error'])}; "
                        f"{100 * (1 - self.alpha):g}% CI {format_number(o['conf_low'])} to {format_number(o['conf_high'])})"),
            ("Standard errors", "multiplier bootstrap" if self.bstrap else "analytical (influence function)"),
        ]
        if self.kind == "dynamic":
            info.insert(2, ("Overall is", "the average of event times e >= 0 (R did)"))
        if self.cband:
            info.append(("Band", f"uniform {100 * (1 - self.alpha):g}% band, critical value {self.crit_val:.3f}"))
        tab = self.tidy() if self.kind != "simple" else pd.DataFrame()
        if len(tab):
            tab = tab.rename(columns={"level": _LEVEL_NAME[self.kind]})
        return Summary(_TITLE[self.kind], info, tab, list(self.notes))

    def plot(self, ax=None, truth: pd.DataFrame | None = None, label: str | None = None, color: str = "C0"):
        """Plot the levels with intervals (event study for ``dynamic``).

        ``truth``: a DataFrame with columns ``level`` (or ``event_time``) and ``att``
        drawn as a dashed line. Returns the Axes.
        """
        if self.kind == "simple":
            raise EstimationError("nothing to plot for kind='simple' (a single number)")
        xl = {"dynamic": "相对处理时期 / event time", "group": "处理批次 / cohort", "calendar": "时期 / period"}[self.kind]
        return plot_estimates(ax, self.tidy(), x="level", marker="o", color=color,
                              label=label or "Callaway-Sant'Anna", truth=truth, xlabel=xl,
                              title=f"{_TITLE[self.kind]}: {self.outcome}", ref_line=self.kind == "dynamic")


def _wif(keepers: np.ndarray, pg: np.ndarray, weights_ind: np.ndarray, G: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Influence of the estimated cohort-share weights, ``(n, len(keepers))``."""
    pk = pg[keepers]
    s = pk.sum()
    ind = weights_ind[:, None] * (G[:, None] == group[keepers][None, :]) - pk[None, :]
    return ind / s - np.outer(ind.sum(axis=1), pk / s**2)


def _se(psi: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    psi = np.asarray(psi, dtype=float)
    if psi.ndim == 1:
        psi = psi[:, None]
    n = psi.shape[0]
    if cluster is not None:
        from civictools.evaluate._mboot import cluster_sums

        s = cluster_sums(psi, cluster)
        out = np.sqrt(np.sum(s**2, axis=0)) / n
    else:
        out = np.sqrt(np.sum(psi**2, axis=0)) / n
    out[~(out > 0)] = np.nan
    return out


def aggregate_att_gt(
    res,
    kind: str = "dynamic",
    *,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    balance_e: int | None = None,
    na_rm: bool = False,
    bstrap: bool = False,
    biters: int = 999,
    cband: bool = False,
    alpha: float = 0.05,
    seed: int | None = None,
) -> AggregateResult:
    """Aggregate an :class:`~civictools.evaluate.att_gt.ATTgtResult`; see :meth:`ATTgtResult.aggregate`."""
    if kind not in _LEVEL_NAME:
        raise EstimationError(f"kind must be one of simple, dynamic, group, calendar; not {kind!r}")
    if balance_e is not None and (int(balance_e) != balance_e or balance_e < 0):
        raise EstimationError("balance_e must be a non-negative whole number")
    cells = res.cells
    group = cells["group"].to_numpy().astype(float)
    t = cells["time"].to_numpy().astype(float)
    att = cells["estimate"].to_numpy().astype(float)
    inffunc = res.inf
    notes: list[str] = []
    missing = ~np.isfinite(att)
    if missing.any():
        if not na_rm:
            raise EstimationError(
                f"{int(missing.sum())} ATT(g, t) could not be estimated (see the warnings of att_gt); "
                "pass na_rm=True to aggregate the others"
            )
        keep = ~missing
        notes.append(f"{int(missing.sum())} ATT(g, t) not estimated and left out (na_rm=True)")
        group, t, att, inffunc = group[keep], t[keep], att[keep], inffunc[:, keep]
    inffunc = np.where(np.isfinite(inffunc), inffunc, 0.0)
    glist = np.unique(group)
    G = res.unit_group.astype(float)
    wind = res.unit_weight.astype(float)
    cl = res.cluster_codes
    n = inffunc.shape[0]
    pgg = np.array([np.mean(wind * (G == g)) for g in glist])
    pg = pgg[np.searchsorted(glist, group)]
    e_all = t - group
    in_window = (group <= t) & (e_all >= min_e) & (e_all <= max_e)
    keepers = np.flatnonzero(in_window)
    z = float(stats.norm.ppf(1 - alpha / 2))
    rng = np.random.default_rng(seed)

    def agg_if(which, wts, wif=None, a=None):
        psi = inffunc[:, which] @ wts
        if wif is not None:
            psi = psi + wif @ a[which]
        return psi

    def se_of(psi_mat):
        if bstrap:
            return multiplier_bootstrap(psi_mat, biters, alpha, rng, cl)["se"]
        return _se(psi_mat, cl)

    if balance_e is not None and kind != "dynamic":
        notes.append(f"balance_e is ignored for kind={kind!r} (dynamic only)")

    levels = None
    inf_levels = np.zeros((n, 0))
    crit = z
    if kind == "simple":
        if keepers.size == 0:
            raise EstimationError("no post-treatment ATT(g, t) in the requested event-time window")
        w = pg[keepers] / pg[keepers].sum()
        est = float(att[keepers] @ w)
        psi = agg_if(keepers, w, _wif(keepers, pg, wind, G, group), att)
    elif kind == "group":
        att_g, inf_g = [], []
        for g in glist:
            wh = np.flatnonzero((group == g) & in_window)
            if wh.size == 0:
                raise EstimationError(f"cohort {g:g} has no post-treatment ATT(g, t) in the event-time window")
            wts = pg[wh] / pg[wh].sum()
            att_g.append(float(att[wh] @ wts))
            inf_g.append(agg_if(wh, wts))
        att_g = np.array(att_g)
        inf_levels = np.column_stack(inf_g)
        est = float(att_g @ pgg / pgg.sum())
        keep_g = np.arange(glist.size)
        psi = inf_levels @ (pgg / pgg.sum()) + _wif(keep_g, pgg, wind, G, glist) @ att_g
        levels = pd.DataFrame({"level": glist.astype(np.int64), "estimate": att_g})
    elif kind == "dynamic":
        eseq = np.unique(e_all)
        include = np.ones(group.size, dtype=bool)
        if balance_e is not None:
            maxT = float(np.max(res.tlist))
            include = (maxT - group) >= balance_e
            eseq = np.unique(e_all[include])
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - maxT + float(np.min(res.tlist)))]
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        if eseq.size == 0:
            raise EstimationError("no event times in the requested window (min_e, max_e, balance_e)")
        att_e, inf_e = [], []
        for e in eseq:
            wh = np.flatnonzero((e_all == e) & include)
            wts = pg[wh] / pg[wh].sum()
            att_e.append(float(att[wh] @ wts))
            inf_e.append(agg_if(wh, wts, _wif(wh, pg, wind, G, group), att))
        att_e = np.array(att_e)
        inf_levels = np.column_stack(inf_e)
        epos = eseq >= 0
        if not epos.any():
            raise EstimationError("no event times e >= 0 in the window; the overall average is undefined")
        est = float(att_e[epos].mean())
        psi = inf_levels[:, epos].mean(axis=1)
        levels = pd.DataFrame({"level": eseq.astype(np.int64), "estimate": att_e})
    else:  # calendar
        if np.isfinite(min_e) or np.isfinite(max_e) or balance_e is not None:
            notes.append("min_e, max_e and balance_e are ignored for kind='calendar'")
        tl = np.unique(t[t >= group.min()])
        tl = np.array([tt for tt in tl if np.any((t == tt) & (group <= t))])
        if tl.size == 0:
            raise EstimationError("no calendar periods with post-treatment ATT(g, t)")
        att_t, inf_t = [], []
        for tt in tl:
            wh = np.flatnonzero((t == tt) & (group <= t))
            wts = pg[wh] / pg[wh].sum()
            att_t.append(float(att[wh] @ wts))
            inf_t.append(agg_if(wh, wts, _wif(wh, pg, wind, G, group), att))
        att_t = np.array(att_t)
        inf_levels = np.column_stack(inf_t)
        est = float(att_t.mean())
        psi = inf_levels.mean(axis=1)
        levels = pd.DataFrame({"level": tl.astype(np.int64), "estimate": att_t})

    se_overall = float(se_of(psi[:, None])[0])
    if levels is not None:
        levels["std_error"] = se_of(inf_levels)
        if cband:
            from civictools.evaluate.att_gt import _uniform_crit

            bo = multiplier_bootstrap(inf_levels, biters, alpha, rng, cl)
            crit, cband = _uniform_crit(bo["crit_val"], alpha, notes)
    overall = pd.Series(
        {"estimate": est, "std_error": se_overall, "conf_low": est - z * se_overall, "conf_high": est + z * se_overall}
    )
    return AggregateResult(
        kind=kind,
        outcome=res.outcome,
        overall=overall,
        levels=levels if levels is not None else pd.DataFrame(columns=["level", "estimate", "std_error"]),
        inf=inf_levels,
        inf_overall=psi,
        crit_val=crit,
        alpha=alpha,
        bstrap=bool(bstrap),
        cband=bool(cband and levels is not None),
        n_units=n,
        nobs=int(res.nobs),
        dropped=res.dropped,
        notes=tuple(notes),
    )
