"""Tests of civictools.datasets: loaders, the roll-out simulation and its truth."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import civictools as ct
from civictools.errors import CivictoolsError, MissingDependencyError

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_mpdta_matches_shared_copy_and_r_did_layout():
    df = ct.load_mpdta()
    assert list(df.columns) == ["year", "countyreal", "lpop", "lemp", "first_treat", "treat"]
    # R did's mpdta: 500 counties x 2003-2007; cohorts 2004, 2006, 2007 and never (0).
    assert df["countyreal"].nunique() == 500
    assert df.groupby("first_treat")["countyreal"].nunique().to_dict() == {0: 309, 2004: 20, 2006: 40, 2007: 131}
    if (SHARED / "data" / "mpdta.csv").exists():
        ref = pd.read_csv(SHARED / "data" / "mpdta.csv").rename(columns={"first.treat": "first_treat"})
        pd.testing.assert_frame_equal(df, ref)


def test_causaldata_loaders_cast_and_construct():
    od = ct.load_organ_donations()
    assert od.shape == (162, 5)
    # The Effect, ch. 18: California is treated from 2011 Q3 (three quarters).
    assert od["Treated"].sum() == 3 and set(od.loc[od["Treated"], "State"]) == {"California"}
    castle = ct.load_castle()
    assert castle.shape[0] == 550
    assert not (castle.dtypes == "float32").any()


def test_causaldata_missing_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "causaldata":
            raise ImportError("no causaldata")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(MissingDependencyError, match=r"civictools\[causaldata\]"):
        ct.load_castle()


def test_simulation_truth_equals_unit_effects_in_data():
    sim = ct.simulate_rollout(n_units=300, n_periods=12, cohorts=(4, 7, 10), seed=3)
    d = sim.data
    assert len(d) == 300 * 12
    # Independent recomputation of ATT(g,t) from the per-row true effects.
    emp = d[d["first_treat"] > 0].groupby(["first_treat", "period"])["te"].mean()
    tr = sim.truth.set_index(["group", "time"])["att"]
    np.testing.assert_allclose(emp.to_numpy(), tr.loc[emp.index].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(d["y"] - d["y0"], d["te"])
    # Effects grow with exposure and differ by cohort.
    t4 = sim.truth.query("group == 4 and event_time >= 0")["att"].to_numpy()
    assert np.all(np.diff(t4) >= 0) and t4[-1] > t4[0]
    e0 = sim.truth.query("event_time == 0").set_index("group")["att"]
    assert e0[4] > e0[7] > e0[10]
    # Absorbing treatment with no anticipation.
    assert (d.loc[d["period"] < d["first_treat"], "treated"] == 0).all()
    assert (d.loc[d["first_treat"] == 0, "treated"] == 0).all()


def test_simulation_selection_and_determinism():
    a = ct.simulate_rollout(n_units=2000, n_periods=10, cohorts=(3, 6, 9), selection=2.0, seed=11)
    b = ct.simulate_rollout(n_units=2000, n_periods=10, cohorts=(3, 6, 9), selection=2.0, seed=11)
    pd.testing.assert_frame_equal(a.data, b.data)
    x_by = a.data.drop_duplicates("unit").groupby("first_treat")["x"].mean()
    # Early adopters have higher x; never-treated the lowest.
    assert x_by[3] > x_by[6] > x_by[9] > x_by[0]


def test_simulation_dynamic_truth_weights_cohorts_by_size():
    sim = ct.simulate_rollout(n_units=100, n_periods=8, cohorts=(3, 5), never_share=0.2, seed=0)
    dyn = sim.aggregate_truth("dynamic").set_index("event_time")["att"]
    post = sim.data[(sim.data["treated"] == 1)]
    ref = post.assign(e=post["period"] - post["first_treat"]).groupby("e")["te"].mean()
    np.testing.assert_allclose(dyn.loc[ref.index].to_numpy(), ref.to_numpy(), atol=1e-12)


def test_simulation_bad_arguments():
    with pytest.raises(CivictoolsError, match="cohorts"):
        ct.simulate_rollout(n_units=10, n_periods=5, cohorts=(1,))
    with pytest.raises(CivictoolsError, match="never_share"):
        ct.simulate_rollout(never_share=1.0)


def test_district_and_panel_agree():
    d = ct.load_district()
    p = ct.load_demo_panel()
    assert len(d) == 28 and p.shape[0] == 28 * 48
    assert p.groupby("community_id").size().eq(48).all()
    ft = p.drop_duplicates("community_id").set_index("community_id")["first_treat"]
    assert ft.to_dict() == d.set_index("community_id")["first_treat"].to_dict()
    # treated switches on in the start month and never off.
    for cid, g in p.groupby("community_id"):
        s = g.sort_values("period")["treated"].to_numpy()
        assert np.all(np.diff(s) >= 0)
        start = d.set_index("community_id").loc[cid, "programme_start"]
        if pd.isna(start):
            assert s.sum() == 0
        else:
            assert g.loc[g["treated"] == 1, "month"].min() == start
    # Adoption is not random: early cohorts are older and complain more before any start.
    pre = p[p["period"] < 16]
    by = pre.groupby("cohort").agg(old=("share_60plus", "mean"), comp=("complaints_12345", "mean"))
    assert by.loc[1, "old"] > by.loc[0, "old"] and by.loc[1, "comp"] > by.loc[0, "comp"]


def test_demo_truth_is_consistent_with_panel():
    p = ct.load_demo_panel()
    tr = ct.load_demo_truth()
    assert set(tr["outcome"]) == set(ct.DEMO_OUTCOMES)
    assert (tr.loc[tr["event_time"] < 0, "att"] == 0).all()
    sat = tr[(tr["outcome"] == "satisfaction") & (tr["event_time"] >= 0)]
    # Effects grow with exposure: the last event time exceeds the first for every cohort.
    for _, g in sat.groupby("group"):
        assert g.sort_values("event_time")["att"].iloc[-1] > g.sort_values("event_time")["att"].iloc[0]
    comp = tr[(tr["outcome"] == "complaints_12345") & (tr["event_time"] >= 0)]
    assert (comp["att"] < 0).all()
    # A noisy but unbiased check: the never-treated-vs-cohort-1 DiD of means on the
    # last year recovers the truth of satisfaction within a generous tolerance.
    last = p[p["period"] > 36]
    pre = p[p["period"] < 13]
    did = (
        last.loc[last.cohort == 1, "satisfaction"].mean() - pre.loc[pre.cohort == 1, "satisfaction"].mean()
    ) - (last.loc[last.cohort == 0, "satisfaction"].mean() - pre.loc[pre.cohort == 0, "satisfaction"].mean())
    true = sat[(sat["group"] == 16) & (sat["time"] > 36)]["att"].mean()
    assert abs(did - true) < 1.0


def test_survey_truth_matches_a_difference_in_means_of_potential_outcomes():
    s = ct.load_demo_survey()
    t = ct.load_demo_survey_truth()
    assert set(s["wave"]) == {1, 2}
    assert (s.loc[s["wave"] == 1, "treated"] == 0).all()
    assert s["ucla_total"].between(3, 9).all() and s["swls_total"].between(5, 35).all()
    assert (s["ucla_total"] == s[["ucla_1", "ucla_2", "ucla_3"]].sum(axis=1)).all()
    all_ucla = float(t.query("cohort == 'all' and outcome == 'ucla_total'")["att"].iloc[0])
    assert -1.0 < all_ucla < -0.1
    n_treated = int(t.query("cohort == 'all' and outcome == 'ucla_total'")["n_treated"].iloc[0])
    assert n_treated == int(s["treated"].sum())
    # A 2x2 DiD of means (treated communities vs never-treated, wave 1 vs 2) is close to the truth.
    s = s.assign(ever=s["cohort"] > 0)
    g = s.groupby(["ever", "wave"])["ucla_total"]
    m, v, n = g.mean(), g.var(), g.size()
    did = (m[(True, 2)] - m[(True, 1)]) - (m[(False, 2)] - m[(False, 1)])
    se = float(np.sqrt((v / n).sum()))
    assert abs(did - all_ucla) < 3 * se


def test_demo_corpus_loads_without_skips_and_agrees_with_the_rollout():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        docs = ct.load_demo_corpus()
    skipped = docs.attrs.get("skipped")
    assert skipped is None or len(skipped) == 0
    assert len(docs) == 257 and docs["text"].str.len().min() > 500
    assert {"news", "minutes", "policy"} == set(docs["kind"])
    district = ct.load_district()
    news = docs[docs["kind"] == "news"]
    for r in district.dropna(subset=["programme_start"]).itertuples():
        month = news["date"].dt.to_period("M") == r.programme_start
        hits = news[month & news["text"].str.contains(r.community) & news["text"].str.contains("社工室")]
        assert len(hits) >= 1, f"no news in {r.programme_start} announces the 社工室 of {r.community}"
    # A 社工室 meeting never happens before the room opened.
    minutes = docs[docs["kind"] == "minutes"].merge(district[["community", "programme_start"]], on="community")
    swr = minutes[minutes["title"].fillna("").str.contains("社工室例会")]
    before = swr[swr["date"].dt.to_period("M") < swr["programme_start"]]
    assert swr.shape[0] > 10 and before.empty, before[["doc_id", "date"]]
    never = minutes[minutes["programme_start"].isna()]
    assert not never["title"].fillna("").str.contains("社工室例会").any()


def test_demo_gold_units_point_into_the_corpus_and_follow_the_procedure():
    g = ct.load_demo_gold()
    texts = ct.load_demo_corpus().set_index("doc_id")["text"]
    assert len(g) >= 400 and g["unit_id"].is_unique
    for r in g.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.text, r.unit_id
    ids = set(ct.load_codebook("default").theme_ids)
    assert len(ids) == 22
    for col in ("coder_a", "coder_b", "gold"):
        assert all(s <= ids for s in g[col]), col
    agreed = g["coder_a"] == g["coder_b"]
    # Adjudication only touched disagreements, and each one carries a note.
    assert (g.loc[agreed, "gold"] == g.loc[agreed, "coder_a"]).all()
    assert (g.loc[~agreed, "note"].str.len() > 0).all()
    assert abs((g["split"] == "test").mean() - 1 / 3) < 0.01
    assert {"minutes", "news", "policy"} == set(g["kind"])


def test_demo_gold_batches_do_not_overlap():
    g = ct.load_demo_gold()
    assert g["batch"].value_counts().to_dict() == {1: 470, 2: 360, 3: 344}
    for _, sub in g.groupby("batch"):
        assert abs((sub["split"] == "test").mean() - 1 / 3) < 0.01
    # no unit of a later batch overlaps a unit of an earlier one
    for later in (2, 3):
        earlier = g[g["batch"] < later].groupby("doc_id")
        spans = {d: list(zip(x["start"], x["end"])) for d, x in earlier}
        for r in g[g["batch"] == later].itertuples():
            assert not any(r.start < e and s < r.end for s, e in spans.get(r.doc_id, ())), r.unit_id
