"""Goodman-Bacon (2021) decomposition of the TWFE difference-in-differences estimate.

With a balanced panel and an absorbing binary treatment adopted at different
times, the TWFE coefficient is a weighted average of all 2x2 DiD comparisons
between timing groups (Goodman-Bacon 2021, *J. Econometrics* 225(2), Theorem 1):

* ``treated_vs_never``: a timing group against the never-treated units (whole sample);
* ``earlier_vs_later``: an earlier group, treated, against a later group not yet
  treated (periods before the later group starts);
* ``later_vs_earlier``: a later group against an earlier, already treated group
  (periods after the earlier group starts) -- the comparison that biases TWFE
  when effects change over time;
* ``later_vs_always``: a group against units treated in every period.

Each 2x2 estimate is the TWFE coefficient in its sub-panel; its weight is the
sub-panel's squared share of all observations times the variance of the
two-way-demeaned treatment within it, divided by the same variance in the full
panel (the theorem's ``s`` weights). The weights sum to one and the weighted
average reproduces the TWFE coefficient; both identities are checked at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civictools.errors import EstimationError
from civictools.evaluate._fe import demean
from civictools.evaluate._results import ResultMixin, Summary, format_number

__all__ = ["bacon_decomposition", "BaconResult"]

_LABELS = {
    "treated_vs_never": "treated vs never treated / 处理组对从未处理组",
    "earlier_vs_later": "earlier vs later treated / 早处理组对晚处理组(未处理期)",
    "later_vs_earlier": "later vs earlier treated / 晚处理组对已处理的早处理组",
    "later_vs_always": "later vs always treated / 晚处理组对始终处理组",
}


def _two_way(y: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """TWFE slope and the mean squared two-way-demeaned treatment of a balanced block.

    ``y`` and ``d`` are (units, periods) arrays.
    """
    dd = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    vd = float((dd * dd).mean())
    if vd <= 0:
        return float("nan"), 0.0
    return float((dd * y).sum() / (dd * dd).sum()), vd


@dataclass(frozen=True, repr=False)
class BaconResult(ResultMixin):
    """Result of :func:`bacon_decomposition`.

    Attributes
    ----------
    components : DataFrame
        One row per 2x2 comparison: type, treated, control, estimate, weight.
    twfe_estimate : float
        The TWFE coefficient (equal to ``sum(weight * estimate)``).
    nobs : int
        Observations (units x periods).
    dropped : DataFrame
        Always empty: the decomposition refuses incomplete panels instead.
    """

    components: pd.DataFrame
    twfe_estimate: float
    nobs: int
    n_units: int
    n_periods: int
    outcome: str
    dropped: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The 2x2 comparisons (type, treated, control, estimate, weight)."""
        return self.components.copy()

    def by_type(self) -> pd.DataFrame:
        """Total weight and weighted average estimate per comparison type."""
        c = self.components
        g = c.assign(we=c["weight"] * c["estimate"]).groupby("type", sort=False)
        out = pd.DataFrame({"weight": g["weight"].sum(), "estimate": g["we"].sum() / g["weight"].sum()})
        return out.reset_index()

    def summary(self) -> Summary:
        tab = self.by_type()
        tab["label"] = tab["type"].map(_LABELS)
        info = [
            ("Outcome", self.outcome),
            ("Panel", f"{self.n_units} units x {self.n_periods} periods = {self.nobs} observations"),
            ("TWFE estimate", format_number(self.twfe_estimate, 8)),
            ("2x2 comparisons", str(len(self.components))),
        ]
        notes = [
            "Goodman-Bacon (2021): TWFE = sum(weight x 2x2 estimate); 'later_vs_earlier' uses "
            "already-treated units as controls and is biased when effects change over time."
        ]
        return Summary("Goodman-Bacon decomposition / 培根分解", info, tab[["type", "label", "weight", "estimate"]], notes)

    def plot(self, ax=None):
        """Scatter of 2x2 estimates against their weights, by comparison type."""
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.0))
        markers = {"treated_vs_never": "o", "earlier_vs_later": "s", "later_vs_earlier": "^", "later_vs_always": "D"}
        for typ, sub in self.components.groupby("type", sort=False):
            ax.scatter(sub["weight"], sub["estimate"], marker=markers.get(typ, "o"), label=_LABELS.get(typ, typ))
        ax.axhline(self.twfe_estimate, color="0.4", ls="--", lw=0.9, label=f"TWFE = {self.twfe_estimate:.4f}")
        ax.set_xlabel("权重 / weight")
        ax.set_ylabel("2x2 DiD 估计 / estimate")
        ax.legend(fontsize=8)
        return ax


