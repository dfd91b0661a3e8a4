"""``civictools panel``: build and validate a unit x period panel."""

from __future__ import annotations

import argparse


def _run(args: argparse.Namespace) -> int:
    from civictools.cli._io import read_table, write_table
    from civictools.panel import build_panel

    outcomes = read_table(args.outcomes)
    starts = read_table(args.starts) if args.starts else None
    panel = build_panel(
        outcomes, unit=args.unit, time=args.time, starts=starts, start_col=args.start_col,
        treat=args.treat, outcome_cols=args.outcome or None, freq=args.freq,
        duplicates=args.duplicates, on_switch_off=args.on_switch_off,
    )
    write_table(panel.data, args.out)
    print(panel.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "panel",
        help="build a unit x period panel / 构建面板数据",
        description="Build and validate a unit x period panel from outcomes and programme start dates.",
        epilog="examples / 示例:\n  civictools panel outcomes.csv --unit community_id --time month "
        "--starts starts.csv --start-col programme_start --out panel.parquet\n"
        "  civictools panel outcomes.csv --unit c --time year --treat d --out panel.csv   用0/1处理变量",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("outcomes", help="outcome table (CSV, Parquet or JSON lines)")
    p.add_argument("--unit", required=True, help="unit column")
    p.add_argument("--time", required=True, help="time column (years, dates, 2022-04, 2022年4月)")
    p.add_argument("--starts", help="table of programme starts per unit")
    p.add_argument("--start-col", help="start column in --starts")
    p.add_argument("--treat", help="0/1 treatment column instead of --starts")
    p.add_argument("--outcome", action="append", help="outcome column (repeatable; default: all numeric)")
    p.add_argument("--freq", default="M", help="period frequency for dates: M, Q or Y (default M)")
    p.add_argument("--duplicates", default="error", choices=["error", "mean", "sum", "first"])
    p.add_argument("--on-switch-off", default="error", choices=["error", "drop"])
    p.add_argument("--out", required=True, help="output file (.csv, .parquet, .jsonl)")
    p.set_defaults(func=_run)
