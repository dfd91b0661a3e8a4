"""Goodman-Bacon decomposition: identities, sub-panel estimates vs pyfixest, closed-form
weights of Goodman-Bacon (2021, Theorem 1), and a published toy example."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from civictools.errors import EstimationError
from civictools.evaluate import bacon_decomposition, twfe

pf = pytest.importorskip("pyfixest")


@pytest.fixture(scope="module")
def mpdta():
    for p in (
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mpdta.csv",  # ../shared beside the repo
        Path(__file__).resolve().parents[1] / "src" / "civictools" / "data" / "mpdta.csv",
    ):
        if p.exists():
            m = pd.read_csv(p)
            break
    else:
        pytest.skip("mpdta.csv not available")
    m["treat_post"] = ((m["treat"] == 1) & (m["year"] >= m["first.treat"])).astype(int)
    return m


def _staggered(seed=0, n=120, T=12, always=True):
    rng = np.random.default_rng(seed)
    cohorts = np.array([0, 3, 6, 9, 99] if always else [3, 6, 9, 99])
    g = rng.choice(cohorts, size=n)
    d = pd.DataFrame({"u": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    d["g"] = np.repeat(g, T)
    d["d"] = (d["t"] >= d["g"]).astype(int)
    # dynamic, cohort-specific effects: the setting where TWFE errs
    d["y"] = (
        np.repeat(rng.normal(size=n), T) + 0.2 * d["t"]
        + d["d"] * (1.0 + 0.3 * (d["t"] - d["g"]).clip(lower=0) + 0.1 * d["g"] / 3)
        + rng.normal(0, 0.5, len(d))
    )
    return d


def _check_identities(b, ref_beta):
    w = b.components["weight"]
    assert (w > 0).all()
    assert abs(w.sum() - 1.0) < 1e-12
    assert abs(float((w * b.components["estimate"]).sum()) - ref_beta) < 1e-10
    assert abs(b.twfe_estimate - ref_beta) < 1e-10


def test_mpdta_identities_vs_twfe_and_pyfixest(mpdta):
    b = bacon_decomposition(mpdta, "lemp", "countyreal", "year", "treat_post")
    ours = twfe(mpdta, "lemp", "countyreal", "year", "treat_post").coef()["treat_post"]
    ref = pf.feols("lemp ~ treat_post | countyreal + year", data=mpdta).coef()["treat_post"]
    assert abs(ours - ref) < 1e-10
    _check_identities(b, ref)
    assert set(b.components["type"]) == {"treated_vs_never", "earlier_vs_later", "later_vs_earlier"}
    assert len(b.components) == 3 + 3 + 3


def test_simulated_with_always_treated():
    d = _staggered()
    b = bacon_decomposition(d, "y", "u", "t", "d")
    ref = pf.feols("y ~ d | u + t", data=d).coef()["d"]
    _check_identities(b, ref)
    assert "later_vs_always" in set(b.components["type"])


def test_each_2x2_equals_pyfixest_on_its_subpanel():
    d = _staggered(seed=1)
    b = bacon_decomposition(d, "y", "u", "t", "d")

    def grp(label):
        return 99 if label == "never" else (0 if label == "always" else label)

    for row in b.components.itertuples():
        tr, co = grp(row.treated), grp(row.control)
        sub = d[d["g"].isin([tr, co])]
        if row.type == "earlier_vs_later":
            sub = sub[sub["t"] < co]
        elif row.type in ("later_vs_earlier", "later_vs_always"):
            sub = sub[sub["t"] >= co]
        est = pf.feols("y ~ d | u + t", data=sub).coef()["d"]
        assert abs(row.estimate - est) < 1e-10, row


def test_weights_equal_theorem_1_formulas():
    # Goodman-Bacon (2021) eqs. 10e-g: numerators with group shares n and treated shares Dbar.
    d = _staggered(seed=2, always=False)
    b = bacon_decomposition(d, "y", "u", "t", "d")
    T = d["t"].nunique()
    n_units = d["u"].nunique()
    share = d.groupby("g")["u"].nunique() / n_units
    dbar = {g: max(0, T - g) / T for g in share.index if g != 99}
    num = {}
    nU = share[99]
    for k, Dk in dbar.items():
        nk = share[k]
        nkU = nk / (nk + nU)
        num[("treated_vs_never", k, "never")] = (nk + nU) ** 2 * nkU * (1 - nkU) * Dk * (1 - Dk)
    for k, Dk in dbar.items():
        for l, Dl in dbar.items():
            if not Dk > Dl:
                continue
            nk, nl = share[k], share[l]
            nkl = nk / (nk + nl)
            num[("earlier_vs_later", k, l)] = ((nk + nl) * (1 - Dl)) ** 2 * nkl * (1 - nkl) * (Dk - Dl) / (1 - Dl) * (1 - Dk) / (1 - Dl)
            num[("later_vs_earlier", l, k)] = ((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * Dl / Dk * (Dk - Dl) / Dk
    total = sum(num.values())
    got = {(r.type, r.treated, r.control): r.weight for r in b.components.itertuples()}
    assert set(got) == set(num)
    for key, v in num.items():
        assert abs(got[key] - v / total) < 1e-12, key


def test_published_toy_example():
    # asjadnaqvi.github.io/DiD "Bacon decomposition" (also Statalist thread 1751536): 3 units,
    # t = 1..10, unit 2 treated from t = 5 (effect 2), unit 3 from t = 8 (effect 4).
    # Stata bacondecomp: Early_v_Late beta 2, weight .1818181841; Late_v_Early beta 4,
    # weight .1363636317; Never_v_timing beta 2.933333323, weight .6818181841; TWFE 2.909.
    d = pd.DataFrame({"id": np.repeat([1, 2, 3], 10), "t": np.tile(np.arange(1, 11), 3)})
    d["D"] = (((d.id == 2) & (d.t >= 5)) | ((d.id == 3) & (d.t >= 8))).astype(int)
    d["Y"] = np.where(d.id == 2, 2 * d.D, np.where(d.id == 3, 4 * d.D, 0)).astype(float)
    b = bacon_decomposition(d, "Y", "id", "t", "D")
    by = b.by_type().set_index("type")
    assert by.loc["earlier_vs_later", "estimate"] == pytest.approx(2.0, abs=1e-12)
    assert by.loc["earlier_vs_later", "weight"] == pytest.approx(0.1818181841, abs=1e-8)
    assert by.loc["later_vs_earlier", "estimate"] == pytest.approx(4.0, abs=1e-12)
    assert by.loc["later_vs_earlier", "weight"] == pytest.approx(0.1363636317, abs=1e-8)
    # Stata stores these in single precision (7 digits)
    assert by.loc["treated_vs_never", "estimate"] == pytest.approx(2.933333323, abs=1e-7)
    assert by.loc["treated_vs_never", "weight"] == pytest.approx(0.6818181841, abs=1e-8)
    assert round(b.twfe_estimate, 3) == 2.909


def test_summary_plot_and_errors(mpdta):
    b = bacon_decomposition(mpdta, "lemp", "countyreal", "year", "treat_post")
    assert b.summary().as_text() == b.summary().as_text()
    assert "later_vs_earlier" in b._repr_html_()
    b.plot()
    with pytest.raises(EstimationError, match="balanced panel"):
        bacon_decomposition(mpdta.iloc[1:], "lemp", "countyreal", "year", "treat_post")
    with pytest.raises(EstimationError, match="missing values"):
        bacon_decomposition(mpdta.assign(lemp=mpdta["lemp"].where(mpdta.index != 3)), "lemp", "countyreal", "year", "treat_post")
    off = mpdta.copy()
    early = off.loc[off["first.treat"] == 2004, "countyreal"].iloc[0]
    off.loc[(off["countyreal"] == early) & (off["year"] == 2005), "treat_post"] = 0
    with pytest.raises(EstimationError, match="switches off"):
        bacon_decomposition(off, "lemp", "countyreal", "year", "treat_post")
    with pytest.raises(EstimationError, match="binary"):
        bacon_decomposition(mpdta.assign(tp=mpdta["treat_post"] * 2), "lemp", "countyreal", "year", "tp")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bacon_decomposition(mpdta, "lemp", "countyreal", "year", "treat_post")
