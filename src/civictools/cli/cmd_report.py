"""``civictools report build|check``: reproducible HTML reports."""

from __future__ import annotations

import argparse
import json


def _build(args: argparse.Namespace) -> int:
    from civictools.report import build_report

    res = build_report(args.config, args.out, cache_dir=args.cache_dir, force=args.force)
    print(res.summary())
    return 0


def _check(args: argparse.Namespace) -> int:
    from civictools.report import check_report

    res = check_report(args.dir, args.config)
    if res["current"]:
        print(f"{args.dir}: current (inputs and versions unchanged)")
        return 0
    print(f"{args.dir}: out of date")
    for key in ("changed", "added", "removed"):
        for item in res[key]:
            print(f"  {key}: {item}")
    for name, (old, new) in res["versions"].items():
        print(f"  version: {name} {old} -> {new}")
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    return 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="build or check an HTML report / 生成或检查报告",
        description="Build a byte-identical HTML report from a YAML config (default: the demo district).",
        epilog="examples / 示例:\n  civictools report build --out build/report     演示报告 demo report\n"
        "  civictools report build study.yml --out site   自己的研究 your study\n"
        "  civictools report check build/report           是否需要重建 is it current?\n"
        "exit codes: 0 ok/current, 1 error, 3 report out of date",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rs = p.add_subparsers(dest="report_command", metavar="ACTION", required=True)
    b = rs.add_parser("build", help="build the report site")
    b.add_argument("config", nargs="?", help="report YAML (omit for the demo district)")
    b.add_argument("--out", default="build/report", help="output folder (default build/report)")
    b.add_argument("--cache-dir", default=None, help="cache of executed sections")
    b.add_argument("--force", action="store_true", help="re-execute every section")
    b.set_defaults(func=_build)
    c = rs.add_parser("check", help="say whether a built report is current")
    c.add_argument("dir", help="the report folder (with manifest.json)")
    c.add_argument("config", nargs="?", help="the report YAML used for the build")
    c.add_argument("--json", action="store_true", help="also print the result as JSON")
    c.set_defaults(func=_check)
