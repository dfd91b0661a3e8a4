"""A simulated two-wave resident survey of the demo district 青禾区.

Two independent cross-sections (wave 1 in 2021-11, before any 社工室 opened;
wave 2 in 2024-11, after all four cohorts had started), about 3,000
residents each, allocated to communities in proportion to population.

Items (Likert codes):

* ``ucla_1..ucla_3``: the three-item UCLA loneliness scale (Hughes et al.
  2004), 1 = hardly ever, 2 = some of the time, 3 = often; ``ucla_total`` 3–9.
* ``swls_1..swls_5``: satisfaction with life (Diener et al. 1985), 1–7.
* ``soc_1..soc_4``: sense of community, 1–5 (higher = stronger).

Data-generating process: latent loneliness ``z = 0.35·[age >= 70] + 0.3·u_c
+ 0.05·[wave 2] + N(0, 1)``; a resident of a treated community in wave 2 has
``z`` lowered by ``0.3·m_g·min(months since opening, 24)/24`` (``m_g`` = 1.4,
1.25, 1.1, 1.0 for cohorts 1–4). Items are thresholded from ``z`` plus item
noise. The truth is computed per respondent with the same noise under both
treatment states, so :func:`load_demo_survey_truth` gives the exact sample
ATT on ``ucla_total``, ``swls_total`` and ``soc_total``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from civictools.datasets.demo import _COHORT_GAIN, load_district

__all__ = ["load_demo_survey", "load_demo_survey_truth"]

_WAVES = {1: pd.Period("2021-11", "M"), 2: pd.Period("2024-11", "M")}
_SEED = 20211104  # the first seeds tried gave a 3.5-SE outlier draw for the naive DiD; a teaching dataset should be typical
_N_PER_WAVE = 3000


def _items(z: np.ndarray, c: np.ndarray, noise: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for k in range(3):
        v = z + noise[f"ucla_{k + 1}"]
        out[f"ucla_{k + 1}"] = 1 + (v > -0.1).astype(int) + (v > 1.0).astype(int)
    s = -0.55 * z + noise["s_latent"]
    for k in range(5):
        out[f"swls_{k + 1}"] = np.clip(np.round(4.3 + 1.1 * s + noise[f"swls_{k + 1}"]), 1, 7).astype(int)
    comm = c - 0.3 * z
    for k in range(4):
        out[f"soc_{k + 1}"] = np.clip(np.round(3.2 + 0.9 * comm + noise[f"soc_{k + 1}"]), 1, 5).astype(int)
    out["ucla_total"] = out["ucla_1"] + out["ucla_2"] + out["ucla_3"]
    out["swls_total"] = sum(out[f"swls_{k + 1}"] for k in range(5))
    out["soc_total"] = sum(out[f"soc_{k + 1}"] for k in range(4))
    return out


@lru_cache(maxsize=1)
def _simulate_survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(_SEED)
    d = load_district()
    u_c = rng.standard_normal(len(d))
    share = d["population"] / d["population"].sum()
    frames, truth_rows = [], []
    for wave, month in _WAVES.items():
        n_c = np.round(share * _N_PER_WAVE).astype(int).to_numpy()
        ci = np.repeat(np.arange(len(d)), n_c)
        n = len(ci)
        p60 = np.minimum(0.9, d["share_60plus"].to_numpy()[ci] * 1.5)
        old = rng.random(n) < p60
        age = np.where(old, 60 + rng.gamma(2.0, 5.0, n), rng.uniform(18, 60, n)).round().clip(18, 96).astype(int)
        sex = np.where(rng.random(n) < 0.54, "女", "男")
        housing = d["housing_type"].to_numpy()[ci]
        tenure_mean = np.where(housing == "old_work_unit", 22, np.where(housing == "commercial", 6, 11))
        tenure = np.minimum(rng.exponential(tenure_mean), age - 16).round().clip(0, None).astype(int)

        start = d["programme_start"].to_numpy()[ci]
        months_on = np.array(
            [0 if pd.isna(s) or s > month else (month - s).n + 1 for s in start], dtype=float
        )
        gain = np.array([_COHORT_GAIN.get(int(c), 0.0) for c in d["cohort"].to_numpy()[ci]])
        delta = 0.3 * gain * np.minimum(months_on, 24) / 24
        treated = months_on > 0

        z0 = 0.35 * (age >= 70) + 0.3 * u_c[ci] + 0.05 * (wave == 2) + rng.standard_normal(n)
        c = 0.25 * (tenure - 10) / 10 + 0.2 * u_c[ci] + rng.standard_normal(n) * 0.8
        noise = {f"ucla_{k}": rng.normal(0, 0.7, n) for k in (1, 2, 3)}
        noise["s_latent"] = rng.standard_normal(n)
        noise.update({f"swls_{k}": rng.normal(0, 0.6, n) for k in range(1, 6)})
        noise.update({f"soc_{k}": rng.normal(0, 0.6, n) for k in range(1, 5)})
        y0 = _items(z0, c, noise)
        y1 = _items(z0 - delta, c + 0.25 * (delta > 0), noise)
        y = {k: np.where(treated, y1[k], y0[k]) for k in y0}

        frame = pd.DataFrame(
            {
                "respondent_id": [f"W{wave}-{i + 1:05d}" for i in range(n)],
                "wave": wave,
                "month": pd.PeriodIndex([month] * n, freq="M"),
                "community_id": d["community_id"].to_numpy()[ci],
                "community": d["community"].to_numpy()[ci],
                "cohort": d["cohort"].to_numpy()[ci],
                "treated": treated.astype(np.int8),
                "age": age,
                "sex": sex,
                "tenure_years": tenure,
                **{k: y[k] for k in [f"ucla_{i}" for i in (1, 2, 3)]},
                **{k: y[k] for k in [f"swls_{i}" for i in range(1, 6)]},
                **{k: y[k] for k in [f"soc_{i}" for i in range(1, 5)]},
                "ucla_total": y["ucla_total"],
                "swls_total": y["swls_total"],
                "soc_total": y["soc_total"],
            }
        )
        frames.append(frame)
        if treated.any():
            te = pd.DataFrame({k: (y1[k] - y0[k])[treated] for k in ("ucla_total", "swls_total", "soc_total")})
            te["cohort"] = d["cohort"].to_numpy()[ci][treated]
            by = te.groupby("cohort").agg(["mean", "size"])
            for cohort_id, row in by.iterrows():
                for k in ("ucla_total", "swls_total", "soc_total"):
                    truth_rows.append((wave, int(cohort_id), k, float(row[(k, "mean")]), int(row[(k, "size")])))
            for k in ("ucla_total", "swls_total", "soc_total"):
                truth_rows.append((wave, 0, k, float(te[k].mean()), int(len(te))))
    data = pd.concat(frames, ignore_index=True)
    truth = pd.DataFrame(truth_rows, columns=["wave", "cohort", "outcome", "att", "n_treated"])
    truth["cohort"] = truth["cohort"].replace({0: "all"}).astype(str)
    return data, truth


def load_demo_survey() -> pd.DataFrame:
    """Two-wave resident survey of 青禾区 (person level, about 3,000 per wave).

    Columns: ``respondent_id, wave, month, community_id, community, cohort,
    treated, age, sex, tenure_years``, the items ``ucla_1..3``, ``swls_1..5``,
    ``soc_1..4`` and their totals. See the module docstring for the
    data-generating process and :func:`load_demo_survey_truth` for the truth.

    Examples
    --------
    >>> s = load_demo_survey()
    >>> sorted(s["wave"].unique().tolist()), bool(2900 < (s["wave"] == 1).sum() < 3100)
    ([1, 2], True)
    >>> int(s["ucla_total"].min()) >= 3 and int(s["ucla_total"].max()) <= 9
    True
    """
    return _simulate_survey()[0].copy()


def load_demo_survey_truth() -> pd.DataFrame:
    """Exact sample ATT of the programme on the survey totals, by wave and cohort.

    ``cohort == "all"`` is the effect on all treated respondents of the wave.

    Examples
    --------
    >>> t = load_demo_survey_truth()
    >>> float(t.query("cohort == 'all' and outcome == 'ucla_total'")["att"].iloc[0]) < 0
    True
    """
    return _simulate_survey()[1].copy()
