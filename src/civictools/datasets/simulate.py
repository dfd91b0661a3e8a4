"""A documented simulation of a staggered programme roll-out with known truth.

The data-generating process (all parameters are arguments):

* Units get a covariate ``x`` (think: standardised share of residents aged
  60+). Adoption is *not* random: units with larger ``x`` tend to join
  earlier cohorts (``selection`` sets how strongly), and never-treated units
  have the smallest ``x``.
* Untreated outcome: ``y0 = alpha_i + gamma_t + eps``, with unit effects
  correlated with ``x`` (``alpha_i = level_x * x_i + u_i``), so naive
  treated-versus-untreated comparisons are biased, while parallel trends hold.
* Treatment effect of cohort ``g`` at event time ``e = t - g >= 0``::

      tau(g, e) = effect * m_g * (1 + growth * min(e, growth_cap))

  where ``m_g`` falls linearly from ``1 + heterogeneity`` (earliest cohort)
  to ``1`` (latest cohort). Effects that differ by cohort and grow with
  exposure are exactly what biases two-way fixed effects (Goodman-Bacon
  2021; de Chaisemartin & D'Haultfoeuille 2020).

The ``truth`` table holds ``tau(g, e)`` for every cohort and period, which is
the ATT(g, t) of Callaway & Sant'Anna (2021) in this design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from civictools.errors import CivictoolsError

__all__ = ["simulate_rollout", "SimulatedRollout"]


@dataclass(frozen=True)
class SimulatedRollout:
    """Result of :func:`simulate_rollout`.

    Attributes
    ----------
    data : DataFrame
        One row per unit and period: ``unit, period, first_treat, x, treated,
        y, y0, te`` (``te`` is the unit's true effect, 0 when untreated).
    truth : DataFrame
        ``group, time, event_time, att, n_units``: the true ATT(g, t).
    params : dict
        The arguments that produced the data.
    """

    data: pd.DataFrame
    truth: pd.DataFrame
    params: dict = field(default_factory=dict)

    def aggregate_truth(self, kind: str = "dynamic") -> pd.DataFrame:
        """True aggregates, weighted by cohort size as R's ``did`` does.

        Parameters
        ----------
        kind : {"dynamic", "group", "simple"}
            ``dynamic``: by event time; ``group``: by cohort (post periods);
            ``simple``: one number over all treated unit-periods.
        """
        post = self.truth[self.truth["event_time"] >= 0]
        w = post["n_units"].astype(float)
        if kind == "dynamic":
            g = post.assign(w=w, wa=w * post["att"]).groupby("event_time")
            return (g["wa"].sum() / g["w"].sum()).rename("att").reset_index()
        if kind == "group":
            return post.groupby("group")["att"].mean().rename("att").reset_index()
        if kind == "simple":
            return pd.DataFrame({"att": [float(np.average(post["att"], weights=w))]})
        raise CivictoolsError(f"kind must be 'dynamic', 'group' or 'simple', not {kind!r}")

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>SimulatedRollout</b>: {self.data['unit'].nunique()} units × "
            f"{self.data['period'].nunique()} periods; true ATT(g, t) below.</p>"
        )
        return head + self.truth.head(20).to_html(index=False)


def simulate_rollout(
    n_units: int = 500,
    n_periods: int = 20,
    cohorts: Sequence[int] = (6, 10, 14),
    *,
    never_share: float = 0.25,
    effect: float = 1.0,
    heterogeneity: float = 1.0,
    growth: float = 0.2,
    growth_cap: int = 10,
    selection: float = 1.0,
    level_x: float = 1.0,
    noise: float = 1.0,
    seed: int = 0,
) -> SimulatedRollout:
    """Simulate a staggered roll-out panel with heterogeneous, growing effects.

    Parameters
    ----------
    n_units, n_periods : int
        Panel size; periods are numbered ``1..n_periods``.
    cohorts : sequence of int
        First-treatment periods of the treated cohorts (each in ``2..n_periods``).
    never_share : float
        Share of units never treated (``first_treat = 0``, as in R's ``did``).
    effect, heterogeneity, growth, growth_cap : float
        Effect size parameters, see the module docstring.
    selection : float
        Strength of selection of high-``x`` units into early cohorts (0: random).
    level_x : float
        How strongly unit levels depend on ``x`` (biases naive comparisons).
    noise : float
        Standard deviation of the idiosyncratic error.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    SimulatedRollout

    Examples
    --------
    >>> sim = simulate_rollout(n_units=40, n_periods=8, cohorts=(4, 6), seed=1)
    >>> sim.data.shape
    (320, 8)
    >>> sim.truth.query("group == 4 and time == 4")["att"].round(3).tolist()
    [2.0]
    """
    cohorts = sorted(int(c) for c in cohorts)
    if n_units < 2 or n_periods < 2:
        raise CivictoolsError("simulate_rollout needs n_units >= 2 and n_periods >= 2")
    if not cohorts or cohorts[0] < 2 or cohorts[-1] > n_periods:
        raise CivictoolsError(
            f"cohorts must lie in 2..n_periods={n_periods} so every cohort has a "
            f"pre-treatment period; got {cohorts}"
        )
    if not 0 <= never_share < 1:
        raise CivictoolsError("never_share must be in [0, 1)")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n_units)
    # Sorting on a noisy score puts high-x units in early cohorts.
    score = selection * x + rng.gumbel(size=n_units)
    order = np.argsort(-score, kind="stable")
    n_never = int(round(never_share * n_units))
    n_treated = n_units - n_never
    sizes = np.full(len(cohorts), n_treated // len(cohorts))
    sizes[: n_treated % len(cohorts)] += 1
    first = np.zeros(n_units, dtype=np.int64)
    labels = np.repeat(np.asarray(cohorts, dtype=np.int64), sizes)
    first[order[:n_treated]] = labels

    k = len(cohorts)
    mult = {g: 1.0 + heterogeneity * ((k - 1 - i) / (k - 1) if k > 1 else 0.0) for i, g in enumerate(cohorts)}

    alpha = level_x * x + rng.standard_normal(n_units)
    t = np.arange(1, n_periods + 1)
    gamma = 0.05 * t + 0.3 * rng.standard_normal(n_periods)

    unit = np.repeat(np.arange(1, n_units + 1), n_periods)
    period = np.tile(t, n_units)
    g_row = np.repeat(first, n_periods)
    e = period - g_row
    treated = (g_row > 0) & (e >= 0)
    m_lookup = np.zeros(max(cohorts) + 1)
    for g, m in mult.items():
        m_lookup[g] = m
    m_row = m_lookup[g_row]
    te = np.where(treated, effect * m_row * (1.0 + growth * np.minimum(np.maximum(e, 0), growth_cap)), 0.0)
    y0 = np.repeat(alpha, n_periods) + gamma[period - 1] + noise * rng.standard_normal(n_units * n_periods)
    data = pd.DataFrame(
        {
            "unit": unit,
            "period": period,
            "first_treat": g_row,
            "x": np.repeat(x, n_periods),
            "treated": treated.astype(np.int8),
            "y": y0 + te,
            "y0": y0,
            "te": te,
        }
    )
    counts = pd.Series(first[first > 0]).value_counts()
    rows = []
    for g in cohorts:
        for tt in t:
            ev = tt - g
            att = effect * mult[g] * (1.0 + growth * min(max(ev, 0), growth_cap)) if ev >= 0 else 0.0
            rows.append((g, int(tt), int(ev), att, int(counts.get(g, 0))))
    truth = pd.DataFrame(rows, columns=["group", "time", "event_time", "att", "n_units"])
    params = dict(
        n_units=n_units, n_periods=n_periods, cohorts=tuple(cohorts), never_share=never_share,
        effect=effect, heterogeneity=heterogeneity, growth=growth, growth_cap=growth_cap,
        selection=selection, level_x=level_x, noise=noise, seed=seed,
    )
    return SimulatedRollout(data=data, truth=truth, params=params)
