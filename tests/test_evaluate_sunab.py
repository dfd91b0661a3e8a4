"""sun_abraham against pyfixest's saturated event study, att_gt, and a known truth."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from civictools.datasets import load_mpdta, simulate_rollout
from civictools.errors import EstimationError
from civictools.evaluate.att_gt import att_gt
from civictools.evaluate.sun_abraham import SunAbrahamResult, sun_abraham

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def mpdta():
    return load_mpdta()


def _pyfixest_saturated(df, gname="first_treat"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.event_study(df, yname="lemp", idname="countyreal", tname="year", gname=gname, estimator="saturated")
        agg = m.aggregate()  # pyfixest 0.60: per relative period, cohort-share weights
    return m, agg


def test_iw_estimates_equal_pyfixest_saturated(mpdta):
    ours = sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat")
    m, agg = _pyfixest_saturated(mpdta)
    tab = ours.tidy().set_index("event_time")
    agg.index = agg.index.astype(float).astype(int)
    assert sorted(tab.index) == sorted(agg.index)
    for e in agg.index:
        assert tab.loc[e, "estimate"] == pytest.approx(float(agg.loc[e, "Estimate"]), abs=1e-10)
        assert tab.loc[e, "std_error"] == pytest.approx(float(agg.loc[e, "Std. Error"]), rel=1e-8)
    post = [e for e in agg.index if e >= 0]
    assert len(post) == 4


def test_cohort_effects_and_overall_equal_pyfixest(mpdta):
    ours = sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat")
    m, _ = _pyfixest_saturated(mpdta)
    tid = m.tidy()
    names = list(tid.index)
    parsed = [re.match(r".+::(-?[\d.]+):.+::(\d+)$", n) for n in names]
    pf_ce = pd.DataFrame(
        {"event_time": [int(float(p.group(1))) for p in parsed], "group": [int(p.group(2)) for p in parsed],
         "pf_est": tid["Estimate"].to_numpy(), "pf_se": tid["Std. Error"].to_numpy()}
    )
    ce = ours.cohort_effects.merge(pf_ce, on=["group", "event_time"], validate="1:1")
    assert len(ce) == len(ours.cohort_effects) == 12
    np.testing.assert_allclose(ce["estimate"], ce["pf_est"], atol=1e-10)
    np.testing.assert_allclose(ce["std_error"], ce["pf_se"], rtol=1e-8)
    # Overall post-treatment ATT (fixest's agg="ATT": weights = treated observations per
    # cohort x period) computed here from pyfixest's coefficients and covariance matrix.
    V = np.asarray(m._vcov)
    beta = np.asarray(m._beta_hat)
    counts = mpdta.assign(e=mpdta["year"] - mpdta["first_treat"]).query("first_treat > 0 and e >= 0")
    counts = counts.groupby(["first_treat", "e"]).size()
    R = np.zeros(len(beta))
    for i, row in pf_ce.iterrows():
        if row["event_time"] >= 0:
            R[i] = counts.loc[(row["group"], row["event_time"])]
    R /= R.sum()
    assert ours.overall["estimate"] == pytest.approx(float(R @ beta), abs=1e-10)
    assert ours.overall["std_error"] == pytest.approx(float(np.sqrt(R @ V @ R)), rel=1e-8)


def test_post_periods_equal_callaway_santanna_on_balanced_panel(mpdta):
    # With never-treated controls, no covariates and a balanced panel, each CATT(g, l >= 0)
    # is the 2x2 DiD against g-1, i.e. Callaway-Sant'Anna's ATT(g, g+l) (Sun & Abraham 2021,
    # section 4): the IW and dynamic aggregates coincide for l >= 0.
    sa = sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat").tidy().set_index("event_time")
    cs = att_gt(mpdta, "lemp", "countyreal", "year", "first_treat").aggregate("dynamic").tidy().set_index("level")
    for e in range(4):
        assert sa.loc[e, "estimate"] == pytest.approx(cs.loc[e, "estimate"], abs=1e-10)


def test_last_treated_control_equals_pyfixest(mpdta):
    nonever = mpdta[mpdta["first_treat"] > 0]
    ours = sun_abraham(nonever, "lemp", "countyreal", "year", "first_treat", control="last")
    manual = nonever[nonever["year"] < 2007].assign(
        first_treat=lambda d: np.where(d["first_treat"] == 2007, 0, d["first_treat"])
    )
    _, agg = _pyfixest_saturated(manual)
    agg.index = agg.index.astype(float).astype(int)
    tab = ours.tidy().set_index("event_time")
    for e in agg.index:
        assert tab.loc[e, "estimate"] == pytest.approx(float(agg.loc[e, "Estimate"]), abs=1e-10)
        assert tab.loc[e, "std_error"] == pytest.approx(float(agg.loc[e, "Std. Error"]), rel=1e-8)
    assert ours.dropped["count"].sum() == (nonever["year"] >= 2007).sum()


def test_interface_and_errors(mpdta):
    r = sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat")
    assert isinstance(r, SunAbrahamResult)
    assert r.nobs == 2500
    tab = r.tidy()
    assert {"event_time", "estimate", "std_error", "conf_low", "conf_high", "p_value", "post"} <= set(tab.columns)
    w = r.weights.groupby("event_time")["weight"].sum()
    np.testing.assert_allclose(w, 1.0)
    assert "Sun & Abraham" in r.summary().as_text() and "<table>" in r._repr_html_()
    import matplotlib

    matplotlib.use("Agg")
    assert r.plot().get_xlabel()
    import matplotlib.pyplot as plt

    plt.close("all")
    with pytest.raises(EstimationError, match="never-treated"):
        sun_abraham(mpdta[mpdta["first_treat"] > 0], "lemp", "countyreal", "year", "first_treat")
    with pytest.raises(EstimationError, match="collinear"):
        sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat", covariates=["lpop"])
    with pytest.raises(EstimationError, match="control"):
        sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat", control="notyet")


def test_two_reference_periods(mpdta):
    r = sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat", ref=(-1, -4))
    assert -4 not in r.tidy()["event_time"].tolist() and r.ref == (-4, -1)


def test_recovers_simulated_truth():
    sim = simulate_rollout(n_units=2000, n_periods=10, cohorts=(4, 6, 8), seed=7)
    r = sun_abraham(sim.data, "y", "unit", "period", "first_treat")
    tab = r.tidy().merge(sim.aggregate_truth("dynamic"), on="event_time")
    z = (tab["estimate"] - tab["att"]) / tab["std_error"]
    assert len(tab) == 7 and (z.abs() < 4).all()
    pre = r.tidy().query("event_time < 0")
    assert (pre["estimate"].abs() < 4 * pre["std_error"]).all()


def test_covariates_equal_pyfixest_feols_interactions():
    # pyfixest's saturated event study takes no covariates; the same regression written
    # with i(rel_time, cohort, ref=-1, ref2=0) + z | unit + period in pf.feols.
    sim = simulate_rollout(n_units=300, n_periods=8, cohorts=(3, 5, 7), seed=4)
    d = sim.data.copy()
    d["z"] = 0.3 * d["x"] * d["period"] + np.random.default_rng(0).normal(size=len(d))
    d["y"] = d["y"] + 0.5 * d["z"]
    d["rel_time"] = np.where(d["first_treat"] > 0, d["period"] - d["first_treat"], np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pf.feols("y ~ i(rel_time, first_treat, ref=-1.0, ref2=0) + z | unit + period", data=d, vcov={"CRV1": "unit"})
    r = sun_abraham(d, "y", "unit", "period", "first_treat", covariates=["z"])
    coef, se = f.coef(), f.se()
    assert r.regression.coef()["z"] == pytest.approx(float(coef["z"]), abs=1e-10)
    rows = []
    for name in coef.index:
        m = re.match(r".+::(-?[\d.]+):.+::(\d+)$", name)
        if m:
            rows.append((int(float(m.group(1))), int(m.group(2)), coef[name], se[name]))
    pfce = pd.DataFrame(rows, columns=["event_time", "group", "pf_est", "pf_se"])
    ce = r.cohort_effects.merge(pfce, on=["group", "event_time"], validate="1:1")
    assert len(ce) == len(r.cohort_effects) == 21
    np.testing.assert_allclose(ce["estimate"], ce["pf_est"], atol=1e-10)
    np.testing.assert_allclose(ce["std_error"], ce["pf_se"], rtol=1e-8)


def test_reference_period_must_be_observed(mpdta):
    with pytest.raises(EstimationError, match="reference period"):
        sun_abraham(mpdta, "lemp", "countyreal", "year", "first_treat", ref=-4)  # only cohort 2007 has e = -4
