"""did_imputation (Borusyak, Jaravel & Spiess 2024) against independent computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from civictools.datasets import load_mpdta, simulate_rollout
from civictools.errors import DataDroppedWarning, EstimationError
from civictools.evaluate.imputation import ImputationResult, did_imputation

sm = pytest.importorskip("statsmodels.api")
pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def mpdta():
    return load_mpdta()


def _panel_with_covariate(seed=4, n_units=120):
    sim = simulate_rollout(n_units=n_units, n_periods=8, cohorts=(3, 5, 7), seed=seed)
    d = sim.data.copy()
    rng = np.random.default_rng(seed)
    d["z"] = 0.3 * d["x"] * d["period"] + rng.normal(size=len(d))  # time-varying covariate
    d["y"] = d["y"] + 0.5 * d["z"]
    d["w"] = 1.0 + (d["unit"] % 4)  # unit-level weights
    d["state"] = d["unit"] % 17
    return sim, d


def _brute_force(df, y, unit, time, g, covs=(), weights=None, cluster=None, leave_out=False):
    """Dense BJS (2024): WLS with explicit dummies on untreated rows, Theorem 3 variance."""
    d = df.reset_index(drop=True)
    D = ((d[g] > 0) & (d[time] >= d[g])).to_numpy()
    U = pd.get_dummies(d[unit], dtype=float).to_numpy()
    T = pd.get_dummies(d[time], dtype=float).to_numpy()[:, 1:]
    Z = np.column_stack([U, T] + [d[c].to_numpy(float)[:, None] for c in covs])
    w = d[weights].to_numpy(float) if weights else np.ones(len(d))
    Z0, Z1, w0, w1 = Z[~D], Z[D], w[~D], w[D]
    y0, y1 = d[y].to_numpy(float)[~D], d[y].to_numpy(float)[D]
    # statsmodels with explicit dummies; the design has full column rank (all unit dummies,
    # period dummies but the first), so QR and a plain inverse are exact.
    fit = sm.WLS(y0, Z0, weights=w0).fit(method="qr")
    tau = y1 - Z1 @ fit.params
    resid0 = y0 - Z0 @ fit.params
    e = (d[time] - d[g]).to_numpy()[D]
    gg = d[g].to_numpy()[D]
    cl = d[cluster if cluster else unit].to_numpy()
    out = {}
    targets = {"overall": np.ones(D.sum(), bool)} | {f"h{h}": e == h for h in np.unique(e)}
    M = np.linalg.inv((Z0 * w0[:, None]).T @ Z0)
    for name, sel in targets.items():
        a = w1 * sel / (w1 * sel).sum()
        v0 = -w0 * (Z0 @ (M @ (Z1.T @ a)))
        cell = pd.Series(list(zip(gg, e)))
        tbar = (pd.Series(a * tau).groupby(cell).transform("sum") / pd.Series(a).groupby(cell).transform("sum")).fillna(0)
        et = tau - tbar.to_numpy()
        if leave_out:  # cell mean without the observation's own cluster, by explicit loop
            cl1 = cl[D]
            code = pd.factorize(cell)[0]
            for i in range(len(tau)):
                others = (code == code[i]) & (cl1 != cl1[i])
                if a[others].sum() != 0:
                    et[i] = tau[i] - (a[others] * tau[others]).sum() / a[others].sum()
        s = pd.Series(a * et).groupby(cl[D]).sum().add(pd.Series(v0 * resid0).groupby(cl[~D]).sum(), fill_value=0)
        out[name] = (float(a @ tau), float(np.sqrt((s**2).sum())))
    return out


def _check(res: ImputationResult, ref: dict):
    tab = res.tidy().set_index("term")
    assert set(tab.index) == set(ref)
    for term, (est, se) in ref.items():
        assert tab.loc[term, "estimate"] == pytest.approx(est, abs=1e-8), term
        assert tab.loc[term, "std_error"] == pytest.approx(se, rel=1e-8), term


def test_mpdta_equals_dummy_regression_and_bjs_formula(mpdta):
    # Also the anchor: on mpdta pyfixest's did2s fails (anchors.md); the imputation works
    # because singleton untreated rows (cohort 2004 has one untreated year) are kept.
    res = did_imputation(mpdta, "lemp", "countyreal", "year", "first_treat")
    _check(res, _brute_force(mpdta, "lemp", "countyreal", "year", "first_treat"))
    assert res.n_treated == 291 and res.nobs == 2500 and len(res.dropped) == 0


def test_covariates_weights_clusters_equal_brute_force():
    _, d = _panel_with_covariate()
    res = did_imputation(d, "y", "unit", "period", "first_treat", covariates=["z"], weights="w", cluster="state")
    _check(res, _brute_force(d, "y", "unit", "period", "first_treat", covs=["z"], weights="w", cluster="state"))
    assert res.coef["z"] == pytest.approx(0.5, abs=0.1)


def test_leave_out_variance_equals_brute_force():
    _, d = _panel_with_covariate(seed=5, n_units=60)
    res = did_imputation(d, "y", "unit", "period", "first_treat", covariates=["z"], cluster="state", leave_out=True)
    _check(res, _brute_force(d, "y", "unit", "period", "first_treat", covs=["z"], cluster="state", leave_out=True))
    plain = did_imputation(d, "y", "unit", "period", "first_treat", covariates=["z"], cluster="state")
    assert (res.tidy()["std_error"] >= plain.tidy()["std_error"] - 1e-12).mean() > 0.5


def test_point_estimates_equal_pyfixest_did2s():
    # Gardner's two-stage estimator and the imputation estimator coincide in point
    # estimates (the second stage averages first-stage residuals of treated rows).
    _, d = _panel_with_covariate(seed=9, n_units=300)
    d["D"] = ((d["first_treat"] > 0) & (d["period"] >= d["first_treat"])).astype(bool)
    d["h"] = np.where(d["D"], d["period"] - d["first_treat"], -1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f1 = pf.did2s(d, yname="y", first_stage="~ z | unit + period", second_stage="~ D", treatment="D", cluster="unit")
        f2 = pf.did2s(d, yname="y", first_stage="~ z | unit + period", second_stage="~ i(h, ref=-1000)",
                      treatment="D", cluster="unit")
    res = did_imputation(d, "y", "unit", "period", "first_treat", covariates=["z"]).tidy().set_index("term")
    # 1e-5, not 1e-8: pyfixest's first stage demeans iteratively and its convergence
    # tolerance shows (differences of 4e-7 to 1.2e-6 were seen); ours is exact: it equals
    # the dense dummy regression on the same data to 1e-8 (checked here too).
    assert res.loc["overall", "estimate"] == pytest.approx(float(f1.coef()["D"]), abs=1e-5)
    for name, val in f2.coef().items():
        h = int(float(name.split("::")[1]))
        assert res.loc[f"h{h}", "estimate"] == pytest.approx(float(val), abs=1e-5)
    bf = _brute_force(d, "y", "unit", "period", "first_treat", covs=["z"])
    for term, (est, _) in bf.items():
        assert res.loc[term, "estimate"] == pytest.approx(est, abs=1e-8)


def test_non_imputable_rows_are_dropped_and_counted(mpdta):
    df = mpdta.copy()
    df.loc[df["countyreal"] == 8001, "first_treat"] = 2003  # treated from the first year
    with pytest.warns(DataDroppedWarning, match="cannot be imputed"):
        res = did_imputation(df, "lemp", "countyreal", "year", "first_treat")
    assert int(res.dropped["count"].sum()) == 5
    df.loc[df.index[7], "lemp"] = np.nan
    with pytest.warns(DataDroppedWarning, match="missing values in lemp"):
        res2 = did_imputation(df, "lemp", "countyreal", "year", "first_treat")
    assert int(res2.dropped["count"].sum()) == 6


def test_interface_and_errors(mpdta):
    r = did_imputation(mpdta, "lemp", "countyreal", "year", "first_treat", horizons=[0, 1])
    tab = r.tidy()
    assert tab["term"].tolist() == ["overall", "h0", "h1"]
    assert {"estimate", "std_error", "conf_low", "conf_high", "event_time"} <= set(tab.columns)
    assert "Borusyak" in r.summary().as_text() and "<table>" in r._repr_html_()
    assert len(r.effects) == 291 and {"tau", "y0_hat"} <= set(r.effects.columns)
    import matplotlib

    matplotlib.use("Agg")
    assert r.plot().get_xlabel()
    import matplotlib.pyplot as plt

    plt.close("all")
    with pytest.raises(EstimationError, match="event time"):
        did_imputation(mpdta, "lemp", "countyreal", "year", "first_treat", horizons=[9])
    with pytest.raises(EstimationError, match="singular"):
        did_imputation(mpdta, "lemp", "countyreal", "year", "first_treat", covariates=["lpop"])
    with pytest.raises(EstimationError, match="not found"):
        did_imputation(mpdta, "nope", "countyreal", "year", "first_treat")


def test_recovers_simulated_truth():
    sim = simulate_rollout(n_units=2000, n_periods=10, cohorts=(4, 6, 8), seed=11)
    r = did_imputation(sim.data, "y", "unit", "period", "first_treat")
    tab = r.tidy()
    hz = tab[tab["term"] != "overall"].merge(sim.aggregate_truth("dynamic"), on="event_time")
    z = (hz["estimate"] - hz["att"]) / hz["std_error"]
    assert len(hz) == 7 and (z.abs() < 4).all()
    # Overall: the average over treated observations (all treated unit-periods).
    truth = sim.data.loc[sim.data["treated"] == 1, "te"].mean()
    assert abs(r.overall["estimate"] - truth) < 4 * r.overall["std_error"]


def test_pretrend_test_equals_pyfixest_wald(mpdta):
    # BJS Test 1: leads on untreated observations; reference: pyfixest feols + wald_test.
    r = did_imputation(mpdta, "lemp", "countyreal", "year", "first_treat", pretrends=3)
    d = mpdta[~((mpdta["first_treat"] > 0) & (mpdta["year"] >= mpdta["first_treat"]))].copy()
    rel = np.where(d["first_treat"] > 0, d["year"] - d["first_treat"], np.nan)
    for j in (1, 2, 3):
        d[f"l{j}"] = (rel == -j).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pf.feols("lemp ~ l1 + l2 + l3 | countyreal + year", data=d, vcov={"CRV1": "countyreal"})
        wald = f.wald_test(R=np.eye(3))
    np.testing.assert_allclose(r.pretrend["coefficients"]["estimate"], f.coef().to_numpy(), atol=1e-10)
    # rel 1e-6: pyfixest's iterative demeaning moves its Wald statistic by ~2e-8 between runs.
    assert r.pretrend["statistic"] == pytest.approx(float(wald["statistic"]), rel=1e-6)
    assert r.pretrend["p_value"] == pytest.approx(float(wald["pvalue"]), rel=1e-6)
    assert "Pre-trend test" in r.summary().as_text()
