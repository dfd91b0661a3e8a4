"""``civictools read PATH... --out FILE``: read a corpus into a table.

Exit codes: 0 all documents read; 1 error (nothing written); 3 written, but
some files were skipped and ``--strict`` was given.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from civictools.errors import CivictoolsError, CorpusError

EXIT_SKIPPED = 3
_LIST_COLUMNS = ("reporters", "correspondents", "editors", "attendees", "absent")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``read`` sub-command."""
    p = subparsers.add_parser(
        "read",
        help="read documents into a table (.csv, .parquet, .jsonl) / 读取语料为表格",
        description="Read a folder, glob or files (.txt .md .html .docx .pdf) into one row per "
        "document, with detected kind, title, date, source and parsed news/minutes fields. "
        "读取文件夹或文件，每个文档一行。",
        epilog="examples / 示例:\n"
        "  civictools read corpora/demo --out docs.parquet          读取整个文件夹 / a whole folder\n"
        "  civictools read 'minutes/*.docx' --kind minutes --out m.csv   只读会议纪要 / minutes only\n"
        "  civictools read corpora/demo --no-text --out meta.jsonl  只要元数据 / metadata only\n"
        "exit codes: 0 ok; 1 error; 3 some files skipped with --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders, files or glob patterns")
    p.add_argument("--out", "-o", metavar="FILE",
                   help="output file; the suffix picks the format (.csv, .parquet, .jsonl); "
                   "without it a summary is printed")
    p.add_argument("--kind", default="auto", choices=["auto", "news", "minutes", "policy", "other"],
                   help="document kind; auto detects it (default)")
    p.add_argument("--metadata", metavar="CSV",
                   help="sidecar metadata CSV keyed by 'file' (default: metadata.csv in the root)")
    p.add_argument("--no-metadata", action="store_true", help="ignore metadata.csv")
    p.add_argument("--no-recursive", action="store_true", help="do not descend into sub-folders")
    p.add_argument("--no-text", action="store_true", help="leave the text column out of the output")
    p.add_argument("--strict", action="store_true",
                   help=f"exit with code {EXIT_SKIPPED} when any file was skipped")
    p.set_defaults(func=run)


def _write(df: Any, out: Path) -> None:
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    table = df.copy()
    if suffix == ".csv":
        for c in _LIST_COLUMNS:
            if c in table.columns:
                table[c] = [json.dumps(v, ensure_ascii=False) for v in table[c]]
        table.to_csv(out, index=False, encoding="utf-8")
    elif suffix == ".jsonl":
        table.to_json(out, orient="records", lines=True, force_ascii=False, date_format="iso")
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:  # pragma: no cover - pyarrow is a declared dependency
            raise CivictoolsError("writing .parquet needs pyarrow: pip install pyarrow") from exc
        for c in table.columns:
            if table[c].dtype == object and c not in _LIST_COLUMNS:
                table[c] = table[c].astype("string")
        table.to_parquet(out, index=False)
    else:
        raise CorpusError(f"--out {out}: unknown format {suffix or '(none)'}; use .csv, .parquet or .jsonl")


def run(args: argparse.Namespace) -> int:
    """Run ``civictools read``; return the exit code."""
    from civictools.corpus import load_corpus

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".parquet", ".jsonl"):
        raise CorpusError(f"--out {out}: unknown format {out.suffix or '(none)'}; use .csv, .parquet or .jsonl")
    source = args.paths[0] if len(args.paths) == 1 else args.paths
    metadata: Any = False if args.no_metadata else args.metadata
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(source, kind=args.kind, metadata=metadata, recursive=not args.no_recursive)
    for w in caught:
        print(f"civictools: warning: {w.message}", file=sys.stderr)
    if args.no_text:
        df = df.drop(columns=["text"])
    counts = ", ".join(f"{k} {v}" for k, v in df["kind"].value_counts().sort_index().items())
    skipped = df.attrs.get("skipped", [])
    print(f"read {len(df)} document(s) ({counts}); skipped {len(skipped)}", file=sys.stderr)
    for item in skipped:
        print(f"  skipped {item['doc_id']}: {item['reason']}", file=sys.stderr)
    if out is not None:
        _write(df, out)
        print(f"wrote {out}", file=sys.stderr)
    else:
        cols = ["doc_id", "kind", "date", "title"]
        print(df[cols].to_string(index=False, max_colwidth=40))
    return EXIT_SKIPPED if (args.strict and skipped) else 0
