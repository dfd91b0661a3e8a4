"""``civictools redact``: pseudonymise personal data in a table of documents or in text files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

_TABLE_SUFFIXES = (".csv", ".parquet", ".jsonl", ".json")
_TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def _read_inputs(paths: list[str], text_col: str, id_col: str):
    """A documents frame and whether the input was a table (True) or text files (False)."""
    import pandas as pd

    from civictools.cli._io import read_table
    from civictools.errors import CorpusError

    if len(paths) == 1 and Path(paths[0]).suffix.lower() in _TABLE_SUFFIXES:
        df = read_table(paths[0])
        if text_col not in df.columns:
            raise CorpusError(
                f"{paths[0]}: no column {text_col!r} (columns: {list(df.columns)}); use --text-col"
            )
        return df, True
    from civictools.corpus import read_text

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in _TEXT_SUFFIXES))
        elif p.is_file():
            if p.suffix.lower() in _TABLE_SUFFIXES:
                raise CorpusError(f"{p}: give one table, or text files only (not both)")
            files.append(p)
        else:
            raise CorpusError(f"{p}: file or directory not found")
    if not files:
        raise CorpusError(f"no text files ({', '.join(_TEXT_SUFFIXES)}) found in {', '.join(paths)}")
    rows = [{id_col: str(f), text_col: read_text(f)} for f in files]
    return pd.DataFrame(rows), False


def _read_mapping(path: str) -> dict:
    from civictools.errors import TextError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TextError(f"{path}: cannot read the mapping JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise TextError(f"{path}: a mapping file must hold one JSON object {{original: label}}")
    return data


def _names(path: str | None) -> list[str] | None:
    if not path:
        return None
    from civictools.errors import TextError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TextError(f"{path}: cannot read the names file ({exc})") from exc
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def _run(args: argparse.Namespace) -> int:
    from civictools.cli._io import write_table
    from civictools.errors import TextError
    from civictools.text.redact import redact_corpus

    kinds = tuple(k for part in args.kinds for k in part.split(",") if k) if args.kinds else None
    df, is_table = _read_inputs(args.inputs, args.text_col, args.id_col)
    mapping = _read_mapping(args.mapping_in) if args.mapping_in else None
    res = redact_corpus(
        df,
        text_col=args.text_col,
        id_col=args.id_col,
        **({"kinds": kinds} if kinds else {}),
        mapping=mapping,
        keep_mapping=bool(args.mapping_out or args.entities_out),
        names=_names(args.names),
        progress=not args.quiet and len(df) >= 200,
        engine=args.engine,
    )
    out = Path(args.out)
    if out.suffix.lower() in _TABLE_SUFFIXES:
        write_table(res.documents, out)
    elif is_table:
        raise TextError(f"{out}: the output of a table must be a table ({', '.join(_TABLE_SUFFIXES)})")
    else:
        # Text files in, a directory of redacted .txt files out (same base names).
        out.mkdir(parents=True, exist_ok=True)
        used: set[str] = set()
        for doc_id, text in zip(res.documents[args.id_col], res.documents[args.text_col]):
            name = Path(doc_id).stem + ".txt"
            k = 1
            while name in used:
                k += 1
                name = f"{Path(doc_id).stem}_{k}.txt"
            used.add(name)
            (out / name).write_text(text, encoding="utf-8")
    if args.mapping_out:
        Path(args.mapping_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.mapping_out).write_text(
            json.dumps(res.mapping, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
    if args.entities_out:
        write_table(res.entities, args.entities_out)
    if not args.quiet:
        print(res.summary())
        if args.mapping_out:
            print(f"mapping written to {args.mapping_out}: it links labels to real people, keep it private")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "redact",
        help="pseudonymise names, phones, ID numbers ... / 个人信息脱敏",
        description="Replace personal data (names, phone numbers, ID-card numbers, e-mails, "
        "building/unit/room numbers, licence plates) with consistent labels such as 居民A and [电话1]. "
        "Input: one table (CSV, Parquet, JSON lines) with a text column, or text files / directories.",
        epilog="examples / 示例:\n"
        "  civictools redact docs.csv --out docs_redacted.csv --mapping-out mapping.json\n"
        "  civictools redact minutes/ --out redacted/            文本文件 -> 目录\n"
        "  civictools redact docs.parquet --out r.parquet --kinds person,phone\n"
        "  civictools redact new.csv --out r.csv --mapping-in mapping.json --mapping-out mapping.json\n"
        "The mapping file links labels to real people: store it apart from the shared data.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", metavar="IN", help="a table, or text files / directories")
    p.add_argument("--out", required=True, help="output table, or a directory for text files")
    p.add_argument("--text-col", default="text", help="text column of a table (default: text)")
    p.add_argument("--id-col", default="doc_id", help="document id column (default: doc_id)")
    p.add_argument(
        "--kinds",
        action="append",
        help="kinds to redact, comma separated or repeated: person, phone, id_card, email, "
        "address_detail, plate (default: all)",
    )
    p.add_argument("--names", help="file of known names, one per line (always redacted)")
    p.add_argument("--mapping-in", help="JSON mapping from an earlier run, to keep labels consistent")
    p.add_argument("--mapping-out", help="write the original -> label mapping as JSON (keep it private)")
    p.add_argument("--entities-out", help="write the table of redacted spans (contains the originals)")
    p.add_argument(
        "--engine", choices=("auto", "rjieba", "jieba"), default="auto",
        help="POS tagger used as name evidence (default: rjieba if installed, else jieba)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing")
    p.set_defaults(func=_run)
