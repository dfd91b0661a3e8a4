"""twfe and the fixed-effects engine against pyfixest (live) and published anchor values."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civictools.errors import DataDroppedWarning, EstimationError, FewClustersWarning
from civictools.evaluate import twfe
from civictools.evaluate._fe import demean, drop_singletons, factorize_fe, fe_dof, recode_fe

pf = pytest.importorskip("pyfixest")
causaldata = pytest.importorskip("causaldata")

COEF_TOL = 1e-10
SE_RTOL = 1e-8


def _mpdta_path() -> Path:
    for p in (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mpdta.csv",  # ../shared beside the repo
        Path(__file__).resolve().parents[1] / "src" / "civictools" / "data" / "mpdta.csv",
    ):
        if p.exists():
            return p
    pytest.skip("mpdta.csv not available")


@pytest.fixture(scope="module")
def organ() -> pd.DataFrame:
    od = causaldata.organ_donations.load_pandas().data.copy()
    # California's active-choice policy starts in 2011 Q3 (Quarter_Num 4), as in The Effect ch. 18.
    od["Treated"] = ((od["State"] == "California") & (od["Quarter_Num"] >= 4)).astype(int)
    return od


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    c = causaldata.castle.load_pandas().data.copy()
    return c.astype({k: "float64" for k in c.columns if c[k].dtype == "float32"})


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    m = pd.read_csv(_mpdta_path())
    m["treat_post"] = ((m["treat"] == 1) & (m["year"] >= m["first.treat"])).astype(int)
    return m


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def _assert_matches(ours, ref, terms):
    t = ours.tidy().set_index("term")
    for term in terms:
        assert abs(t.loc[term, "estimate"] - ref.coef()[term]) < COEF_TOL
        np.testing.assert_allclose(t.loc[term, "std_error"], ref.se()[term], rtol=SE_RTOL)
        np.testing.assert_allclose(t.loc[term, "p_value"], ref.pvalue()[term], rtol=1e-6, atol=1e-12)


# --- published anchors (../shared/design/anchors.md: pyfixest default CR1 by the first FE) ---

def test_organ_donations_anchor_and_pyfixest(organ):
    with pytest.warns(FewClustersWarning, match="27 clusters"):
        r = twfe(organ, "Rate", "State", "Quarter", "Treated")
    # Anchor: pyfixest feols Rate ~ Treated | State + Quarter, CR1 by State
    # = -0.0224589744 (SE 0.00613123201)  [anchors.md, Estimation]
    assert abs(r.coef()["Treated"] - (-0.0224589744)) < 1e-10
    assert abs(r.std_errors()["Treated"] - 0.00613123201) < 1e-11
    ref = pf.feols("Rate ~ Treated | State + Quarter", data=organ, vcov={"CRV1": "State"})
    _assert_matches(r, ref, ["Treated"])
    assert r.nobs == ref._N and r.n_clusters == 27 and r.n_treated_clusters == 1
    assert r.k_small_sample == 7  # 1 regressor + 6 quarters; State nested in the cluster counts as 1
    assert r.df_t == 26


def test_castle_anchor_and_pyfixest(castle):
    r = twfe(castle, "l_homicide", "sid", "year", "post")
    # Anchor: castle l_homicide ~ post | sid + year, CR1 by sid: 0.0693984293 (0.0558596353)
    assert abs(r.coef()["post"] - 0.0693984293) < 1e-10
    assert abs(r.std_errors()["post"] - 0.0558596353) < 1e-10
    ref = pf.feols("l_homicide ~ post | sid + year", data=castle, vcov={"CRV1": "sid"})
    _assert_matches(r, ref, ["post"])


def test_castle_weighted_anchor_and_pyfixest(castle):
    r = twfe(castle, "l_homicide", "sid", "year", "post", weights="popwt")
    # Anchor: weighted by popwt 0.0755332389 (0.0331936063)
    assert abs(r.coef()["post"] - 0.0755332389) < 1e-10
    assert abs(r.std_errors()["post"] - 0.0331936063) < 1e-10
    ref = pf.feols("l_homicide ~ post | sid + year", data=castle, weights="popwt", vcov={"CRV1": "sid"})
    _assert_matches(r, ref, ["post"])


def test_mpdta_pyfixest(mpdta):
    r = twfe(mpdta, "lemp", "countyreal", "year", "treat_post")
    ref = pf.feols("lemp ~ treat_post | countyreal + year", data=mpdta, vcov={"CRV1": "countyreal"})
    _assert_matches(r, ref, ["treat_post"])
    assert r.n_clusters == 500


@pytest.mark.parametrize("vcov,pf_vcov", [("HC1", "hetero"), ("iid", "iid")])
def test_hc1_iid_pyfixest(castle, vcov, pf_vcov):
    r = twfe(castle, "l_homicide", "sid", "year", "post", vcov=vcov)
    ref = pf.feols("l_homicide ~ post | sid + year", data=castle, vcov=pf_vcov)
    _assert_matches(r, ref, ["post"])
    w = twfe(castle, "l_homicide", "sid", "year", "post", vcov=vcov, weights="popwt")
    refw = pf.feols("l_homicide ~ post | sid + year", data=castle, vcov=pf_vcov, weights="popwt")
    _assert_matches(w, refw, ["post"])


def test_cluster_coarser_than_unit_nested_fe(mpdta):
    # counties nested in 50 "regions": the county FE is nested in the cluster, the year FE not
    m = mpdta.assign(region=mpdta["countyreal"] % 50)
    r = twfe(m, "lemp", "countyreal", "year", "treat_post", cluster="region")
    ref = pf.feols("lemp ~ treat_post | countyreal + year", data=m, vcov={"CRV1": "region"})
    _assert_matches(r, ref, ["treat_post"])
    # cluster by year: no fixed effect nested
    with pytest.warns(FewClustersWarning):
        ry = twfe(m, "lemp", "countyreal", "year", "treat_post", cluster="year")
    refy = pf.feols("lemp ~ treat_post | countyreal + year", data=m, vcov={"CRV1": "year"})
    _assert_matches(ry, refy, ["treat_post"])


def _unbalanced(seed=3, n_units=60, n_t=8):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"u": np.repeat(np.arange(n_units), n_t), "t": np.tile(np.arange(n_t), n_units)})
    d = d[rng.random(len(d)) > 0.3].copy()
    d["g"] = d["u"] % 7
    d["x1"] = rng.normal(size=len(d))
    d["x2"] = rng.normal(size=len(d)) + 0.1 * d["t"]
    d["d"] = ((d["u"] < n_units // 2) & (d["t"] >= 4)).astype(int)
    d["w"] = rng.uniform(0.5, 3.0, len(d))
    d["y"] = 0.05 * d["u"] + 0.3 * d["t"] + d["d"] + 0.5 * d["x1"] - 0.2 * d["x2"] + rng.normal(size=len(d))
    # a unit seen once and a period-group cell seen once create singletons
    extra = pd.DataFrame({"u": [999], "t": [0], "g": [3], "x1": [0.1], "x2": [0.2], "d": [0], "w": [1.0], "y": [1.0]})
    return pd.concat([d, extra], ignore_index=True)


def test_unbalanced_three_fe_singletons_weights(recwarn):
    d = _unbalanced()
    r = twfe(d, "y", "u", "t", "d", covariates=["x1", "x2"], fe=["u", "t", "g"], weights="w")
    # tight reference convergence: pyfixest stops at fixef_tol=1e-8 by default
    ref = pf.feols("y ~ d + x1 + x2 | u + t + g", data=d, weights="w", vcov={"CRV1": "u"}, fixef_tol=1e-13)
    _assert_matches(r, ref, ["d", "x1", "x2"])
    assert r.nobs == ref._N
    assert r.dropped["count"].sum() == len(d) - ref._N >= 1
    assert any(issubclass(w.category, DataDroppedWarning) for w in recwarn.list)


def test_missing_values_dropped_and_counted():
    d = _unbalanced()
    d.loc[d.index[:5], "x1"] = np.nan
    with pytest.warns(DataDroppedWarning, match="5 row"):
        r = twfe(d, "y", "u", "t", "d", covariates=["x1"])
    assert "missing values in x1" in r.dropped["reason"].iloc[0]
    assert int(r.dropped["count"].iloc[0]) == 5
    ref = pf.feols("y ~ d + x1 | u + t", data=d, vcov={"CRV1": "u"}, fixef_tol=1e-13)
    _assert_matches(r, ref, ["d", "x1"])


def test_tidy_columns_and_immutability(castle):
    r = twfe(castle, "l_homicide", "sid", "year", "post")
    assert list(r.tidy().columns) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    h = r.with_vcov("HC1")
    assert h is not r and h.vcov_type == "HC1" and r.vcov_type == "CR1"
    assert h.std_errors()["post"] != r.std_errors()["post"]
    with pytest.raises(AttributeError):
        r.nobs = 3
    assert isinstance(r.vcov, pd.DataFrame) and r.vcov.shape == (1, 1)


def test_with_vcov_other_cluster(mpdta):
    m = mpdta.assign(region=mpdta["countyreal"] % 40)
    r = twfe(m, "lemp", "countyreal", "year", "treat_post")
    r2 = r.with_vcov("CR1", cluster="region", data=m)
    direct = twfe(m, "lemp", "countyreal", "year", "treat_post", cluster="region")
    np.testing.assert_allclose(r2.vcov.to_numpy(), direct.vcov.to_numpy(), rtol=1e-12)
    assert r2.n_treated_clusters == direct.n_treated_clusters


def test_few_clusters_summary_shows_wild_p(organ):
    r = _quiet(twfe, organ, "Rate", "State", "Quarter", "Treated")
    s1 = r.summary().as_text()
    s2 = r.summary().as_text()
    assert s1 == s2
    assert "wild_p_value" in s1 and "B = 999" in s1 and "seed" in s1
    html = r._repr_html_()
    assert "wild_p_value" in html and "<table>" in html
    p = r.wild_bootstrap_pvalue()
    # WCR Rademacher p on organ_donations: 0.446 at B = 9,999 (wildboottest/pyfixest anchor);
    # at B = 999 Monte Carlo sd is about 0.016.
    assert abs(p - 0.446) < 0.05


def test_no_few_cluster_warning_with_many_clusters(mpdta):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewClustersWarning)
        r = twfe(mpdta, "lemp", "countyreal", "year", "treat_post")
    assert "wild_p_value" not in r.summary().as_text()


def test_errors():
    d = _unbalanced()
    with pytest.raises(EstimationError, match="'nope'"):
        twfe(d, "nope", "u", "t", "d")
    bad = d.assign(ys=d["y"].astype(str))
    with pytest.raises(EstimationError, match="numeric"):
        twfe(bad, "ys", "u", "t", "d")
    with pytest.raises(EstimationError, match="collinear"):
        twfe(d.assign(z=d["u"] * 2.0), "y", "u", "t", "d", covariates=["z"])
    with pytest.raises(EstimationError, match="vcov"):
        twfe(d, "y", "u", "t", "d", vcov="HC3")


# --- the engine itself -----------------------------------------------------------------

def _dummy_residuals(x, fe, w):
    cols = []
    for j in range(fe.shape[1]):
        D = np.eye(fe[:, j].max() + 1)[fe[:, j]]
        cols.append(D if j == 0 else D[:, 1:])
    D = np.column_stack(cols)
    sw = np.sqrt(w)
    b = np.linalg.lstsq(D * sw[:, None], x * sw[:, None], rcond=None)[0]
    return x - D @ b


def test_demean_equals_dummy_regression():
    rng = np.random.default_rng(0)
    n = 500
    fe = np.column_stack([rng.integers(0, 40, n), rng.integers(0, 9, n), rng.integers(0, 4, n)])
    fe = recode_fe(fe)
    x = rng.normal(size=(n, 3)) * [1.0, 100.0, 0.01]
    w = rng.uniform(0.2, 5.0, n)
    for weights in (None, w):
        got = demean(x, fe, weights)
        ref = _dummy_residuals(x, fe, np.ones(n) if weights is None else w)
        for c in range(x.shape[1]):
            np.testing.assert_allclose(got[:, c], ref[:, c], atol=1e-9 * np.abs(x[:, c]).max())
    two = fe[:, :2]  # the two-factor path iterates on cross-tabulated coefficients
    for weights in (None, w):
        got = demean(x, two, weights)
        ref = _dummy_residuals(x, two, np.ones(n) if weights is None else w)
        for c in range(x.shape[1]):
            np.testing.assert_allclose(got[:, c], ref[:, c], atol=1e-9 * np.abs(x[:, c]).max())
    # the smaller factor first or second gives the same answer
    np.testing.assert_allclose(demean(x, two[:, ::-1], w), demean(x, two, w), atol=1e-9 * np.abs(x).max())
    one = demean(x[:, 0], fe[:, :1])
    np.testing.assert_allclose(one, _dummy_residuals(x[:, :1], fe[:, :1], np.ones(n))[:, 0], atol=1e-12)


def test_demean_matches_pyfixest_demean():
    from pyfixest.estimation.numba.demean_nb import demean as pf_demean

    rng = np.random.default_rng(5)
    n = 3000
    fe = recode_fe(np.column_stack([rng.integers(0, 300, n), rng.integers(0, 30, n)]))
    x = rng.normal(size=(n, 2))
    w = rng.uniform(0.5, 2, n)
    ref, ok = pf_demean(x, fe, w, 1e-13, 100_000)
    assert ok
    np.testing.assert_allclose(demean(x, fe, w), ref, atol=1e-9)


def _brute_singletons(fe):
    keep = np.ones(len(fe), bool)
    changed = True
    while changed:
        changed = False
        for j in range(fe.shape[1]):
            vals, counts = np.unique(fe[keep, j], return_counts=True)
            singles = set(vals[counts == 1])
            for i in np.flatnonzero(keep):
                if fe[i, j] in singles:
                    keep[i] = False
                    changed = True
    return keep


def test_drop_singletons_iterates():
    rng = np.random.default_rng(2)
    fe = np.column_stack([rng.integers(0, 80, 150), rng.integers(0, 30, 150)])
    np.testing.assert_array_equal(drop_singletons(fe), _brute_singletons(fe))
    # chain: removing row 2 makes row 3 a singleton in the second FE
    chain = np.array([[0, 0], [0, 0], [1, 1], [2, 1], [2, 2], [2, 2]])
    np.testing.assert_array_equal(drop_singletons(chain), [True, True, False, False, True, True])


def test_factorize_and_dof():
    df = pd.DataFrame({"a": ["x", "y", "x", None]})
    with pytest.raises(EstimationError, match="missing"):
        factorize_fe(df, ["a"])
    fe = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert fe_dof(fe) == 3
    assert fe_dof(fe, cluster=np.array([0, 0, 1, 1])) == 2


def test_single_fixed_effect_and_covariates(castle):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = twfe(castle, "l_homicide", "sid", "year", "post", covariates=["l_police"], fe=["sid"])
        ref = pf.feols("l_homicide ~ post + l_police | sid", data=castle, vcov={"CRV1": "sid"})
    _assert_matches(r, ref, ["post", "l_police"])
    assert r.fe == ("sid",)


def test_pandas_extension_dtypes(mpdta):
    base = twfe(mpdta, "lemp", "countyreal", "year", "treat_post")
    m = mpdta.assign(
        countyreal=mpdta["countyreal"].astype("Int64"),
        year=mpdta["year"].astype("category"),
        lemp=mpdta["lemp"].astype("Float64"),
        treat_post=mpdta["treat_post"].astype(bool),
    )
    r = twfe(m, "lemp", "countyreal", "year", "treat_post")
    assert abs(r.coef()["treat_post"] - base.coef()["treat_post"]) < 1e-12
    m.loc[m.index[:3], "countyreal"] = pd.NA
    with pytest.warns(DataDroppedWarning, match="missing values in countyreal"):
        r2 = twfe(m, "lemp", "countyreal", "year", "treat_post")
    assert r2.nobs < base.nobs
