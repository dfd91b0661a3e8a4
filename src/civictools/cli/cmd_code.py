"""``civictools code``: code a corpus with a codebook, write hits and the unit x theme matrix."""

from __future__ import annotations

import argparse
from pathlib import Path


def _load_input(path: str, progress: bool = True):
    from civictools.cli._io import read_table
    from civictools.errors import CivictoolsError

    p = Path(path)
    if p.is_dir():
        try:
            from civictools.corpus import load_corpus
        except ImportError:
            raise CivictoolsError(f"{p}: reading a folder needs civictools.corpus.load_corpus; "
                                  "give a CSV/Parquet table with doc_id and text columns instead") from None
        return load_corpus(p, progress=progress)
    return read_table(p)


def _run(args: argparse.Namespace) -> int:
    from civictools.cli._io import write_table
    from civictools.coding import ThemeCoder

    docs = _load_input(args.input, progress=not args.quiet)
    coder = ThemeCoder(args.codebook, match=args.match)
    coded = coder.code(docs, unit=args.unit, text_col=args.text_col, id_col=args.id_col,
                       progress=not args.quiet)
    if args.out_hits:
        write_table(coded.hits, args.out_hits)
    if args.out_matrix:
        m = coded.matrix(binary=not args.counts).reset_index()
        meta = coded.units.drop(columns=["text"])
        write_table(meta.merge(m, on="unit_id", how="right"), args.out_matrix)
    if args.out_units:
        write_table(coded.units, args.out_units)
    if args.out_qdpx:
        from civictools.coding import export_qdpx

        export_qdpx(coded, args.out_qdpx)
    if not args.quiet:
        print(coded.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "code",
        help="code governance themes / 主题编码",
        description="Code a corpus with a codebook; write the hits and the unit x theme matrix.",
        epilog="examples / 示例:\n"
        "  civictools code docs.csv --codebook default --unit paragraph "
        "--out-hits hits.csv --out-matrix matrix.parquet\n"
        "  civictools code corpora/demo --unit agenda_item --match substring --out-hits hits.parquet\n"
        "  civictools code docs.csv --codebook my_codebook.yml --out-qdpx review.qdpx   导出到 NVivo/ATLAS.ti",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="IN", help="corpus table (CSV/Parquet/JSON lines with doc_id, text) or folder")
    p.add_argument("--codebook", default="default", help="built-in name or path (.yml, .qdc, .dic)")
    p.add_argument("--unit", default="paragraph", choices=["sentence", "paragraph", "agenda_item", "document"])
    p.add_argument("--match", default="token", choices=["token", "substring"],
                   help="token: terms on word boundaries (default); substring: anywhere")
    p.add_argument("--text-col", default="text")
    p.add_argument("--id-col", default="doc_id")
    p.add_argument("--out-hits", help="hits table (.csv, .parquet, .jsonl)")
    p.add_argument("--out-matrix", help="unit x theme table (.csv, .parquet, .jsonl)")
    p.add_argument("--counts", action="store_true", help="hit counts in the matrix instead of 0/1")
    p.add_argument("--out-units", help="units with their text and metadata")
    p.add_argument("--out-qdpx", help="REFI-QDA project for review in NVivo, ATLAS.ti or MAXQDA")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_run)
