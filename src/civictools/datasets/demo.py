"""The fictional demo district 青禾区: its communities, outcome panel and survey.

The outcome panel and the resident survey are simulated from the district
table (``data/district/district.csv``) with a fixed seed and a documented
data-generating process, so their true effects are known exactly
(:func:`load_demo_truth`). Programme start months are the months in which the
demo news announces each community's 社工室.

Data-generating process of the panel (community ``i``, month ``t``; the
programme's effects start in the start month and grow with exposure ``e``):

* ``satisfaction`` (0–100 pulse-survey index): ``62 + 18·(0.3 - share_60plus)
  + housing level + season + N(0, 1.6²)``; effect ``+m_g·(1.0 + 0.12·min(e, 24))``.
* ``complaints_12345`` (count): Poisson, mean ``population/1000 · rate_i ·
  season``, ``rate_i`` higher in old and ageing communities; effect
  multiplies the mean by ``1 - r``, ``r = m_g·(0.04 + 0.008·min(e, 24))``.
* ``volunteer_hours``: ``population/100 · (1 + 0.4·u_i) + N(0, 8²)``; effect
  ``+m_g·(10 + 1.5·min(e, 24))`` hours.
* ``elder_visit_coverage`` (share of older people living alone visited this
  month): binomial over the community's older residents living alone,
  logit baseline ``-0.3 + u_i``; effect ``+m_g·(0.4 + 0.04·min(e, 24))`` on
  the logit.
* ``deliberation_meetings``: Poisson with mean ``1.2·exp(u_i/3)``, times
  ``exp(m_g·(0.25 + 0.02·min(e, 24)))`` when treated.

``m_g`` is 1.4, 1.25, 1.1 and 1.0 for cohorts 1–4 (earlier cohorts gain more:
they started with more need). The truth for every outcome is the ATT(g, t)
at the level of expected values: the mean over a cohort's communities of
``E[y(1)] - E[y(0)]`` in month ``t``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from civictools.datasets._paths import data_path

__all__ = [
    "load_district",
    "load_demo_corpus",
    "load_demo_gold",
    "load_demo_panel",
    "load_demo_truth",
    "DEMO_OUTCOMES",
]

DEMO_START = pd.Period("2021-01", "M")
DEMO_END = pd.Period("2024-12", "M")
DEMO_SEED = 20210101
DEMO_OUTCOMES = (
    "satisfaction",
    "complaints_12345",
    "volunteer_hours",
    "elder_visit_coverage",
    "deliberation_meetings",
)
_COHORT_GAIN = {1: 1.4, 2: 1.25, 3: 1.1, 4: 1.0}
_HOUSING_LEVEL = {"old_work_unit": -2.0, "resettlement": -1.0, "mixed": 0.0, "commercial": 1.5}
_HOUSING_RATE = {"old_work_unit": 1.5, "resettlement": 1.2, "mixed": 1.0, "commercial": 0.7}


def load_district() -> pd.DataFrame:
    """The 28 communities of 青禾区 with street, housing type and roll-out cohort.

    ``programme_start`` is a monthly ``Period`` (missing for never-treated);
    ``first_treat`` numbers months from 2021-01 = 1 (0 = never treated, R's
    ``did`` convention).

    Examples
    --------
    >>> d = load_district()
    >>> len(d), d["street"].nunique()
    (28, 4)
    >>> d.groupby("cohort").size().tolist()
    [5, 6, 6, 6, 5]
    """
    df = pd.read_csv(data_path("district", "district.csv"), dtype={"programme_start": "string"})
    start = pd.PeriodIndex(df["programme_start"].fillna("NaT"), freq="M")
    df["programme_start"] = start
    df["first_treat"] = [0 if pd.isna(p) else (p - DEMO_START).n + 1 for p in start]
    return df


def _months() -> pd.PeriodIndex:
    return pd.period_range(DEMO_START, DEMO_END, freq="M")


@lru_cache(maxsize=1)
def _simulate_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(DEMO_SEED)
    d = load_district()
    months = _months()
    n_i, n_t = len(d), len(months)
    t = np.arange(1, n_t + 1)
    season = np.sin(2 * np.pi * (months.month.to_numpy() - 1) / 12)
    u = rng.standard_normal(n_i)

    rows = pd.DataFrame(
        {
            "community_id": np.repeat(d["community_id"].to_numpy(), n_t),
            "period": np.tile(t, n_i),
        }
    )
    idx_i = np.repeat(np.arange(n_i), n_t)
    idx_t = rows["period"].to_numpy() - 1
    g = d["first_treat"].to_numpy()[idx_i]
    cohort = d["cohort"].to_numpy()[idx_i]
    e = rows["period"].to_numpy() - g
    on = (g > 0) & (e >= 0)
    ee = np.where(on, np.minimum(e, 24), 0)
    m = np.array([_COHORT_GAIN.get(int(c), 0.0) for c in cohort]) * on
    share60 = d["share_60plus"].to_numpy()[idx_i]
    pop = d["population"].to_numpy()[idx_i].astype(float)
    house = d["housing_type"].to_numpy()[idx_i]

    # Expected untreated and treated outcomes; observations are drawn from the
    # treated or untreated expectation, the truth is their difference.
    exp0, exp1 = {}, {}
    base = 62 + 18 * (0.3 - share60) + np.vectorize(_HOUSING_LEVEL.get)(house) + 0.8 * u[idx_i]
    exp0["satisfaction"] = base + 0.8 * season[idx_t] + 0.03 * t[idx_t]
    exp1["satisfaction"] = exp0["satisfaction"] + m * (1.0 + 0.12 * ee)

    rate = np.vectorize(_HOUSING_RATE.get)(house) * (1 + 2.5 * (share60 - 0.2)) * np.exp(0.15 * u[idx_i])
    mu0 = pop / 1000 * rate * (1 + 0.25 * season[idx_t]) * 1.6
    exp0["complaints_12345"] = mu0
    exp1["complaints_12345"] = mu0 * (1 - m * (0.04 + 0.008 * ee))

    vol0 = pop / 100 * (1 + 0.4 * np.tanh(u[idx_i])) + 2 * season[idx_t]
    exp0["volunteer_hours"] = vol0
    exp1["volunteer_hours"] = vol0 + m * (10 + 1.5 * ee)

    logit0 = -0.3 + 0.5 * u[idx_i] + 0.1 * season[idx_t]
    exp0["elder_visit_coverage"] = 1 / (1 + np.exp(-logit0))
    exp1["elder_visit_coverage"] = 1 / (1 + np.exp(-(logit0 + m * (0.4 + 0.04 * ee))))

    delib0 = 1.2 * np.exp(u[idx_i] / 3)
    exp0["deliberation_meetings"] = delib0
    exp1["deliberation_meetings"] = delib0 * np.exp(m * (0.25 + 0.02 * ee))

    n_alone = np.maximum(np.round(pop * share60 * 0.08), 20).astype(int)
    obs = {}
    mean = {k: np.where(on, exp1[k], exp0[k]) for k in DEMO_OUTCOMES}
    obs["satisfaction"] = np.round(mean["satisfaction"] + rng.normal(0, 1.6, len(rows)), 2)
    obs["complaints_12345"] = rng.poisson(mean["complaints_12345"])
    obs["volunteer_hours"] = np.round(np.maximum(mean["volunteer_hours"] + rng.normal(0, 8, len(rows)), 0), 1)
    obs["elder_visit_coverage"] = np.round(rng.binomial(n_alone, mean["elder_visit_coverage"]) / n_alone, 4)
    obs["deliberation_meetings"] = rng.poisson(mean["deliberation_meetings"])

    panel = rows.merge(
        d[["community_id", "community", "street", "housing_type", "population", "share_60plus",
           "cohort", "first_treat"]],
        on="community_id",
        how="left",
    )
    panel.insert(1, "month", months[idx_t])
    panel["treated"] = on.astype(np.int8)
    for k in DEMO_OUTCOMES:
        panel[k] = obs[k]
    panel["n_elders_alone"] = n_alone
    panel = panel[
        ["community_id", "community", "street", "month", "period", "cohort", "first_treat", "treated",
         *DEMO_OUTCOMES, "population", "share_60plus", "housing_type", "n_elders_alone"]
    ]

    diff = pd.DataFrame({k: exp1[k] - exp0[k] for k in DEMO_OUTCOMES})
    diff["group"] = g
    diff["time"] = rows["period"].to_numpy()
    truth = (
        diff[diff["group"] > 0]
        .groupby(["group", "time"], as_index=False)[list(DEMO_OUTCOMES)]
        .mean()
        .melt(id_vars=["group", "time"], var_name="outcome", value_name="att")
    )
    truth["event_time"] = truth["time"] - truth["group"]
    truth["month"] = months[truth["time"].to_numpy() - 1]
    truth = truth[["outcome", "group", "time", "month", "event_time", "att"]].sort_values(
        ["outcome", "group", "time"], ignore_index=True
    )
    return panel, truth


def load_demo_panel() -> pd.DataFrame:
    """Community × month outcome panel of 青禾区, 2021-01 to 2024-12.

    28 communities × 48 months = 1,344 rows. ``period`` numbers months from
    2021-01 = 1; ``first_treat`` is the period of the 社工室's opening (0 =
    never treated, as in R's ``did``); ``treated`` is 1 from that month on.
    Outcomes: ``satisfaction``, ``complaints_12345``, ``volunteer_hours``,
    ``elder_visit_coverage``, ``deliberation_meetings``; covariates
    ``population``, ``share_60plus``, ``housing_type``. The true effects are
    in :func:`load_demo_truth`; the data-generating process is in this
    module's docstring.

    Examples
    --------
    >>> p = load_demo_panel()
    >>> p.shape[0], p["community_id"].nunique(), p["month"].min().strftime("%Y-%m")
    (1344, 28, '2021-01')
    >>> sorted(p["first_treat"].unique().tolist())
    [0, 16, 22, 31, 40]
    """
    return _simulate_panel()[0].copy()


def load_demo_truth(outcome: str | None = None) -> pd.DataFrame:
    """True ATT(g, t) of the demo panel, by outcome, cohort and month.

    Parameters
    ----------
    outcome : str, optional
        Keep one outcome (one of ``DEMO_OUTCOMES``).

    Examples
    --------
    >>> tr = load_demo_truth("satisfaction")
    >>> round(float(tr.query("group == 16 and event_time == 0")["att"].iloc[0]), 2)
    1.4
    """
    truth = _simulate_panel()[1]
    if outcome is not None:
        if outcome not in DEMO_OUTCOMES:
            from civictools.errors import CivictoolsError

            raise CivictoolsError(f"unknown outcome {outcome!r}; choose one of {DEMO_OUTCOMES}")
        truth = truth[truth["outcome"] == outcome]
    return truth.reset_index(drop=True).copy()


def load_demo_corpus(**kwargs) -> pd.DataFrame:
    """The demo corpus of 青禾区 (news, minutes, policy) through :func:`civictools.load_corpus`.

    Keyword arguments go to ``load_corpus`` (e.g. ``kind=``); the progress bar is off by default.

    Examples
    --------
    >>> docs = load_demo_corpus()
    >>> len(docs), sorted(docs["kind"].unique())
    (257, ['minutes', 'news', 'policy'])
    """
    from civictools.corpus import load_corpus

    kwargs.setdefault("progress", False)
    return load_corpus(data_path("demo"), **kwargs)


def load_demo_gold() -> pd.DataFrame:
    """Gold coding of 1,174 demo units with the 22 governance themes.

    One row per unit: ``doc_id, unit_id, kind, unit_kind, start, end, text`` and the theme sets of
    coder A, coder B and the adjudicated ``gold`` (Python ``frozenset`` of theme ids), with
    ``split`` ("dev" or "test": tune on dev only), the adjudicator's ``note`` and ``batch``
    (1: 470 units of the first draw; 2: 360 units drawn and coded later by new coders; 3: the
    344 units left, coded by new coders in the fourth session).
    See ``corpora/gold/coding/CODING.md`` for the manual and procedure.

    Examples
    --------
    >>> g = load_demo_gold()
    >>> len(g), sorted(g["split"].unique())
    (1174, ['dev', 'test'])
    >>> type(g["gold"].iloc[0]).__name__
    'frozenset'
    """
    from civictools.errors import CivictoolsError

    path = data_path("gold", "coding", "gold.csv")
    if not path.exists():
        raise CivictoolsError(f"the gold coding file {path} is missing from this installation")
    g = pd.read_csv(path, dtype={"coder_a": str, "coder_b": str, "gold": str, "note": str}, keep_default_na=False)
    for col in ("coder_a", "coder_b", "gold"):
        g[col] = g[col].map(lambda s: frozenset(t for t in str(s).split(";") if t))
    return g
