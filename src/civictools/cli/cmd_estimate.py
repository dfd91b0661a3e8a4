"""``civictools estimate``: run an estimator on a panel table and write its tidy table.

Estimators live in the registry :data:`ESTIMATORS` (name -> :class:`EstimatorSpec`).
Other modules add theirs with :func:`register_estimator`; modules named
``civictools.cli._est_<name>.py`` are imported automatically before the parser is
built, so a new estimator (e.g. ``att-gt``) needs no edit of this file::

    # civictools/cli/_est_attgt.py
    from civictools.cli.cmd_estimate import EstimatorSpec, register_estimator
    register_estimator(EstimatorSpec("att-gt", "Callaway-Sant'Anna ATT(g,t)", add_args, run))

``run(args, df)`` returns the result object (anything with ``.tidy()`` and
``.summary()``); the command writes ``tidy()`` to ``--out`` and prints the summary.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import warnings
from dataclasses import dataclass
from typing import Callable

from civictools.errors import CivictoolsError

__all__ = ["EstimatorSpec", "ESTIMATORS", "register_estimator"]


@dataclass(frozen=True)
class EstimatorSpec:
    """One ``civictools estimate <name>`` sub-command."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, object], object]
    example: str = ""


ESTIMATORS: dict[str, EstimatorSpec] = {}


def register_estimator(spec: EstimatorSpec) -> None:
    """Add (or replace) an estimator sub-command."""
    ESTIMATORS[spec.name] = spec


# --- shared arguments ------------------------------------------------------------------

def _panel_args(p: argparse.ArgumentParser, treat: bool = False, first_treat: bool = False) -> None:
    p.add_argument("--y", required=True, help="outcome column / 结果变量")
    p.add_argument("--unit", required=True, help="unit column / 单位")
    p.add_argument("--time", required=True, help="period column / 时期")
    if treat:
        p.add_argument("--treat", required=True, help="0/1 treatment column / 处理变量")
    if first_treat:
        p.add_argument("--first-treat", required=True, help="first treatment period (0 or empty = never) / 首次处理时期")


def _fe_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--covariate", action="append", default=[], help="time-varying control (repeatable)")
    p.add_argument("--cluster", help="cluster column (default: the unit)")
    p.add_argument("--weights", help="regression weights column")
    p.add_argument("--fe", action="append", help="fixed-effect column replacing unit + time (repeatable)")
    p.add_argument("--vcov", default="CR1", choices=["CR1", "HC1", "iid"])


# --- built-in estimators ---------------------------------------------------------------

def _twfe_args(p):
    _panel_args(p, treat=True)
    _fe_args(p)
    p.add_argument("--wild-bootstrap", type=int, metavar="B", help="also run a wild cluster bootstrap with B draws")
    p.add_argument("--seed", type=int, default=12345)


def _twfe_run(args, df):
    from civictools.evaluate import twfe, wild_cluster_bootstrap

    r = twfe(df, args.y, args.unit, args.time, args.treat, covariates=args.covariate, cluster=args.cluster,
             weights=args.weights, fe=args.fe, vcov=args.vcov)
    if args.wild_bootstrap:
        print(wild_cluster_bootstrap(r, args.treat, B=args.wild_bootstrap, seed=args.seed).summary().as_text())
        print()
    return r


def _event_args(p):
    _panel_args(p, first_treat=True)
    _fe_args(p)
    p.add_argument("--ref", type=int, default=-1, help="reference relative period (default -1)")
    p.add_argument("--bins", type=int, nargs=2, metavar=("LO", "HI"), help="bin relative periods <= LO and >= HI")
    p.add_argument("--plot", help="save the event-study plot (PNG, SVG or PDF)")


