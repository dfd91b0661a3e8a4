"""civictools estimate ... (twfe, event-study, bacon, ri) through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from civictools.cli import main
from civictools.cli.cmd_estimate import ESTIMATORS
from civictools.evaluate import twfe


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory) -> Path:
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
    m["d"] = ((m["treat"] == 1) & (m["year"] >= m["first_treat"])).astype(int)
    out = tmp_path_factory.mktemp("est") / "mpdta.csv"
    m.to_csv(out, index=False)
    return out


def test_registry_has_builtins():
    assert {"twfe", "event-study", "bacon", "ri"} <= set(ESTIMATORS)


def test_twfe_cli(panel_csv, tmp_path, capsys):
    out = tmp_path / "twfe.csv"
    code = main(["estimate", "twfe", str(panel_csv), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--treat", "d", "--out", str(out)])
    assert code == 0
    tab = pd.read_csv(out, encoding="utf-8-sig")
    ref = twfe(pd.read_csv(panel_csv), "lemp", "countyreal", "year", "d").tidy()
    assert list(tab.columns) == list(ref.columns)
    assert tab["estimate"].iloc[0] == pytest.approx(ref["estimate"].iloc[0], abs=1e-12)
    assert "Two-way fixed effects" in capsys.readouterr().out


def test_event_study_cli_with_plot(panel_csv, tmp_path):
    out, png = tmp_path / "es.csv", tmp_path / "es.png"
    code = main(["estimate", "event-study", str(panel_csv), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--first-treat", "first_treat", "--bins", "-3", "2", "--out", str(out), "--plot", str(png)])
    assert code == 0 and png.stat().st_size > 1000
    assert "rel_time" in pd.read_csv(out, encoding="utf-8-sig").columns


def test_bacon_and_ri_cli(panel_csv, tmp_path):
    assert main(["estimate", "bacon", str(panel_csv), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--treat", "d", "--out", str(tmp_path / "b.csv")]) == 0
    assert main(["estimate", "ri", str(panel_csv), "--y", "lemp", "--unit", "countyreal", "--time", "year",
                 "--first-treat", "first_treat", "--n-perm", "19", "--out", str(tmp_path / "r.csv")]) == 0


def test_cli_errors(panel_csv, tmp_path, capsys):
    code = main(["estimate", "twfe", str(panel_csv), "--y", "nope", "--unit", "countyreal", "--time", "year",
                 "--treat", "d", "--out", str(tmp_path / "x.csv")])
    assert code == 1 and "'nope'" in capsys.readouterr().err
    assert main(["estimate"]) == 1