def bacon_decomposition(df: pd.DataFrame, y: str, unit: str, time: str, treat: str) -> BaconResult:
    """Decompose the TWFE DiD coefficient into Goodman-Bacon 2x2 comparisons.

    Parameters
    ----------
    df : DataFrame
        Balanced panel: every unit observed once in every period, no missing values.
    y : str
        Outcome column.
    unit, time : str
        Unit and period columns (periods are ordered by their sort order).
    treat : str
        Binary, absorbing treatment (0 before adoption, 1 from adoption on).

    Returns
    -------
    BaconResult

    Raises
    ------
    EstimationError
        Unbalanced panel, missing values, non-binary or switching-off treatment.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(6), 4), "t": np.tile(np.arange(4), 6)})
    >>> d["g"] = d.u.map({0: 1, 1: 1, 2: 2, 3: 2, 4: 99, 5: 99})
    >>> d["d"] = (d.t >= d.g).astype(int)
    >>> d["y"] = d.u + d.t + d.d * (1 + d.t) + 0.1 * np.sin(d.index)
    >>> b = bacon_decomposition(d, "y", "u", "t", "d")
    >>> round(float(b.components.weight.sum()), 12)
    1.0
    >>> sorted(b.components.type.unique())
    ['earlier_vs_later', 'later_vs_earlier', 'treated_vs_never']
    """
    for c in (y, unit, time, treat):
        if c not in df.columns:
            raise EstimationError(f"column {c!r} not found in the data")
    sub = df[[unit, time, y, treat]]
    na = sub.isna().any(axis=1)
    if na.any():
        raise EstimationError(
            f"{int(na.sum())} row(s) have missing values in {', '.join(sub.columns[sub.isna().any()])}; "
            "the decomposition needs a balanced panel: drop those units (not rows) first"
        )
    for c in (y, treat):
        if not pd.api.types.is_numeric_dtype(sub[c]) and not pd.api.types.is_bool_dtype(sub[c]):
            raise EstimationError(f"column {c!r} must be numeric")
    if sub.duplicated([unit, time]).any():
        first = sub[sub.duplicated([unit, time], keep=False)].iloc[0]
        raise EstimationError(f"duplicate (unit, time) rows, e.g. {unit}={first[unit]!r}, {time}={first[time]!r}")
    units, ui = np.unique(sub[unit].to_numpy(), return_inverse=True)
    times, ti = np.unique(sub[time].to_numpy(), return_inverse=True)
    N, T = len(units), len(times)
    if len(sub) != N * T:
        raise EstimationError(
            f"the Goodman-Bacon decomposition needs a balanced panel: {len(sub)} rows for {N} units x "
            f"{T} periods ({N * T - len(sub)} unit-period cells missing); balance the panel first "
            "(e.g. keep units observed in every period)"
        )
    Y = np.empty((N, T))
    D = np.empty((N, T))
    Y[ui, ti] = sub[y].to_numpy(dtype=float)
    D[ui, ti] = sub[treat].to_numpy(dtype=float)
    if not np.isin(D, (0.0, 1.0)).all():
        raise EstimationError(f"treatment {treat!r} must be binary 0/1")
    if (np.diff(D, axis=1) < 0).any():
        bad = units[np.flatnonzero((np.diff(D, axis=1) < 0).any(axis=1))[0]]
        raise EstimationError(
            f"treatment {treat!r} switches off for unit {bad!r}; the decomposition needs absorbing treatment"
        )
    # timing group: number of untreated periods (T = never, 0 = always treated)
    start = np.where(D.any(axis=1), np.argmax(D == 1, axis=1), T)
    groups = np.unique(start)
    if groups.size < 2:
        raise EstimationError("all units share one treatment timing; there is nothing to compare")
    twfe_b, v_full = _two_way(Y, D)
    if v_full <= 0:
        raise EstimationError("the treatment has no variation after removing unit and period effects")

    def label(s: int) -> object:
        if s == T:
            return "never"
        if s == 0:
            return "always"
        return times[s]

    rows = []
    timed = [s for s in groups if 0 < s < T]
    for k in timed:  # treated vs never
        if T in groups:
            idx = (start == k) | (start == T)
            b, v = _two_way(Y[idx], D[idx])
            w = (idx.sum() / N) ** 2 * v
            rows.append(("treated_vs_never", label(k), "never", b, w))
    for a in groups:
        for l in timed:
            if not a < l:
                continue
            idx = (start == a) | (start == l)
            if a > 0:  # earlier a treated vs later l, periods before l starts
                b, v = _two_way(Y[idx][:, :l], D[idx][:, :l])
                w = (idx.sum() / N * l / T) ** 2 * v
                if w > 0:
                    rows.append(("earlier_vs_later", label(a), label(l), b, w))
            # later l treated vs earlier (or always-treated) a, periods from a's start
            b, v = _two_way(Y[idx][:, a:], D[idx][:, a:])
            w = (idx.sum() / N * (T - a) / T) ** 2 * v
            if w > 0:
                rows.append(("later_vs_always" if a == 0 else "later_vs_earlier", label(l), label(a), b, w))
    comp = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    total = comp["weight"].sum()
    if not np.isclose(total, v_full, rtol=1e-9, atol=0):
        raise EstimationError(  # pragma: no cover - guards the theorem's identity
            f"internal check failed: 2x2 weights sum to {total} but the treatment variance is {v_full}"
        )
    comp["weight"] = comp["weight"] / total
    implied = float((comp["weight"] * comp["estimate"]).sum())
    if not np.isclose(implied, twfe_b, rtol=1e-8, atol=1e-10):
        raise EstimationError(  # pragma: no cover
            f"internal check failed: weighted 2x2 estimates {implied} differ from TWFE {twfe_b}"
        )
    # the TWFE coefficient from the general engine, independent of the block formula
    fe = np.column_stack([ui, ti]).astype(np.int64)
    dm = demean(np.column_stack([sub[y].to_numpy(dtype=float), sub[treat].to_numpy(dtype=float)]), fe)
    beta = float(dm[:, 0] @ dm[:, 1] / (dm[:, 1] @ dm[:, 1]))
    return BaconResult(
        components=comp,
        twfe_estimate=beta,
        nobs=N * T,
        n_units=N,
        n_periods=T,
        outcome=y,
        dropped=pd.DataFrame({"reason": pd.Series(dtype=object), "count": pd.Series(dtype="int64")}),
    )
