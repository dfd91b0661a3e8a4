"""event_study against pyfixest's feols with i(rel_time, ever_treated, ref=-1) on mpdta."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from civictools.errors import EstimationError
from civictools.evaluate import event_study, wild_cluster_bootstrap

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    for p in (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mpdta.csv",  # ../shared beside the repo
        Path(__file__).resolve().parents[1] / "src" / "civictools" / "data" / "mpdta.csv",
    ):
        if p.exists():
            m = pd.read_csv(p)
            break
    else:
        pytest.skip("mpdta.csv not available")
    m = m.rename(columns={"first.treat": "first_treat"})
    m["ever"] = (m["first_treat"] > 0).astype(int)
    m["rel"] = np.where(m["ever"] == 1, m["year"] - m["first_treat"], -1).astype(float)
    return m


def _pf_name(k):
    return f"rel::{float(k)}:ever"


def test_matches_pyfixest_mpdta(mpdta):
    r = event_study(mpdta, "lemp", "countyreal", "year", "first_treat")
    ref = pf.feols("lemp ~ i(rel, ever, ref=-1.0) | countyreal + year", data=mpdta, vcov={"CRV1": "countyreal"})
    t = r.tidy().set_index("term")
    assert sorted(t["rel_time"].astype(int)) == [-4, -3, -2, 0, 1, 2, 3]
    for term, row in t.iterrows():
        name = _pf_name(int(row.rel_time))
        assert abs(row.estimate - ref.coef()[name]) < 1e-10
        np.testing.assert_allclose(row.std_error, ref.se()[name], rtol=1e-8)
        np.testing.assert_allclose(row.p_value, ref.pvalue()[name], rtol=1e-6)
    # joint pre-trend Wald test: same quadratic form as pyfixest's wald_test
    pt = r.pretrend_test()
    names = list(ref.coef().index)
    pre = [n for n in names if float(n.split("::")[1].split(":")[0]) < 0]
    R = np.array([[1.0 if n == p else 0.0 for n in names] for p in pre])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.wald_test(R=R, distribution="chi2")
    np.testing.assert_allclose(pt["statistic"] * pt["df_num"], ref._wald_statistic, rtol=1e-8)
    assert pt["df_num"] == 3 and pt["df_den"] == 499
    assert pt["p_value"] == pytest.approx(stats.f.sf(pt["statistic"], 3, 499))


def test_binned_and_other_reference_with_covariate(mpdta):
    m = mpdta.assign(x=np.sin(mpdta["year"] * 7.0 + mpdta["countyreal"]))
    r = event_study(m, "lemp", "countyreal", "year", "first_treat", ref=-2, bins=(-3, 2), covariates=["x"])
    m["relb"] = np.clip(m["rel"], -3, 2)
    ref = pf.feols("lemp ~ i(relb, ever, ref=-2.0) + x | countyreal + year", data=m, vcov={"CRV1": "countyreal"})
    t = r.tidy().set_index("term")
    assert list(t.index) == ["rel_le_-3", "rel_-1", "rel_0", "rel_1", "rel_ge_2", "x"]
    for term, row in t.iterrows():
        name = "x" if term == "x" else f"relb::{float(row.rel_time)}:ever"
        assert abs(row.estimate - ref.coef()[name]) < 1e-10
        np.testing.assert_allclose(row.std_error, ref.se()[name], rtol=1e-8)


def test_never_treated_as_nan_same_as_zero(mpdta):
    a = event_study(mpdta, "lemp", "countyreal", "year", "first_treat")
    b = event_study(mpdta.assign(first_treat=mpdta["first_treat"].replace(0, np.nan)), "lemp", "countyreal", "year", "first_treat")
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())


def test_plot_summary_and_wild(mpdta):
    r = event_study(mpdta, "lemp", "countyreal", "year", "first_treat", bins=(-3, 2))
    ax = r.plot()
    assert len(ax.collections) + len(ax.lines) > 0
    assert "事件研究" in ax.get_title()
    text = r.summary().as_text()
    assert "Pre-trend test" in text and "Reference period: -1" in text
    assert r.summary().as_text() == text
    wb = wild_cluster_bootstrap(r, "rel_0", B=199, ci=False)
    assert 0 <= wb.p_value <= 1


def test_errors(mpdta):
    with pytest.raises(EstimationError, match="reference period 7"):
        event_study(mpdta, "lemp", "countyreal", "year", "first_treat", ref=7)
    bad = mpdta.copy()
    bad.loc[0, "first_treat"] = 2006
    with pytest.raises(EstimationError, match="varies within unit"):
        event_study(bad, "lemp", "countyreal", "year", "first_treat")
    with pytest.raises(EstimationError, match="integer periods"):
        event_study(mpdta.assign(year=mpdta["year"].astype(str)), "lemp", "countyreal", "year", "first_treat")


def test_all_eventually_treated_needs_bins(mpdta):
    treated_only = mpdta[mpdta["first_treat"] > 0]
    with pytest.raises(EstimationError, match="bins"):
        event_study(treated_only, "lemp", "countyreal", "year", "first_treat")
    r = event_study(treated_only, "lemp", "countyreal", "year", "first_treat", bins=(-3, 2))
    m = treated_only.assign(relb=np.clip(treated_only["rel"], -3, 2))
    ref = pf.feols("lemp ~ i(relb, ever, ref=-1.0) | countyreal + year", data=m, vcov={"CRV1": "countyreal"})
    for row in r.tidy().itertuples():
        assert abs(row.estimate - ref.coef()[f"relb::{float(row.rel_time)}:ever"]) < 1e-10
