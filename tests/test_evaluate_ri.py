"""Randomization inference against a brute-force re-implementation (dummy-variable OLS
for every distinct timing assignment) and reproducibility checks."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from civictools.errors import EstimationError
from civictools.evaluate import randomization_inference, twfe


def _tiny(seed=0, n_units=7, T=4, effect=1.0):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"u": np.repeat(np.arange(n_units), T), "t": np.tile(np.arange(1, T + 1), n_units)})
    timing = {0: 2, 1: 3, 2: 3}  # units 3.. never treated
    d["g"] = d["u"].map(timing).fillna(0).astype(int)
    d["x"] = rng.normal(size=len(d))
    d["y"] = 0.3 * d["u"] + 0.2 * d["t"] + 0.5 * d["x"] + effect * ((d["g"] > 0) & (d["t"] >= d["g"])) + rng.normal(0, 0.4, len(d))
    return d


def _brute_coef(d, g_assign, covs=()):
    g = d["u"].map(dict(enumerate(g_assign)))
    D = ((g > 0) & (d["t"] >= g)).astype(float)
    X = pd.concat(
        [D.rename("D"), d[list(covs)], pd.get_dummies(d["u"], prefix="u", dtype=float),
         pd.get_dummies(d["t"], prefix="t", drop_first=True, dtype=float)],
        axis=1,
    )
    return sm.OLS(d["y"], X).fit().params["D"]


@pytest.mark.parametrize("covs", [(), ("x",)])
def test_exact_enumeration_equals_brute_force(covs):
    d = _tiny()
    ri = randomization_inference(d, "y", "u", "t", "g", covariates=covs, n_perm=10_000)
    g0 = [2, 3, 3, 0, 0, 0, 0]
    assigns = sorted(set(itertools.permutations(g0)))
    assert ri.exact and ri.n_perm == len(assigns) == 5040 // (2 * 24)  # 7!/(1! 2! 4!) = 105
    brute = np.array([_brute_coef(d, a, covs) for a in assigns])
    np.testing.assert_allclose(np.sort(ri.distribution), np.sort(brute), atol=1e-10)
    obs = _brute_coef(d, g0, covs)
    assert ri.estimate == pytest.approx(obs, abs=1e-10)
    assert ri.p_value == pytest.approx(np.mean(np.abs(brute) >= abs(obs) - 1e-10), abs=1e-12)


def test_observed_equals_twfe_and_seeded_draws_reproducible():
    d = _tiny(n_units=12)
    d.loc[d["u"] >= 9, "g"] = 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = twfe(d.assign(D=((d["g"] > 0) & (d["t"] >= d["g"])).astype(int)), "y", "u", "t", "D")
        a = randomization_inference(d, "y", "u", "t", "g", n_perm=200, seed=5)
        b = randomization_inference(d, "y", "u", "t", "g", n_perm=200, seed=5)
    assert not a.exact and a.n_perm == 200
    assert a.estimate == pytest.approx(r.coef()["D"], abs=1e-10)
    np.testing.assert_array_equal(a.distribution, b.distribution)
    hits = np.sum(np.abs(a.distribution) >= abs(a.estimate) - 1e-10)
    assert a.p_value == pytest.approx((1 + hits) / 201)


def test_t_statistic_matches_twfe_t_up_to_constant():
    d = _tiny(n_units=9, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ri = randomization_inference(d, "y", "u", "t", "g", statistic="t", n_perm=50, seed=1)
        r = twfe(d.assign(D=((d["g"] > 0) & (d["t"] >= d["g"])).astype(int)), "y", "u", "t", "D")
    # the permuted t omits fixest's constant small-sample factor sqrt(adj)
    n, G, K = r.nobs, r.n_clusters, r.k_small_sample
    adj = G / (G - 1) * (n - 1) / (n - K)
    assert ri.estimate == pytest.approx(r.tidy()["statistic"].iloc[0] * np.sqrt(adj), rel=1e-10)


def test_null_effect_gives_uniform_like_p_values():
    # under the sharp null the exact p-value is at least 1/M and not systematically small
    ps = [randomization_inference(_tiny(seed=s, effect=0.0), "y", "u", "t", "g").p_value for s in range(12)]
    assert min(ps) >= 1 / 105 - 1e-12
    assert np.mean(ps) > 0.25


def test_mpdta_summary_plot():
    p = Path(__file__).resolve().parents[1] / "src" / "civictools" / "data" / "mpdta.csv"
    m = pd.read_csv(p).rename(columns={"first.treat": "first_treat"})
    ri = randomization_inference(m, "lemp", "countyreal", "year", "first_treat", n_perm=99, seed=3)
    assert 0 < ri.p_value <= 1 and ri.n_perm == 99
    text = ri.summary().as_text()
    assert text == ri.summary().as_text() and "seed = 3" in text
    ri.plot()
    assert list(ri.tidy().columns) == ["term", "statistic", "estimate", "p_value", "n_perm", "exact"]


def test_errors():
    d = _tiny()
    with pytest.raises(EstimationError, match="statistic"):
        randomization_inference(d, "y", "u", "t", "g", statistic="z")
    bad = d.copy()
    bad.loc[0, "g"] = 4
    with pytest.raises(EstimationError, match="varies within unit"):
        randomization_inference(bad, "y", "u", "t", "g")
    with pytest.raises(EstimationError, match="ever treated"):
        randomization_inference(d.assign(g=0), "y", "u", "t", "g")