def _event_run(args, df):
    from civictools.evaluate import event_study

    r = event_study(df, args.y, args.unit, args.time, args.first_treat, ref=args.ref,
                    bins=tuple(args.bins) if args.bins else None, covariates=args.covariate,
                    cluster=args.cluster, weights=args.weights, fe=args.fe, vcov=args.vcov)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = r.plot()
        ax.figure.tight_layout()
        ax.figure.savefig(args.plot, dpi=150, metadata={"Date": None} if args.plot.endswith((".svg", ".pdf")) else None)
    return r


def _bacon_args(p):
    _panel_args(p, treat=True)


def _bacon_run(args, df):
    from civictools.evaluate import bacon_decomposition

    return bacon_decomposition(df, args.y, args.unit, args.time, args.treat)


def _ri_args(p):
    _panel_args(p, first_treat=True)
    p.add_argument("--covariate", action="append", default=[], help="time-varying control (repeatable)")
    p.add_argument("--n-perm", type=int, default=999)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--statistic", default="coef", choices=["coef", "t"])


def _ri_run(args, df):
    from civictools.evaluate import randomization_inference

    return randomization_inference(df, args.y, args.unit, args.time, args.first_treat, covariates=args.covariate,
                                   n_perm=args.n_perm, seed=args.seed, statistic=args.statistic)


register_estimator(EstimatorSpec(
    "twfe", "two-way fixed effects DiD / 双向固定效应", _twfe_args, _twfe_run,
    "civictools estimate twfe panel.csv --y y --unit unit --time period --treat d --out twfe.csv",
))
register_estimator(EstimatorSpec(
    "event-study", "event study with a pre-trend test / 事件研究", _event_args, _event_run,
    "civictools estimate event-study panel.csv --y y --unit unit --time period --first-treat g --bins -4 4 --out es.csv --plot es.png",
))
register_estimator(EstimatorSpec(
    "bacon", "Goodman-Bacon decomposition of TWFE / 培根分解", _bacon_args, _bacon_run,
    "civictools estimate bacon panel.csv --y y --unit unit --time period --treat d --out bacon.csv",
))
register_estimator(EstimatorSpec(
    "ri", "randomization inference permuting adoption dates / 随机化推断", _ri_args, _ri_run,
    "civictools estimate ri panel.csv --y y --unit unit --time period --first-treat g --n-perm 999 --out ri.csv",
))


def _discover() -> None:
    package = importlib.import_module("civictools.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_est_"):
            importlib.import_module(f"civictools.cli.{info.name}")


def _make_runner(spec: EstimatorSpec):
    def run(args: argparse.Namespace) -> int:
        from civictools.cli._io import read_table, write_table

        df = read_table(args.input)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = spec.run(args, df)
        for w in caught:
            print(f"warning: {w.message}")
        write_table(result.tidy(), args.out)
        print(result.summary().as_text())
        print(f"\nwrote {args.out}")
        return 0

    return run


def register(sub: argparse._SubParsersAction) -> None:
    _discover()
    p = sub.add_parser(
        "estimate",
        help="estimate programme effects / 估计项目效果",
        description="Run an estimator on a panel table (CSV, Parquet, JSON lines); write its tidy table to --out "
        "and print its summary.",
        epilog="examples / 示例:\n" + "\n".join(f"  {s.example}" for s in ESTIMATORS.values() if s.example),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    est = p.add_subparsers(dest="estimator", metavar="ESTIMATOR")
    for name, spec in ESTIMATORS.items():
        q = est.add_parser(name, help=spec.help, description=spec.help,
                           epilog=f"example / 示例:\n  {spec.example}" if spec.example else None,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        q.add_argument("input", help="panel table (CSV, Parquet or JSON lines)")
        spec.add_arguments(q)
        q.add_argument("--out", required=True, help="output file for the tidy table (.csv, .parquet, .jsonl)")
        q.set_defaults(func=_make_runner(spec))

    def _no_estimator(args: argparse.Namespace) -> int:
        raise CivictoolsError(f"choose an estimator: {', '.join(ESTIMATORS)} (civictools estimate -h)")

    p.set_defaults(func=_no_estimator)
