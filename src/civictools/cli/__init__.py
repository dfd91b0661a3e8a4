"""The ``civictools`` command line.

Each sub-command lives in its own module ``civictools.cli.cmd_<name>`` that
defines ``register(subparsers)``; the parser below discovers them, so adding a
command never means editing this file.

Exit codes: 0 success, 1 a civictools error (bad input, explained on stderr),
2 wrong usage (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from civictools._version import __version__
from civictools.errors import CivictoolsError

EPILOG = """a whole study from the command line / 命令行完成一项研究:
  civictools read corpora/demo --out docs.parquet                  读取语料 / read a corpus
  civictools segment docs.parquet --out tokens.parquet             分词 / segment
  civictools redact docs.parquet --out docs_r.parquet              脱敏 / pseudonymise
  civictools code docs_r.parquet --unit paragraph --out-hits hits.csv --out-matrix m.csv   主题编码 / code themes
  civictools panel outcomes.csv --unit community_id --time month --starts starts.csv --out panel.parquet
  civictools estimate att-gt panel.parquet --y satisfaction --unit community_id --time period --first-treat first_treat --out cs.csv
  civictools report build --out build/report                       生成报告 / build the report
run 'civictools COMMAND --help' for the options and examples of each command.
exit codes: 0 success, 1 error (explained on stderr), 2 wrong usage; some commands use 3 (see their help).
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="civictools",
        description="Community-governance text analysis and programme evaluation. "
        "社区治理文本分析与社工项目评估工具。",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"civictools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = importlib.import_module("civictools.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"civictools.cli.{info.name}")
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CivictoolsError as exc:
        print(f"civictools: error: {exc}", file=sys.stderr)
        return 1
