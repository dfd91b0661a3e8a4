"""Wild cluster bootstrap: exact agreement with wildboottest/pyfixest on the same draws,
brute-force re-estimation on every bootstrap sample, and the test-inversion interval."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from civictools.errors import EstimationError
from civictools.evaluate import twfe, wild_cluster_bootstrap

pf = pytest.importorskip("pyfixest")
pytest.importorskip("wildboottest")
causaldata = pytest.importorskip("causaldata")


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


@pytest.fixture(scope="module")
def organ():
    od = causaldata.organ_donations.load_pandas().data.copy()
    od["Treated"] = ((od["State"] == "California") & (od["Quarter_Num"] >= 4)).astype(int)
    od["state_id"] = pd.factorize(od["State"], sort=True)[0]  # wildboottest needs numeric clusters
    return od


@pytest.fixture(scope="module")
def organ_fit(organ):
    return _quiet(twfe, organ, "Rate", "State", "Quarter", "Treated")


@pytest.mark.parametrize("seed", [1, 7])
def test_organ_matches_pyfixest_wildboottest_same_draws(organ, organ_fit, seed):
    # pyfixest's wildboottest (WCR11, Rademacher) on the one-hot dummy model draws its
    # weights with numpy default_rng(seed).choice([-1, 1]); ours draws the same matrix,
    # so the p-values must coincide exactly, not only within Monte Carlo error.
    fit = pf.feols("Rate ~ Treated | State + Quarter", data=organ, vcov={"CRV1": "state_id"})
    ref = _quiet(fit.wildboottest, param="Treated", reps=9999, seed=seed)
    ours = wild_cluster_bootstrap(organ_fit, "Treated", B=9999, seed=seed)
    assert ours.p_value == pytest.approx(float(ref["Pr(>|t|)"]), abs=1.5 / 9999)


def test_organ_anchor_within_monte_carlo_error(organ_fit):
    # Anchor (anchors.md): one treated cluster, WCR p = 0.446 (wildboottest and pyfixest,
    # Rademacher, B = 9,999). Monte Carlo sd at B = 9,999 is about 0.005.
    wb = wild_cluster_bootstrap(organ_fit, "Treated", B=9999, seed=2024)
    assert abs(wb.p_value - 0.446) < 0.02
    assert wb.conf_low < organ_fit.coef()["Treated"] < wb.conf_high
    # With one treated cluster the bootstrap interval is far wider than the analytic one.
    t = organ_fit.tidy().iloc[0]
    assert wb.conf_high - wb.conf_low > 5 * (t.conf_high - t.conf_low)


def test_wcu_matches_pyfixest(organ, organ_fit):
    fit = pf.feols("Rate ~ Treated | State + Quarter", data=organ, vcov={"CRV1": "state_id"})
    ref = _quiet(fit.wildboottest, param="Treated", reps=999, seed=3, impose_null=False)
    ours = wild_cluster_bootstrap(organ_fit, "Treated", B=999, seed=3, impose_null=False)
    assert ours.p_value == pytest.approx(float(ref["Pr(>|t|)"]), abs=1.5 / 999)


# --- brute force: re-estimate the full dummy-variable regression on every draw ----------

def _small_panel(seed=0, n_units=16, n_t=5, weighted=False):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"u": np.repeat(np.arange(n_units), n_t), "t": np.tile(np.arange(n_t), n_units)})
    d["region"] = d["u"] // 2  # 8 clusters; the unit FE is nested, the period FE is not
    d["x"] = rng.normal(size=len(d))
    d["d"] = ((d["region"] < 3) & (d["t"] >= 2)).astype(float)
    d["y"] = 0.2 * d["u"] + 0.1 * d["t"] + 0.4 * d["d"] + 0.3 * d["x"] + rng.normal(size=len(d)) * (1 + d["region"] / 4)
    d["w"] = rng.uniform(0.5, 2.0, len(d)) if weighted else 1.0
    return d


def _brute_p(d, beta0, draws, impose_null=True):
    n = len(d)
    U = np.eye(d["u"].max() + 1)[d["u"]]
    T = np.eye(d["t"].max() + 1)[d["t"]][:, 1:]
    Z = np.column_stack([d["d"], d["x"], U, T])
    Zr = np.column_stack([d["x"], U, T])
    w = d["w"].to_numpy()
    y = d["y"].to_numpy()
    cl = d["region"].to_numpy()
    G = cl.max() + 1

    def fit(yv, Zm):
        A = np.linalg.inv(Zm.T @ (Zm * w[:, None]))
        b = A @ (Zm.T @ (w * yv))
        return b, yv - Zm @ b, A

    def tstat(yv, b0):
        b, u, A = fit(yv, Z)
        S = np.array([Z[cl == g].T @ (w[cl == g] * u[cl == g]) for g in range(G)])
        V = A @ S.T @ S @ A
        return (b[0] - b0) / np.sqrt(V[0, 0])

    t0 = tstat(y, beta0)
    if impose_null:
        gr, ur, _ = fit(y - beta0 * d["d"].to_numpy(), Zr)
        base = Zr @ gr + beta0 * d["d"].to_numpy()
        center = beta0
    else:
        b, ur, _ = fit(y, Z)
        base = Z @ b
        center = b[0]
    tb = np.array([tstat(base + ur * v[cl], center) for v in draws.T])
    return float(np.mean(np.abs(tb) > np.abs(t0) * (1 + 1e-10)))


@pytest.mark.parametrize("weighted", [False, True])
def test_pvalue_function_equals_brute_force(weighted):
    d = _small_panel(weighted=weighted)
    r = _quiet(twfe, d, "y", "u", "t", "d", covariates=["x"], cluster="region", weights="w" if weighted else None)
    wb = wild_cluster_bootstrap(r, "d", B=999)  # 2**8 = 256 <= 999: enumeration
    assert wb.enumerated and wb.B == 256
    draws = np.array(np.meshgrid(*[[-1.0, 1.0]] * 8, indexing="ij")).reshape(8, -1)
    for b0 in [0.0, wb.estimate + 0.3, wb.estimate - 0.5, 1.5]:
        assert wb.p_value_at(b0) == pytest.approx(_brute_p(d, b0, draws), abs=1e-12)


def test_wcu_equals_brute_force():
    d = _small_panel(seed=4)
    r = _quiet(twfe, d, "y", "u", "t", "d", covariates=["x"], cluster="region")
    wb = wild_cluster_bootstrap(r, "d", B=999, impose_null=False)
    draws = np.array(np.meshgrid(*[[-1.0, 1.0]] * 8, indexing="ij")).reshape(8, -1)
    for b0 in [0.0, 0.7]:
        assert wb.p_value_at(b0) == pytest.approx(_brute_p(d, b0, draws, impose_null=False), abs=1e-12)


def test_ci_by_inversion_agrees_with_brute_force_grid():
    d = _small_panel(seed=1)
    r = _quiet(twfe, d, "y", "u", "t", "d", covariates=["x"], cluster="region")
    wb = wild_cluster_bootstrap(r, "d", B=999, alpha=0.1)
    draws = np.array(np.meshgrid(*[[-1.0, 1.0]] * 8, indexing="ij")).reshape(8, -1)
    lo, hi = wb.conf_low, wb.conf_high
    assert np.isfinite(lo) and np.isfinite(hi) and lo < wb.estimate < hi
    eps = 1e-6 * (hi - lo)
    # just inside the interval the brute-force test does not reject, just outside it does
    assert _brute_p(d, lo + eps, draws) > 0.1 >= _brute_p(d, lo - eps, draws)
    assert _brute_p(d, hi - eps, draws) > 0.1 >= _brute_p(d, hi + eps, draws)
    # a coarse grid of brute-force p-values: accepted points lie inside [lo, hi]
    grid = np.linspace(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo), 11)
    for b in grid:
        inside = lo <= b <= hi
        assert (_brute_p(d, b, draws) > 0.1) == inside or abs(b - lo) < eps or abs(b - hi) < eps


@pytest.mark.parametrize("kind", ["webb", "mammen", "rademacher"])
def test_weight_types_reproducible(organ_fit, kind):
    a = wild_cluster_bootstrap(organ_fit, B=499, weights=kind, seed=11)
    b = wild_cluster_bootstrap(organ_fit, B=499, weights=kind, seed=11)
    assert a.p_value == b.p_value and a.conf_low == b.conf_low
    assert 0.2 < a.p_value < 0.8  # one treated cluster: never a clear rejection
    assert a.summary().as_text() == b.summary().as_text()
    assert list(a.tidy().columns)[:6] == ["term", "estimate", "statistic", "p_value", "conf_low", "conf_high"]


def test_errors(organ, organ_fit):
    with pytest.raises(EstimationError, match="term"):
        wild_cluster_bootstrap(organ_fit, "nope")
    with pytest.raises(EstimationError, match="weights"):
        wild_cluster_bootstrap(organ_fit, weights="normal")
    hc = twfe(organ, "Rate", "State", "Quarter", "Treated", vcov="HC1")
    with pytest.raises(EstimationError, match="clustered"):
        wild_cluster_bootstrap(hc)


def test_many_clusters_refused_with_advice(monkeypatch, organ_fit):
    import civictools.evaluate.wild as wild

    monkeypatch.setattr(wild, "MAX_CLUSTERS", 10)
    with pytest.raises(EstimationError, match="randomization_inference"):
        wild_cluster_bootstrap(organ_fit)
    # the few-cluster summary then explains instead of failing
    fresh = _quiet(twfe, organ_fit_data(), "Rate", "State", "Quarter", "Treated")
    assert "skipped" in fresh.summary().as_text()


def organ_fit_data():
    od = causaldata.organ_donations.load_pandas().data.copy()
    od["Treated"] = ((od["State"] == "California") & (od["Quarter_Num"] >= 4)).astype(int)
    return od
