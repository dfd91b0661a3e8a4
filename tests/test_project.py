"""Project-level checks: metadata, environment.yml, CLI basics, public API."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import civictools
from civictools.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_runtime_dependencies_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep["pip"] if not d.startswith("-")}
        elif _name(dep) not in ("python", "pip"):
            conda.add(_name(dep))
    assert "conda-forge" in env["channels"]
    # jupyterlab is the notebook front-end conda users get with the environment.
    assert (conda | pip) - {"jupyterlab"} == runtime
    assert any("-e ." in d for dep in env["dependencies"] if isinstance(dep, dict) for d in dep["pip"])


def test_version_is_exposed_and_matches_cli(capsys):
    assert re.fullmatch(r"\d+\.\d+\.\d+", civictools.__version__)
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert civictools.__version__ in capsys.readouterr().out


def test_python_dash_m_help_runs():
    out = subprocess.run([sys.executable, "-m", "civictools", "--help"], capture_output=True, text=True, check=True)
    assert "usage: civictools" in out.stdout and "社区治理" in out.stdout


def test_public_api_is_reexported_and_errors_share_one_base():
    assert len(civictools.__all__) == len(set(civictools.__all__))
    for name in civictools.__all__:
        assert hasattr(civictools, name), name
    errors = [getattr(civictools, n) for n in civictools.__all__ if n.endswith("Error")]
    assert all(issubclass(e, civictools.CivictoolsError) for e in errors)


def test_import_stays_light():
    code = "import sys, civictools; print('scipy.stats' in sys.modules, 'statsmodels.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"], "import civictools should not load scipy.stats or statsmodels"


def test_literal_normal_iqr_matches_scipy():
    from scipy import stats

    from civictools.evaluate._mboot import _IQR_NORMAL

    assert abs(_IQR_NORMAL - (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))) < 1e-15
