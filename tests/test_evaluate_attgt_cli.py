"""`civictools estimate att-gt | sun-abraham | imputation` write the estimators' tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civictools.cli import main
from civictools.datasets import load_mpdta
from civictools.evaluate import att_gt, did_imputation, sun_abraham


@pytest.fixture(scope="module")
def mpdta_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "mpdta.csv"
    load_mpdta().to_csv(path, index=False)
    return path


COMMON = ["--y", "lemp", "--unit", "countyreal", "--time", "year", "--first-treat", "first_treat"]


def test_att_gt_dynamic(mpdta_csv, tmp_path, capsys):
    out = tmp_path / "cs.csv"
    assert main(["estimate", "att-gt", str(mpdta_csv), *COMMON, "--covariate", "lpop", "--aggregate", "dynamic",
                 "--out", str(out), "--plot", str(tmp_path / "cs.png")]) == 0
    got = pd.read_csv(out)
    ref = att_gt(load_mpdta(), "lemp", "countyreal", "year", "first_treat", covariates=["lpop"]).aggregate("dynamic").tidy()
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-12)
    assert (tmp_path / "cs.png").stat().st_size > 0
    assert "Event-study aggregation" in capsys.readouterr().out


def test_sun_abraham_and_imputation(mpdta_csv, tmp_path):
    for name, fn in [("sun-abraham", sun_abraham), ("imputation", did_imputation)]:
        out = tmp_path / f"{name}.csv"
        assert main(["estimate", name, str(mpdta_csv), *COMMON, "--out", str(out)]) == 0
        ref = fn(load_mpdta(), "lemp", "countyreal", "year", "first_treat").tidy()
        np.testing.assert_allclose(pd.read_csv(out)["estimate"], ref["estimate"], rtol=1e-12)


def test_user_error_exit_code(mpdta_csv, tmp_path, capsys):
    assert main(["estimate", "att-gt", str(mpdta_csv), "--y", "nope", "--unit", "countyreal", "--time", "year",
                 "--first-treat", "first_treat", "--out", str(tmp_path / "x.csv")]) == 1
    assert "not found" in capsys.readouterr().err
