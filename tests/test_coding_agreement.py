"""agreement() against statsmodels.stats.inter_rater and the krippendorff package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

krippendorff = pytest.importorskip("krippendorff")  # test-only dependency
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa  # noqa: E402

from civictools.coding import agreement  # noqa: E402
from civictools.errors import CodebookError  # noqa: E402


def _ratings(n=80, k=3, seed=4, themes=("a", "b", "c")):
    rng = np.random.default_rng(seed)
    rows = []
    for t, base in zip(themes, (0.3, 0.5, 0.15)):
        truth = rng.random(n) < base
        coders = [np.where(rng.random(n) < acc, truth, ~truth).astype(float) for acc in (0.9, 0.8, 0.75)[:k]]
        for u in range(n):
            rows.append({"unit_id": u, "theme": t, **{f"c{j}": coders[j][u] for j in range(k)}})
    return pd.DataFrame(rows)


def _stat(res, theme, stat):
    return float(res.wide().loc[theme, stat])


def test_cohen_two_coders_equals_statsmodels():
    df = _ratings(k=2)
    res = agreement(df, coders=["c0", "c1"], n_boot=0)
    for t in "abc":
        g = df[df["theme"] == t]
        table = pd.crosstab(g["c0"], g["c1"]).reindex(index=[0.0, 1.0], columns=[0.0, 1.0], fill_value=0)
        # reference: statsmodels.stats.inter_rater.cohens_kappa on the 2x2 table
        assert _stat(res, t, "cohen_kappa") == pytest.approx(cohens_kappa(table.to_numpy()).kappa, abs=1e-12)
        assert _stat(res, t, "percent_agreement") == pytest.approx((g["c0"] == g["c1"]).mean())


def test_fleiss_and_alpha_three_coders_equal_references():
    df = _ratings(k=3)
    res = agreement(df, coders=["c0", "c1", "c2"], n_boot=0)
    for t in "abc":
        R = df[df["theme"] == t][["c0", "c1", "c2"]].to_numpy()
        counts, _ = aggregate_raters(R.astype(int))
        # reference: statsmodels.stats.inter_rater.fleiss_kappa
        assert _stat(res, t, "fleiss_kappa") == pytest.approx(fleiss_kappa(counts, method="fleiss"), abs=1e-12)
        # reference: krippendorff.alpha (Castro 2017 package), nominal
        ref = krippendorff.alpha(reliability_data=R.T, level_of_measurement="nominal")
        assert _stat(res, t, "krippendorff_alpha") == pytest.approx(ref, abs=1e-12)
        assert np.isnan(_stat(res, t, "cohen_kappa"))  # Cohen is for two coders
    pooled = df[["c0", "c1", "c2"]].to_numpy()
    ref = krippendorff.alpha(reliability_data=pooled.T, level_of_measurement="nominal")
    assert _stat(res, "overall", "krippendorff_alpha") == pytest.approx(ref, abs=1e-12)
    counts, _ = aggregate_raters(pooled.astype(int))
    assert _stat(res, "overall", "fleiss_kappa") == pytest.approx(fleiss_kappa(counts), abs=1e-12)


def test_alpha_with_missing_codes_equals_krippendorff():
    df = _ratings(k=3)
    rng = np.random.default_rng(9)
    for c in ("c1", "c2"):
        df.loc[rng.random(len(df)) < 0.2, c] = np.nan
    res = agreement(df, coders=["c0", "c1", "c2"], n_boot=0)
    for t in "abc":
        R = df[df["theme"] == t][["c0", "c1", "c2"]].to_numpy()
        ref = krippendorff.alpha(reliability_data=R.T, level_of_measurement="nominal")
        assert _stat(res, t, "krippendorff_alpha") == pytest.approx(ref, abs=1e-12)
        complete = R[~np.isnan(R).any(axis=1)].astype(int)
        counts, _ = aggregate_raters(complete)
        assert _stat(res, t, "fleiss_kappa") == pytest.approx(fleiss_kappa(counts), abs=1e-12)


def test_single_label_nominal_many_categories():
    rng = np.random.default_rng(2)
    labels = np.array(["elderly_care", "volunteering", "living_environment", "child_family"])
    truth = rng.integers(0, 4, 60)
    a = np.where(rng.random(60) < 0.8, truth, rng.integers(0, 4, 60))
    b = np.where(rng.random(60) < 0.7, truth, rng.integers(0, 4, 60))
    df = pd.DataFrame({"unit_id": range(60), "a": labels[a], "b": labels[b]})
    res = agreement(df, coders=["a", "b"], multilabel=False, n_boot=0)
    ref = krippendorff.alpha(reliability_data=np.vstack([a, b]), level_of_measurement="nominal")
    assert _stat(res, "overall", "krippendorff_alpha") == pytest.approx(ref, abs=1e-12)
    table = pd.crosstab(a, b).reindex(index=range(4), columns=range(4), fill_value=0).to_numpy()
    assert _stat(res, "overall", "cohen_kappa") == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)


def test_codes_format_and_dict_format_agree():
    codes = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4", "u5"],
                          "a": ["x;y", "", "x", "y", None], "b": ["x", "", "x", "y", "y"]})
    r1 = agreement(codes, coders=["a", "b"], n_boot=0)
    assert _stat(r1, "y", "percent_agreement") == pytest.approx(3 / 5)  # None means no theme
    r_missing = agreement(codes, coders=["a", "b"], n_boot=0, na="missing")
    assert _stat(r_missing, "y", "percent_agreement") == pytest.approx(3 / 4)
    mats = {
        "a": pd.DataFrame({"x": [1, 0, 1, 0, 0], "y": [1, 0, 0, 1, 0]}, index=codes["unit_id"]),
        "b": pd.DataFrame({"x": [1, 0, 1, 0, 0], "y": [0, 0, 0, 1, 1]}, index=codes["unit_id"]),
    }
    r2 = agreement(mats, n_boot=0)
    pd.testing.assert_frame_equal(r1.wide(), r2.wide())


def test_bootstrap_is_seeded_and_brackets_estimate():
    df = _ratings(k=2)
    r1 = agreement(df, coders=["c0", "c1"], n_boot=300, seed=5)
    r2 = agreement(df, coders=["c0", "c1"], n_boot=300, seed=5)
    pd.testing.assert_frame_equal(r1.tidy(), r2.tidy())
    t = r1.tidy().dropna()
    assert (t["ci_low"] <= t["estimate"] + 1e-12).all() and (t["estimate"] <= t["ci_high"] + 1e-12).all()
    r3 = agreement(df, coders=["c0", "c1"], n_boot=300, seed=6)
    assert not r3.tidy()["ci_low"].equals(r1.tidy()["ci_low"])
    assert "bootstrap" in r1.summary().as_text()


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # statsmodels z on degenerate tables
def test_bootstrap_percentiles_equal_a_plain_loop():
    """The matrix-product bootstrap must equal resampling units one replicate at a time."""
    df = _ratings(n=40, k=2)
    res = agreement(df[df["theme"] == "a"], coders=["c0", "c1"], n_boot=200, seed=1)
    g = df[df["theme"] == "a"].reset_index(drop=True)
    rng = np.random.default_rng(1)
    W = rng.multinomial(40, np.full(40, 1 / 40), size=200)
    vals = []
    for w in W:
        idx = np.repeat(np.arange(40), w)
        s = g.iloc[idx]
        table = pd.crosstab(s["c0"], s["c1"]).reindex(index=[0.0, 1.0], columns=[0.0, 1.0], fill_value=0)
        vals.append(cohens_kappa(table.to_numpy()).kappa)
    lo, hi = np.percentile(vals, [2.5, 97.5])
    row = res.tidy().query("theme == 'a' and statistic == 'cohen_kappa'").iloc[0]
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12) and row["ci_high"] == pytest.approx(hi, abs=1e-12)


def test_errors():
    with pytest.raises(CodebookError, match="unit column"):
        agreement(pd.DataFrame({"a": [1]}), coders=["a", "b"])
    with pytest.raises(CodebookError, match="not found"):
        agreement(pd.DataFrame({"unit_id": [1], "a": ["x"]}), coders=["a", "zz"])
    with pytest.raises(CodebookError, match="0, 1 or missing"):
        agreement(pd.DataFrame({"unit_id": [1], "theme": ["x"], "a": [2], "b": [1]}), coders=["a", "b"])
    with pytest.raises(CodebookError, match="at least two"):
        agreement(pd.DataFrame({"unit_id": [1], "a": ["x"]}), coders=["a"])
