"""Randomization (permutation) inference for staggered adoption: permute timing across units.

Under the sharp null of no effect for anyone, the outcomes do not depend on who
was treated when, so the TWFE estimate computed after reassigning the units'
first-treatment dates (a random permutation of the vector of unit timings,
never-treated units included) traces the estimator's null distribution. This
is valid with any number of clusters, which is why it complements the wild
cluster bootstrap when treated units are few (Young 2019; MacKinnon & Webb 2020).

Re-estimation is cheap: the outcome and covariates are demeaned once; each
permutation demeans only the new treatment column and applies Frisch-Waugh-Lovell.
When the number of distinct timing assignments ``N! / prod(n_g!)`` is at most
``n_perm`` they are all enumerated and the p-value is exact.

p-value (two-sided): ``#{|T_perm| >= |T_obs|} / M`` over the ``M`` assignments,
where random draws also count the observed assignment (``(1 + #) / (1 + n_perm)``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from math import factorial, prod
from typing import Sequence

import numpy as np
import pandas as pd

from civictools.errors import EstimationError
from civictools.evaluate._fe import _Demeaner
from civictools.evaluate._results import DropLog, ResultMixin, Summary, format_number, format_p
from civictools.evaluate.twfe import _check_columns, _prepare

__all__ = ["randomization_inference", "RIResult"]


def _multiset_permutations(items: list) -> list[tuple]:
    """All distinct orderings of a multiset (lexicographic, no duplicates)."""
    a = sorted(items)
    out = [tuple(a)]
    n = len(a)
    while True:
        i = n - 2
        while i >= 0 and a[i] >= a[i + 1]:
            i -= 1
        if i < 0:
            return out
        j = n - 1
        while a[j] <= a[i]:
            j -= 1
        a[i], a[j] = a[j], a[i]
        a[i + 1 :] = reversed(a[i + 1 :])
        out.append(tuple(a))


@dataclass(frozen=True, repr=False)
class RIResult(ResultMixin):
    """Result of :func:`randomization_inference`.

    Attributes
    ----------
    estimate : float
        Observed statistic (TWFE coefficient or its t statistic).
    p_value : float
        Permutation p-value.
    distribution : numpy.ndarray
        Statistic under each permuted (or enumerated) assignment.
    n_perm : int
        Number of assignments evaluated.
    exact : bool
        True when all distinct assignments were enumerated.
    """

    term: str
    statistic: str
    estimate: float
    p_value: float
    distribution: np.ndarray = field(repr=False)
    n_perm: int
    exact: bool
    alternative: str
    seed: object
    nobs: int
    n_units: int
    dropped: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """One row: term, statistic, estimate, p_value, n_perm, exact."""
        return pd.DataFrame(
            {
                "term": [self.term],
                "statistic": [self.statistic],
                "estimate": [self.estimate],
                "p_value": [self.p_value],
                "n_perm": [self.n_perm],
                "exact": [self.exact],
            }
        )

    def summary(self) -> Summary:
        how = "all distinct timing assignments enumerated" if self.exact else f"{self.n_perm} random permutations, seed = {self.seed}"
        info = [
            ("Statistic", f"TWFE {'coefficient' if self.statistic == 'coef' else 't statistic (CR1)'} of {self.term}"),
            ("Observed", format_number(self.estimate)),
            ("Permutations", how),
            ("Alternative", self.alternative),
            ("p-value", format_p(self.p_value)),
            ("Units / observations", f"{self.n_units} / {self.nobs}"),
        ]
        notes = [f"{c} row(s) dropped: {r}." for r, c in self.dropped.itertuples(index=False)]
        return Summary("Randomization inference (timing permuted across units) / 随机化推断", info, pd.DataFrame(), notes)

    def plot(self, ax=None, bins: int = 40):
        """Histogram of the permutation distribution with the observed value."""
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()
        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 3.6))
        ax.hist(self.distribution, bins=bins, color="0.7", edgecolor="white")
        ax.axvline(self.estimate, color="C3", lw=2, label=f"observed = {self.estimate:.4g}")
        ax.set_xlabel("置换分布 / permutation distribution")
        ax.set_ylabel("频数 / count")
        ax.set_title(f"随机化推断 / randomization inference, p = {format_p(self.p_value)}")
        ax.legend(fontsize=8)
        return ax


def randomization_inference(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treat: str,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    n_perm: int = 999,
    seed: int | None = 12345,
    statistic: str = "coef",
    cluster: str | None = None,
    alternative: str = "two-sided",
) -> RIResult:
    """Permutation test of the TWFE treatment effect by reassigning adoption dates.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    y, unit, time : str
        Outcome, unit and (numeric) period columns.
    first_treat : str
        Unit's first treatment period (0 or missing = never treated); the treatment
        is ``time >= first_treat``.
    covariates : sequence of str
        Time-varying controls (kept fixed across permutations).
    weights : str, optional
        Regression weights column.
    n_perm : int
        Random permutations (all assignments are enumerated when there are at most
        ``n_perm`` distinct ones).
    seed : int, optional
        Seed for ``numpy.random.default_rng``.
    statistic : {"coef", "t"}
        Permute the coefficient or its cluster-robust t statistic (studentized,
        more robust to heteroskedasticity across units).
    cluster : str, optional
        Cluster column for ``statistic="t"`` (default: the unit).
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    RIResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(8), 4), "t": np.tile(np.arange(1, 5), 8)})
    >>> d["g"] = d.u.map(lambda u: 3 if u < 2 else 0)
    >>> d["y"] = d.u + d.t + 2.0 * ((d.g > 0) & (d.t >= d.g)) + rng.normal(0, 0.3, len(d))
    >>> ri = randomization_inference(d, "y", "u", "t", "g")
    >>> ri.exact, ri.n_perm          # 8! / (2! 6!) = 28 assignments
    (True, 28)
    >>> round(ri.p_value, 4)         # the observed assignment is the most extreme
    0.0357
    """
    if statistic not in ("coef", "t"):
        raise EstimationError("statistic must be 'coef' or 't'")
    if alternative not in ("two-sided", "greater", "less"):
        raise EstimationError("alternative must be 'two-sided', 'greater' or 'less'")
    if int(n_perm) < 1:
        raise EstimationError("n_perm must be positive")
    _check_columns(df, [y, unit, time, first_treat])
    if not pd.api.types.is_numeric_dtype(df[time]) or not pd.api.types.is_numeric_dtype(df[first_treat]):
        raise EstimationError(f"columns {time!r} and {first_treat!r} must be numeric periods")
    g_unit = df.groupby(unit, sort=False)[first_treat].nunique(dropna=False)
    if (g_unit > 1).any():
        raise EstimationError(
            f"column {first_treat!r} varies within unit {g_unit.index[g_unit > 1][0]!r}; it must be the unit's first treatment period"
        )
    cluster = cluster or unit
    tmp = df.assign(__d__=0.0)
    log = DropLog()
    prep = _prepare(
        tmp, y, ["__d__", *covariates], [unit, time], cluster=cluster if statistic == "t" else None,
        weights=weights, log=log,
    )
    idx = prep["index"]
    fe, w = prep["fe"], prep["w"]
    ucodes = fe[:, 0]
    tvals = df.loc[idx, time].to_numpy(dtype=float)
    gv = df.loc[idx, first_treat].to_numpy(dtype=float)
    n_units = int(ucodes.max()) + 1
    g_by_unit = np.full(n_units, np.nan)
    g_by_unit[ucodes] = gv
    g_by_unit = np.where(np.isfinite(g_by_unit), g_by_unit, 0.0)
    if not (g_by_unit > 0).any():
        raise EstimationError("no unit is ever treated; nothing to test")

    ww = w if w is not None else np.ones(len(idx))
    Xc = prep["X"][:, 1:]
    yd = prep["y"]
    if Xc.shape[1]:
        A = np.linalg.inv(Xc.T @ (Xc * ww[:, None]))
        part = lambda v: v - Xc @ (A @ (Xc.T @ (ww * v)))  # noqa: E731
    else:
        part = lambda v: v  # noqa: E731
    yt = part(yd)
    codes = prep["cluster_codes"]

    dm = _Demeaner(fe, w)

    def stat(g_assign: np.ndarray) -> float:
        gi = g_assign[ucodes]
        dv = ((gi > 0) & (tvals >= gi)).astype(float)[:, None]
        dm.apply(dv)
        dt = part(dv[:, 0])
        den = float((ww * dt * dt).sum())
        if den <= 1e-12 * len(dt):
            return np.nan
        b = float((ww * dt * yt).sum()) / den
        if statistic == "coef":
            return b
        u = yt - b * dt
        s = np.bincount(codes, weights=ww * dt * u)
        return b / (np.sqrt((s * s).sum()) / den)

    observed = stat(g_by_unit)
    counts = Counter(g_by_unit.tolist())
    n_distinct = factorial(n_units) // prod(factorial(c) for c in counts.values())
    if n_distinct <= int(n_perm):
        assigns = _multiset_permutations(g_by_unit.tolist())
        dist = np.array([stat(np.array(a)) for a in assigns])
        exact = True
    else:
        rng = np.random.default_rng(seed)
        dist = np.array([stat(rng.permutation(g_by_unit)) for _ in range(int(n_perm))])
        exact = False
    valid = dist[np.isfinite(dist)]
    tol = 1e-10 * max(1.0, abs(observed))
    if alternative == "two-sided":
        hits = np.abs(valid) >= abs(observed) - tol
    elif alternative == "greater":
        hits = valid >= observed - tol
    else:
        hits = valid <= observed + tol
    if exact:
        p = float(hits.mean())
    else:
        p = float((1 + hits.sum()) / (1 + valid.size))
    return RIResult(
        term=f"{first_treat} (time >= {first_treat})",
        statistic=statistic,
        estimate=float(observed),
        p_value=p,
        distribution=dist,
        n_perm=int(dist.size),
        exact=exact,
        alternative=alternative,
        seed=seed,
        nobs=len(idx),
        n_units=n_units,
        dropped=log.frame(),
    )
