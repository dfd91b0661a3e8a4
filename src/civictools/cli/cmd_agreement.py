"""``civictools agreement``: inter-coder agreement per theme and overall."""

from __future__ import annotations

import argparse


def _run(args: argparse.Namespace) -> int:
    from civictools.cli._io import read_table, write_table
    from civictools.coding import agreement

    df = read_table(args.input)
    res = agreement(df, coders=args.coders, unit_col=args.unit_col, theme_col=args.theme_col, sep=args.sep,
                    multilabel=not args.single_label, na=args.na, n_boot=args.n_boot, seed=args.seed)
    if args.out:
        write_table(res.tidy(), args.out)
    print(res.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "agreement",
        help="inter-coder agreement / 编码一致性",
        description="Percent agreement, Cohen's and Fleiss' kappa and Krippendorff's alpha per theme and "
        "overall, with bootstrap confidence intervals.",
        epilog="examples / 示例:\n"
        "  civictools agreement gold.csv --coders coder_a coder_b --out agreement.csv\n"
        "  civictools agreement binary.csv --theme-col theme --coders a b c   每行一个单元×主题",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="IN", help="codings table: unit column plus one column per coder")
    p.add_argument("--coders", nargs="+", required=True, help="coder columns")
    p.add_argument("--unit-col", default="unit_id")
    p.add_argument("--theme-col", default="theme", help="theme column of a unit x theme 0/1 table")
    p.add_argument("--sep", default=";", help="separator of theme ids in a coder cell (default ;)")
    p.add_argument("--single-label", action="store_true", help="each cell holds one nominal label")
    p.add_argument("--na", default="none", choices=["none", "missing"],
                   help="an empty cell means no theme (default) or that the coder did not code the unit")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates (0 = none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write the tidy table (.csv, .parquet, .jsonl)")
    p.set_defaults(func=_run)
