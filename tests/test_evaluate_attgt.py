"""att_gt (Callaway & Sant'Anna 2021) against csdid, differences, R did anchors and known truths."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from civictools.datasets import load_demo_panel, load_demo_truth, load_mpdta, simulate_rollout
from civictools.errors import DataDroppedWarning, EstimationError
from civictools.evaluate.att_gt import ATTgtResult, att_gt

csdid_att_gt = pytest.importorskip("csdid.att_gt")
differences = pytest.importorskip("differences")

# The four configurations of issue 6 plus two more kernels.
CONFIGS = [
    pytest.param("never", "dr", None, id="dr-unconditional"),
    pytest.param("never", "dr", "lpop", id="dr-lpop"),
    pytest.param("never", "reg", "lpop", id="reg-lpop"),
    pytest.param("notyet", "dr", None, id="dr-notyet"),
    pytest.param("never", "ipw", "lpop", id="ipw-lpop"),
    pytest.param("notyet", "reg", "lpop", id="reg-lpop-notyet"),
]
AGG = {"simple": "simple", "dynamic": "dynamic", "group": "group", "calendar": "calendar"}
DIFF_AGG = {"simple": "simple", "dynamic": "event", "group": "cohort", "calendar": "time"}


@pytest.fixture(scope="module")
def mpdta():
    return load_mpdta()


def _ours(df, control, method, cov, **kw):
    return att_gt(df, "lemp", "countyreal", "year", "first_treat", covariates=cov, control=control, method=method, **kw)


def _csdid(df, control, method, cov, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = csdid_att_gt.ATTgt(
            yname="lemp", gname="first_treat", idname="countyreal", tname="year", data=df.copy(),
            control_group="nevertreated" if control == "never" else "notyettreated",
            xformla="lemp~lpop" if cov else None, anticipation=kw.get("anticipation", 0),
        ).fit(est_method=method, base_period=kw.get("base_period", "varying"), bstrap=False)
    return m


def _differences(df, control, method, cov):
    d2 = df.assign(first_treat=df["first_treat"].where(df["first_treat"] > 0)).set_index(["countyreal", "year"])
    att = differences.ATTgt(data=d2, cohort_column="first_treat")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        att.fit(
            "lemp ~ lpop" if cov else "lemp", est_method=method,
            control_group="never_treated" if control == "never" else "not_yet_treated", progress_bar=False,
        )
    return att


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [c[-1] for c in frame.columns]
    return out


@pytest.mark.parametrize("control,method,cov", CONFIGS)
def test_att_gt_equals_csdid(mpdta, control, method, cov):
    ours = _ours(mpdta, control, method, cov)
    peer = _csdid(mpdta, control, method, cov)
    tab = ours.tidy()
    np.testing.assert_array_equal(tab["group"].to_numpy(), np.asarray(peer.results["group"]).astype(int))
    np.testing.assert_array_equal(tab["time"].to_numpy(), np.asarray(peer.results["year"]).astype(int))
    np.testing.assert_allclose(tab["estimate"], peer.results["att"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(tab["std_error"], peer.results["se"], rtol=0, atol=1e-6)
    for kind, ck in AGG.items():
        agg = ours.aggregate(kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            peer.aggte(ck, bstrap=False, cband=False)
        a = peer.atte
        assert agg.overall["estimate"] == pytest.approx(a["overall_att"], abs=1e-8)
        assert agg.overall["std_error"] == pytest.approx(a["overall_se"], abs=1e-6)
        if kind != "simple":
            lv = agg.tidy()
            np.testing.assert_array_equal(lv["level"].to_numpy(), np.asarray(a["egt"]).astype(int))
            np.testing.assert_allclose(lv["estimate"], np.asarray(a["att_egt"], dtype=float), atol=1e-8, rtol=0)
            np.testing.assert_allclose(lv["std_error"], np.ravel(a["se_egt"]).astype(float), atol=1e-6, rtol=0)


@pytest.mark.parametrize("control,method,cov", CONFIGS[:4])
def test_att_gt_equals_differences(mpdta, control, method, cov):
    ours = _ours(mpdta, control, method, cov)
    peer = _differences(mpdta, control, method, cov)
    res = _flat(peer.results()).reset_index()[["cohort", "time", "ATT", "std_error"]]
    tab = ours.tidy().merge(
        res.rename(columns={"std_error": "peer_se"}), left_on=["group", "time"], right_on=["cohort", "time"],
        how="outer", validate="1:1",
    )
    assert len(tab) == 12 and tab["estimate"].notna().all() and tab["ATT"].notna().all()
    np.testing.assert_allclose(tab["estimate"], tab["ATT"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(tab["std_error"], tab["peer_se"], atol=1e-6, rtol=0)
    for kind, dk in DIFF_AGG.items():
        agg = ours.aggregate(kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ov = _flat(peer.aggregate(dk, overall=True))
        assert agg.overall["estimate"] == pytest.approx(float(ov["ATT"].iloc[0]), abs=1e-8)
        assert agg.overall["std_error"] == pytest.approx(float(ov["std_error"].iloc[0]), abs=1e-6)
        if kind != "simple":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lv_peer = _flat(peer.aggregate(dk))
            lv = agg.tidy().set_index("level")
            lv_peer.index = lv_peer.index.astype(int)
            common = lv.index.intersection(lv_peer.index)
            assert len(common) == len(lv) == len(lv_peer)
            np.testing.assert_allclose(lv.loc[common, "estimate"], lv_peer.loc[common, "ATT"], atol=1e-8, rtol=0)
            np.testing.assert_allclose(lv.loc[common, "std_error"], lv_peer.loc[common, "std_error"], atol=1e-6, rtol=0)


@pytest.mark.parametrize(
    "base_period,anticipation,control",
    [("universal", 0, "never"), ("varying", 1, "never"), ("universal", 1, "notyet"), ("varying", 1, "notyet")],
)
def test_base_period_and_anticipation_equal_csdid(mpdta, base_period, anticipation, control):
    kw = dict(base_period=base_period, anticipation=anticipation)
    if anticipation:
        with pytest.warns(DataDroppedWarning, match="already treated in the first period"):
            ours = _ours(mpdta, control, "dr", "lpop", **kw)
    else:
        ours = _ours(mpdta, control, "dr", "lpop", **kw)
    peer = _csdid(mpdta, control, "dr", "lpop", **kw)
    tab = ours.tidy()
    np.testing.assert_allclose(tab["estimate"], peer.results["att"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(tab["std_error"], np.asarray(peer.results["se"], dtype=float), atol=1e-6, rtol=0)
    if base_period == "universal":
        assert tab["std_error"].isna().sum() == tab["group"].nunique()  # the base cells
    agg = ours.aggregate("dynamic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.aggte("dynamic", bstrap=False, cband=False)
    assert agg.overall["estimate"] == pytest.approx(peer.atte["overall_att"], abs=1e-8)
    assert agg.overall["std_error"] == pytest.approx(peer.atte["overall_se"], abs=1e-6)
    pt = ours.pretrend_test()
    assert pt["statistic"] == pytest.approx(peer.MP["W"], rel=1e-8)


def test_anchor_values_r_did_vignette(mpdta):
    # Source: R package did (Callaway & Sant'Anna), vignette "Getting Started with the did
    # Package", mpdta, att_gt(yname="lemp", tname="year", idname="countyreal",
    # gname="first.treat", xformla=~1): ATT(g,t) printed to 4 decimals, and
    # "P-value for pre-test of parallel trends assumption: 0.16812".
    anchors = {
        (2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373, (2004, 2007): -0.1008,
        (2006, 2004): 0.0065, (2006, 2005): -0.0028, (2006, 2006): -0.0046, (2006, 2007): -0.0412,
        (2007, 2004): 0.0305, (2007, 2005): -0.0027, (2007, 2006): -0.0311, (2007, 2007): -0.0261,
    }
    r = _ours(mpdta, "never", "dr", None)
    got = {(g, t): e for g, t, e in r.tidy()[["group", "time", "estimate"]].itertuples(index=False)}
    for key, val in anchors.items():
        assert round(got[key], 4) == pytest.approx(val, abs=1e-12), key
    assert round(r.pretrend_test()["p_value"], 5) == pytest.approx(0.16812)
    # Same vignette, aggte(type="simple") / "dynamic" / "group": ATT -0.04, -0.0772, -0.031.
    assert round(r.aggregate("simple").overall["estimate"], 4) == pytest.approx(-0.04)
    assert round(r.aggregate("dynamic").overall["estimate"], 4) == pytest.approx(-0.0772)
    assert round(r.aggregate("group").overall["estimate"], 4) == pytest.approx(-0.031)


def test_anchor_values_differences_dr_lpop(mpdta):
    # Source: differences 0.3.0, ATTgt(...).fit("lemp ~ lpop", est_method="dr"), run on
    # 2026-11-28 (see this file's test_att_gt_equals_differences for the live comparison):
    # simple ATT -0.041752 (SE 0.011503), event overall -0.080354 (0.018958).
    r = _ours(mpdta, "never", "dr", "lpop")
    assert r.aggregate("simple").overall["estimate"] == pytest.approx(-0.041752, abs=5e-7)
    assert r.aggregate("simple").overall["std_error"] == pytest.approx(0.011503, abs=5e-7)
    assert r.aggregate("dynamic").overall["estimate"] == pytest.approx(-0.080354, abs=5e-7)
    assert r.aggregate("dynamic").overall["std_error"] == pytest.approx(0.018958, abs=5e-7)


def test_result_interface(mpdta):
    r = _ours(mpdta, "never", "dr", "lpop")
    assert isinstance(r, ATTgtResult)
    tab = r.tidy()
    for col in ["group", "time", "estimate", "std_error", "conf_low", "conf_high", "event_time", "post"]:
        assert col in tab.columns
    assert r.nobs == 2500 and r.n_units == 500 and len(r.dropped) == 0
    assert r.inf.shape == (500, 12)
    s = r.summary().as_text()
    assert "Callaway" in s and "doubly robust" in s and "Pre-trend" in s
    assert r._repr_html_() == r._repr_html_() and "<table>" in r._repr_html_()
    dyn = r.aggregate("dynamic", min_e=-2, max_e=2)
    assert dyn.tidy()["level"].tolist() == [-2, -1, 0, 1, 2]
    assert {"level", "estimate", "std_error", "conf_low", "conf_high"} <= set(dyn.tidy().columns)
    assert set(dyn.overall.index) >= {"estimate", "std_error"}
    assert "e >= 0" in dyn.summary().as_text()
    import matplotlib

    matplotlib.use("Agg")
    fig = r.plot()
    assert len([a for a in fig.axes if a.get_visible()]) == 3
    ax = dyn.plot()
    assert ax.get_xlabel()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_balance_e_equals_csdid(mpdta):
    r = _ours(mpdta, "never", "dr", None)
    peer = _csdid(mpdta, "never", "dr", None)
    agg = r.aggregate("dynamic", balance_e=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.aggte("dynamic", balance_e=1, bstrap=False, cband=False)
    np.testing.assert_array_equal(agg.tidy()["level"], np.asarray(peer.atte["egt"]).astype(int))
    np.testing.assert_allclose(agg.tidy()["estimate"], np.asarray(peer.atte["att_egt"], float), atol=1e-8)
    assert agg.overall["std_error"] == pytest.approx(peer.atte["overall_se"], abs=1e-6)


def test_bootstrap_and_uniform_band(mpdta):
    a = _ours(mpdta, "never", "dr", None)
    b = _ours(mpdta, "never", "dr", None, bstrap=True, biters=999, seed=11)
    b2 = _ours(mpdta, "never", "dr", None, bstrap=True, biters=999, seed=11)
    pd.testing.assert_frame_equal(b.tidy(), b2.tidy())  # seeded: deterministic
    ratio = b.tidy()["std_error"] / a.tidy()["std_error"]
    assert ratio.between(0.85, 1.15).all()  # bootstrap SE ~ analytical SE
    z = 1.959963984540054
    assert z < b.crit_val < 3.5 and b.cband
    t = b.tidy()
    np.testing.assert_allclose(t["conf_high"] - t["estimate"], b.crit_val * t["std_error"])
    dyn = b.aggregate("dynamic")
    assert dyn.cband and dyn.crit_val > z
    assert dyn.overall["std_error"] == pytest.approx(a.aggregate("dynamic").overall["std_error"], rel=0.15)


def test_cluster_equals_unit_level_when_clusters_are_units(mpdta):
    a = _ours(mpdta, "never", "dr", "lpop")
    b = _ours(mpdta.assign(cl=mpdta["countyreal"]), "never", "dr", "lpop", cluster="cl")
    np.testing.assert_allclose(a.tidy()["std_error"], b.tidy()["std_error"], rtol=1e-12)
    # Coarser clusters: influence functions summed within clusters (R did, clustervars).
    c = _ours(mpdta.assign(cl=mpdta["countyreal"] // 100), "never", "dr", "lpop", cluster="cl")
    psi = a.inf
    codes = pd.factorize(mpdta.drop_duplicates("countyreal").sort_values("countyreal")["countyreal"] // 100, sort=True)[0]
    S = np.zeros((codes.max() + 1, psi.shape[1]))
    np.add.at(S, codes, psi)
    np.testing.assert_allclose(c.tidy()["std_error"], np.sqrt((S**2).sum(0)) / 500, rtol=1e-12)


def test_weights_equal_replicated_units_point_estimates(mpdta):
    # Integer weights = duplicating units (point estimates identical).
    units = np.sort(mpdta["countyreal"].unique())
    wt = pd.Series(1 + (units % 3), index=units)
    w = mpdta.assign(w=mpdta["countyreal"].map(wt))
    a = att_gt(w, "lemp", "countyreal", "year", "first_treat", covariates="lpop", weights="w")
    reps = []
    for k in range(3):
        sub = mpdta[mpdta["countyreal"].map(wt) > k].copy()
        sub["countyreal"] = sub["countyreal"] * 10 + k
        reps.append(sub)
    b = att_gt(pd.concat(reps), "lemp", "countyreal", "year", "first_treat", covariates="lpop")
    np.testing.assert_allclose(a.tidy()["estimate"], b.tidy()["estimate"], atol=1e-10)
    np.testing.assert_allclose(
        a.aggregate("dynamic").overall["estimate"], b.aggregate("dynamic").overall["estimate"], atol=1e-10
    )


def test_drops_are_warned_and_counted(mpdta):
    df = mpdta.copy()
    df.loc[df.index[:3], "lemp"] = np.nan  # unit 8001, 3 rows
    df = df[~((df["countyreal"] == 8019) & (df["year"] == 2005))]  # unbalanced unit
    early = df["countyreal"].isin([8023])
    df.loc[early, "first_treat"] = 2003  # treated in the first period
    with pytest.warns(DataDroppedWarning) as rec:
        r = att_gt(df, "lemp", "countyreal", "year", "first_treat")
    msgs = " | ".join(str(w.message) for w in rec)
    assert "missing values in lemp" in msgs and "already treated in the first period" in msgs
    assert "not observed in all" in msgs
    d = r.dropped.set_index("reason")["count"]
    assert d.sum() == 3 + 5 + (4 + 2)  # NaN rows; unit 8023; unit 8019's 4 rows + unit 8001's 2 rows
    assert r.n_units == 500 - 3


def test_bad_input_errors(mpdta):
    with pytest.raises(EstimationError, match="not found"):
        att_gt(mpdta, "nope", "countyreal", "year", "first_treat")
    with pytest.raises(EstimationError, match="control"):
        att_gt(mpdta, "lemp", "countyreal", "year", "first_treat", control="later")
    dup = pd.concat([mpdta, mpdta.iloc[:1]])
    with pytest.raises(EstimationError, match="duplicate"):
        att_gt(dup, "lemp", "countyreal", "year", "first_treat")
    with pytest.raises(EstimationError, match="numeric"):
        att_gt(mpdta.assign(year=mpdta["year"].astype(str)), "lemp", "countyreal", "year", "first_treat")
    nonever = mpdta[mpdta["first_treat"] > 0]
    with pytest.raises(EstimationError, match="never-treated"):
        att_gt(nonever, "lemp", "countyreal", "year", "first_treat")


def test_no_never_treated_notyet_equals_csdid(mpdta):
    nonever = mpdta[mpdta["first_treat"] > 0]
    with pytest.warns(DataDroppedWarning, match="periods from 2007"):
        r = att_gt(nonever, "lemp", "countyreal", "year", "first_treat", control="notyet")
    peer = _csdid(nonever, "notyet", "dr", None)
    np.testing.assert_allclose(r.tidy()["estimate"], peer.results["att"], atol=1e-8)
    np.testing.assert_allclose(r.tidy()["std_error"], peer.results["se"], atol=1e-6)


def test_recovers_simulated_truth():
    sim = simulate_rollout(n_units=4000, n_periods=10, cohorts=(4, 6, 8), seed=5, selection=0.5)
    r = att_gt(sim.data, "y", "unit", "period", "first_treat", covariates="x")
    tab = r.tidy().merge(sim.truth, on=["group", "time"])
    z = (tab["estimate"] - tab["att"]) / tab["std_error"]
    assert (z.abs() < 4.5).all()
    assert (z**2).mean() < 2.0  # roughly chi2(1) on average
    dyn = r.aggregate("dynamic").tidy().merge(sim.aggregate_truth("dynamic"), left_on="level", right_on="event_time")
    zd = (dyn["estimate"] - dyn["att"]) / dyn["std_error"]
    assert (zd.abs() < 4.5).all()
    simple = r.aggregate("simple").overall
    truth = float(sim.aggregate_truth("simple")["att"].iloc[0])
    assert abs(simple["estimate"] - truth) < 4 * simple["std_error"]


def test_recovers_demo_panel_truth():
    panel = load_demo_panel()
    truth = load_demo_truth("satisfaction")
    r = att_gt(panel, "satisfaction", "community_id", "period", "first_treat", control="notyet")
    tab = r.tidy().merge(truth, on=["group", "time"])
    post = tab[tab["post"] == 1]
    z = (post["estimate"] - post["att"]) / post["std_error"]
    assert (z.abs() < 4.5).all()
    # Event times 0..8 (every cohort observed) and the simple average, weighted by cohort size
    # as R did does: within three standard errors of the truth.
    size = panel.drop_duplicates("community_id").groupby("first_treat").size()
    tr = truth.assign(n=truth["group"].map(size))
    dyn = r.aggregate("dynamic", min_e=0, max_e=8).tidy().set_index("level")
    tr_e = tr[tr["event_time"].between(0, 8)].groupby("event_time").apply(lambda d: np.average(d["att"], weights=d["n"]))
    assert (np.abs(dyn["estimate"] - tr_e) / dyn["std_error"]).max() < 3
    post_tr = tr[tr["event_time"] >= 0]
    simple = r.aggregate("simple").overall
    assert abs(simple["estimate"] - np.average(post_tr["att"], weights=post_tr["n"])) < 3 * simple["std_error"]


def test_pretrend_test_refuses_singular_covariance():
    # 101 pre-treatment cells but 28 communities: the covariance is singular; R did also
    # returns no Wald statistic then.
    r = att_gt(load_demo_panel(), "satisfaction", "community_id", "period", "first_treat", control="notyet")
    pt = r.pretrend_test()
    assert pt["statistic"] is None and pt["df"] == 101 and "singular" in pt["note"]


@pytest.mark.parametrize("label", ["weights", "cluster", "time-varying covariate", "time-varying covariate, universal"])
def test_weights_clusters_time_varying_covariates_equal_csdid(mpdta, label):
    rng = np.random.default_rng(0)
    df = mpdta.copy()
    units = np.sort(df["countyreal"].unique())
    df["w"] = df["countyreal"].map(pd.Series(rng.uniform(0.5, 2, units.size), index=units))
    df["state"] = df["countyreal"] // 1000
    df["xv"] = df["lpop"] + 0.1 * rng.normal(size=len(df))  # varies over time: the earlier period's value is used
    ours_kw, peer_kw = {
        "weights": (dict(weights="w", covariates="lpop"), dict(weights_name="w", xformla="lemp~lpop")),
        "cluster": (dict(cluster="state", covariates="lpop"), dict(clustervar="state", xformla="lemp~lpop")),
        "time-varying covariate": (dict(covariates="xv"), dict(xformla="lemp~xv")),
        "time-varying covariate, universal": (dict(covariates="xv", base_period="universal"), dict(xformla="lemp~xv")),
    }[label]
    r = att_gt(df, "lemp", "countyreal", "year", "first_treat", **ours_kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = csdid_att_gt.ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", data=df.copy(),
                               **peer_kw).fit(est_method="dr", base_period=ours_kw.get("base_period", "varying"), bstrap=False)
    t = r.tidy()
    np.testing.assert_allclose(t["estimate"], m.results["att"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(t["std_error"], np.asarray(m.results["se"], float), atol=1e-6, rtol=0)
    for kind in AGG:
        a = r.aggregate(kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.aggte(kind, bstrap=False, cband=False)
        assert a.overall["estimate"] == pytest.approx(m.atte["overall_att"], abs=1e-8)
        assert a.overall["std_error"] == pytest.approx(m.atte["overall_se"], abs=1e-6)


@pytest.mark.parametrize(
    "control,method,cov,w",
    [("never", "dr", None, None), ("never", "dr", "lpop", None), ("never", "reg", "lpop", None),
     ("notyet", "dr", None, None), ("never", "ipw", "lpop", None), ("notyet", "dr", "lpop", "w")],
)
def test_repeated_cross_sections_equal_csdid(mpdta, control, method, cov, w):
    # mpdta rows treated as independent cross-sections (each row its own id), 80 % sample.
    df = mpdta.assign(rid=np.arange(len(mpdta))).sample(frac=0.8, random_state=3)
    df["w"] = np.random.default_rng(1).uniform(0.5, 2, len(df))
    r = att_gt(df, "lemp", "rid", "year", "first_treat", covariates=cov, control=control, method=method,
               panel=False, weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = csdid_att_gt.ATTgt(
            yname="lemp", gname="first_treat", idname="rid", tname="year", data=df.copy(), panel=False,
            weights_name=w, control_group="nevertreated" if control == "never" else "notyettreated",
            xformla="lemp~lpop" if cov else None,
        ).fit(est_method=method, bstrap=False)
    t = r.tidy()
    np.testing.assert_allclose(t["estimate"], m.results["att"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(t["std_error"], np.asarray(m.results["se"], float), atol=1e-6, rtol=0)
    assert r.nobs == len(df) and not r.panel
    for kind in AGG:
        a = r.aggregate(kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.aggte(kind, bstrap=False, cband=False)
        assert a.overall["estimate"] == pytest.approx(m.atte["overall_att"], abs=1e-8)
        assert a.overall["std_error"] == pytest.approx(m.atte["overall_se"], abs=1e-6)


def test_categorical_covariate_equals_csdid_factor(mpdta):
    df = mpdta.copy()
    df["size"] = pd.cut(df["lpop"], [-np.inf, 2.5, 3.5, np.inf], labels=["small", "mid", "large"]).astype(str)
    r = att_gt(df, "lemp", "countyreal", "year", "first_treat", covariates=["size", "lpop"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = csdid_att_gt.ATTgt(yname="lemp", gname="first_treat", idname="countyreal", tname="year", data=df.copy(),
                               xformla="lemp~C(size)+lpop").fit(est_method="dr", bstrap=False)
    np.testing.assert_allclose(r.tidy()["estimate"], m.results["att"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(r.tidy()["std_error"], m.results["se"], atol=1e-6, rtol=0)
