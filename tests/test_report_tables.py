"""Comparison tables (etable) across real estimation results."""

from __future__ import annotations

import warnings

import pytest

import civictools as ct


@pytest.fixture(scope="module")
def results():
    df = ct.load_mpdta()
    df["post"] = ((df.first_treat > 0) & (df.year >= df.first_treat)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tw = ct.twfe(df, "lemp", "countyreal", "year", "post")
        cs = ct.att_gt(df, "lemp", "countyreal", "year", "first_treat").aggregate("simple")
        bjs = ct.did_imputation(df, "lemp", "countyreal", "year", "first_treat")
    return tw, cs, bjs


def test_numbers_stars_and_shared_rows(results):
    tw, cs, bjs = results
    tab = ct.etable([tw, cs, bjs], names=["TWFE", "CS", "BJS"], keep=["ATT"], labels={"post": "ATT"})
    body = tab.body
    assert list(body.columns) == ["TWFE", "CS", "BJS"] and len(body) == 2  # one ATT row: estimate + SE
    row = tw.tidy().set_index("term").loc["post"]
    stars = "***" if row.p_value < 0.01 else "**" if row.p_value < 0.05 else "*" if row.p_value < 0.1 else ""
    assert body.iloc[0]["TWFE"] == f"{row.estimate:.3f}{stars}"
    assert body.iloc[1]["TWFE"] == f"({row.std_error:.3f})"
    assert body.iloc[0]["CS"].startswith(f"{cs.overall['estimate']:.3f}")
    assert body.iloc[1]["BJS"] == f"({bjs.overall['std_error']:.3f})"
    foot = tab.footer
    assert foot.loc["Observations", "TWFE"] == f"{tw.nobs:,}"
    assert foot.loc["Clusters", "TWFE"] == "500"


def test_three_formats_and_languages(results):
    tw, cs, _ = results
    zh = ct.etable([tw, cs], lang="zh", keep=["ATT"], labels={"post": "ATT"}, stars=False)
    md, tex, html = zh.to_markdown(), zh.to_latex(), zh.to_html()
    assert "观测数" in md and "*" not in md.split("\n\n")[0]
    assert tex.startswith(r"\begin{tabular}{lcc}") and r"\toprule" in tex and r"\bottomrule" in tex
    assert "<table" in html and "括号内为标准误" in html
    en = ct.etable([tw], names=["(a)"], labels={"post": "post_x"})
    assert r"post\_x" in en.to_latex() and "$^{***}$" in en.to_latex()


def test_bad_inputs():
    with pytest.raises(ct.ReportError, match="at least one"):
        ct.etable([])
    class NoTerms:
        def tidy(self):
            import pandas as pd
            return pd.DataFrame({"x": [1]})
    with pytest.raises(ct.ReportError, match="cannot go in a table"):
        ct.etable([NoTerms()])
