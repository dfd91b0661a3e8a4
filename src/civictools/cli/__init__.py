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

EPILOG = """examples / 示例:
  civictools read corpora/demo --out docs.csv        读取语料 / read a corpus
  civictools --version
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
