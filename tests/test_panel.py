"""Tests of civictools.panel.build_panel: time parsing, validation, drops."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import civictools as ct
from civictools.errors import DataDroppedWarning, PanelError


def _toy(times):
    return pd.DataFrame({"c": ["A"] * 3 + ["B"] * 3, "t": list(times) * 2, "y": [1.0, 2, 3, 4, 5, 6]})


@pytest.mark.parametrize(
    "times,starts",
    [
        (["2022-01", "2022-02", "2022-03"], {"A": "2022-02"}),
        (["2022年1月", "2022年2月", "2022年3月"], {"A": "2022年2月"}),
        (pd.to_datetime(["2022-01-15", "2022-02-15", "2022-03-15"]), {"A": pd.Timestamp("2022-02-03")}),
        (pd.period_range("2022-01", periods=3, freq="M"), {"A": pd.Period("2022-02", "M")}),
        (["2022/1/5", "2022/2/5", "2022/3/5"], {"A": "2022/2/1"}),
    ],
)
def test_time_in_many_shapes_gives_the_same_panel(times, starts):
    p = ct.build_panel(_toy(times), unit="c", time="t", starts=starts)
    assert p.data["period"].tolist() == [1, 2, 3, 1, 2, 3]
    assert p.data["first_treat"].tolist() == [2, 2, 2, 0, 0, 0]
    assert p.data["treated"].tolist() == [0, 1, 1, 0, 0, 0]
    assert p.data["rel_time"].iloc[:3].tolist() == [-1, 0, 1]
    assert p.balanced


def test_mpdta_rebuilt_from_first_treat_matches_its_treatment():
    m = ct.load_mpdta()
    starts = m.drop_duplicates("countyreal").set_index("countyreal")["first_treat"]
    p = ct.build_panel(m.drop(columns=["first_treat"]), unit="countyreal", time="year", starts=starts,
                       outcome_cols=["lemp", "lpop"])
    assert p.nobs == 2500 and p.n_dropped == 0
    merged = p.data.merge(m, on=["countyreal", "year"], suffixes=("", "_ref"))
    assert (merged["first_treat"] == merged["first_treat_ref"]).all()
    expected = ((m["first_treat"] > 0) & (m["year"] >= m["first_treat"])).astype(int)
    assert merged["treated"].sum() == expected.sum()
    assert p.cohorts().set_index("first_treat")["n_units"].to_dict() == {0: 309, 2004: 20, 2006: 40, 2007: 131}


def test_demo_panel_round_trip_from_programme_starts():
    raw = ct.load_demo_panel().drop(columns=["period", "first_treat", "treated"])
    raw["month"] = raw["month"].astype(str)
    d = ct.load_district()
    p = ct.build_panel(raw, unit="community_id", time="month",
                       starts=d[["community_id", "programme_start"]], outcome_cols=list(ct.DEMO_OUTCOMES))
    ref = ct.load_demo_panel()
    assert p.data["first_treat"].tolist() == ref.sort_values(["community_id", "period"])["first_treat"].tolist()
    assert p.data["treated"].sum() == ref["treated"].sum()


def test_treat_indicator_and_switch_off():
    df = _toy(["2022-01", "2022-02", "2022-03"]).assign(d=[0, 1, 1, 0, 0, 0])
    p = ct.build_panel(df, unit="c", time="t", treat="d")
    assert p.data.groupby("c")["first_treat"].first().to_dict() == {"A": 2, "B": 0}
    bad = df.assign(d=[0, 1, 0, 0, 0, 0])
    with pytest.raises(PanelError, match="switches off.*'A'"):
        ct.build_panel(bad, unit="c", time="t", treat="d")
    with pytest.warns(DataDroppedWarning, match="3 rows"):
        p = ct.build_panel(bad, unit="c", time="t", treat="d", on_switch_off="drop")
    assert set(p.data["c"]) == {"B"} and p.n_dropped == 3


def test_duplicates_error_or_combine():
    df = pd.concat([_toy(["2022-01", "2022-02", "2022-03"]), pd.DataFrame({"c": ["A"], "t": ["2022-01"], "y": [9.0]})])
    with pytest.raises(PanelError, match=r"share a \(unit, time\) key.*'A'"):
        ct.build_panel(df, unit="c", time="t")
    with pytest.warns(DataDroppedWarning, match="1 duplicate"):
        p = ct.build_panel(df, unit="c", time="t", duplicates="mean")
    assert p.data.query("c == 'A' and period == 1")["y"].item() == 5.0
    assert p.n_dropped == 1


def test_non_numeric_outcome_names_column_and_row():
    df = _toy(["2022-01", "2022-02", "2022-03"]).astype({"y": object})
    df.loc[4, "y"] = "n/a"
    with pytest.raises(PanelError, match=r"'y', row 4: 'n/a'"):
        ct.build_panel(df, unit="c", time="t", outcome_cols=["y"])
    with pytest.warns(DataDroppedWarning):
        p = ct.build_panel(df, unit="c", time="t", outcome_cols=["y"], coerce_numeric=True)
    assert p.data["y"].isna().sum() == 1 and p.nobs == 6


def test_unreadable_time_names_row():
    df = _toy(["2022-01", "soon", "2022-03"])
    with pytest.raises(PanelError, match=r"'t', row 1: cannot read 'soon'"):
        ct.build_panel(df, unit="c", time="t")


def test_always_treated_units_dropped_and_counted():
    df = _toy(["2022-01", "2022-02", "2022-03"])
    with pytest.warns(DataDroppedWarning, match="treated before first observation"):
        p = ct.build_panel(df, unit="c", time="t", starts={"A": "2021-12", "B": "2022-03"})
    assert set(p.data["c"]) == {"B"}
    assert p.dropped.iloc[0]["n_rows"] == 3 and p.dropped.iloc[0]["n_units"] == 1
    assert "Dropped 3 rows" in p.summary()


def test_gaps_reported_not_filled():
    df = _toy(["2022-01", "2022-02", "2022-03"]).drop(index=1)
    p = ct.build_panel(df, unit="c", time="t")
    assert not p.balanced
    assert p.gaps.to_dict("records") == [{"unit": "A", "n_missing_periods": 1}]


def test_missing_columns_and_starts_problems():
    df = _toy(["2022-01", "2022-02", "2022-03"])
    with pytest.raises(PanelError, match="'month' not found"):
        ct.build_panel(df, unit="c", time="month")
    with pytest.raises(PanelError, match="more than once"):
        ct.build_panel(df, unit="c", time="t", starts=pd.DataFrame({"c": ["A", "A"], "start": ["2022-02", "2022-03"]}))
    with pytest.warns(DataDroppedWarning, match="1 units in starts"):
        p = ct.build_panel(df, unit="c", time="t", starts={"A": "2022-02", "Z": "2022-02"})
    assert any("not in the outcome table" in n for n in p.notes)


def test_text_measures_merge_on_unit_and_period():
    df = _toy(["2022-01", "2022-02", "2022-03"])
    tm = pd.DataFrame({"c": ["A", "B", "C"], "t": ["2022-02", "2022-03", "2022-01"], "theme_share": [0.5, 0.25, 1.0]})
    with pytest.warns(DataDroppedWarning, match="1 text-measure rows"):
        p = ct.build_panel(df, unit="c", time="t", text_measures=tm)
    got = p.data.set_index(["c", "period"])["theme_share"]
    assert got[("A", 2)] == 0.5 and got[("B", 3)] == 0.25 and np.isnan(got[("A", 1)])


def test_no_warning_on_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = ct.build_panel(_toy(["2022-01", "2022-02", "2022-03"]), unit="c", time="t", starts={"A": "2022-02", "B": 0})
    assert p.n_dropped == 0 and "<table" in p._repr_html_()


def test_cli_panel_round_trip(tmp_path, capsys):
    from civictools.cli import main

    raw = ct.load_demo_panel().drop(columns=["period", "first_treat", "treated"])
    raw["month"] = raw["month"].astype(str)
    raw.to_csv(tmp_path / "out.csv", index=False)
    ct.load_district()[["community_id", "programme_start"]].astype(str).replace("NaT", "").to_csv(
        tmp_path / "starts.csv", index=False)
    code = main(["panel", str(tmp_path / "out.csv"), "--unit", "community_id", "--time", "month",
                 "--starts", str(tmp_path / "starts.csv"), "--start-col", "programme_start",
                 "--outcome", "satisfaction", "--out", str(tmp_path / "p.parquet")])
    assert code == 0
    got = pd.read_parquet(tmp_path / "p.parquet")
    assert len(got) == 1344 and got["first_treat"].max() == 40
    assert "28 units x 48 periods" in capsys.readouterr().out
    assert main(["panel", str(tmp_path / "missing.csv"), "--unit", "a", "--time", "b", "--out", "x.csv"]) == 1


def test_rebuilding_a_built_panel_replaces_its_columns():
    p = ct.load_demo_panel()
    d = ct.load_district()[["community_id", "programme_start"]]
    built = ct.build_panel(p, unit="community_id", time="month", starts=d)
    assert not {"period", "first_treat", "treated", "rel_time"} & set(built.outcomes)
    assert "satisfaction" in built.outcomes
    assert any("replaced" in n for n in built.notes)
    ref = p.sort_values(["community_id", "period"])
    assert built.data["first_treat"].tolist() == ref["first_treat"].tolist()
