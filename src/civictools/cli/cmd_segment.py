"""``civictools segment``: documents in, token table out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from civictools.errors import TextError

TABLE_SUFFIXES = {".csv", ".parquet", ".jsonl", ".json", ".tsv"}
TEXT_SUFFIXES = {".txt", ".md"}

EPILOG = """examples / 示例:
  civictools segment docs.csv --out tokens.csv                    表格 → 词表
  civictools segment corpora/demo/minutes --out tokens.parquet    文本文件夹 → 词表
  civictools segment docs.jsonl --text-col body --user-dict names.txt --n-jobs 2
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "segment",
        help="segment documents into a token table / 分词",
        description="Segment documents (CSV/TSV/Parquet/JSONL tables, or .txt files and folders) "
        "into a token table: doc_id, sent_id, token_id, token, pos, start, end.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("inputs", nargs="+", help="table file(s), text file(s) or folder(s) of .txt files")
    p.add_argument("--out", "-o", help="output file (.csv, .parquet, .jsonl); default: CSV on stdout")
    p.add_argument("--text-col", default="text", help="text column of table inputs (default: text)")
    p.add_argument("--id-col", default="doc_id", help="id column of table inputs (default: doc_id)")
    p.add_argument("--user-dict", action="append", default=[], help="user dictionary file (repeatable)")
    p.add_argument("--no-lexicon", action="store_true", help="plain jieba dictionary only")
    p.add_argument("--engine", choices=["auto", "jieba", "rjieba"], default="auto")
    hmm = p.add_mutually_exclusive_group()
    hmm.add_argument("--hmm", dest="hmm", action="store_true", default=None, help="guess unknown words (HMM)")
    hmm.add_argument("--no-hmm", dest="hmm", action="store_false", help="no HMM (the default)")
    p.add_argument("--drop-stopwords", action="store_true", help="leave stopwords and punctuation out")
    p.set_defaults(func=run)


def _read_text_file(path: Path) -> str:
    raw = path.read_bytes()
    # UTF-8 first, then GB18030 (a superset of GBK/GB2312, the usual legacy
    # encoding of mainland documents; short texts fool statistical detectors),
    # then detection for anything else
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise TextError(f"{path}: cannot tell the text encoding; save it as UTF-8")
    return str(best)


def _read_table(path: Path, text_col: str, id_col: str) -> Any:
    import pandas as pd

    from civictools.corpus.read import _read_csv as read_csv

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            df = read_csv(path, dtype={id_col: str})
        elif suffix == ".tsv":
            df = read_csv(path, sep="\t", dtype={id_col: str})
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_json(path, lines=suffix == ".jsonl", dtype={id_col: str})
    except (ValueError, OSError) as exc:
        raise TextError(f"{path}: cannot read the table: {exc}") from None
    if text_col not in df.columns:
        raise TextError(f"{path}: no column {text_col!r} (columns: {list(df.columns)}); use --text-col")
    if id_col not in df.columns:
        df[id_col] = [f"{path.stem}:{i}" for i in range(len(df))]
    return df[[id_col, text_col]].rename(columns={id_col: "doc_id", text_col: "text"})


def read_inputs(inputs: list[str], text_col: str = "text", id_col: str = "doc_id") -> Any:
    """All inputs as one DataFrame ``doc_id, text``."""
    import pandas as pd

    frames = []
    docs: list[dict[str, str]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
            if not files:
                raise TextError(f"{path}: no .txt files in this folder")
            docs.extend({"doc_id": str(f.relative_to(path)), "text": _read_text_file(f)} for f in files)
        elif path.is_file():
            if path.suffix.lower() in TABLE_SUFFIXES:
                frames.append(_read_table(path, text_col, id_col))
            else:
                docs.append({"doc_id": path.name, "text": _read_text_file(path)})
        else:
            raise TextError(f"{path}: no such file or folder")
    if docs:
        frames.append(pd.DataFrame(docs))
    out = pd.concat(frames, ignore_index=True)
    dup = out["doc_id"][out["doc_id"].duplicated()].tolist()
    if dup:
        raise TextError(f"duplicate doc_id values {dup[:5]}; give each document a unique id")
    return out


def run(args: argparse.Namespace) -> int:
    from civictools.text.segmenter import DEFAULT_HMM, Segmenter

    docs = read_inputs(args.inputs, args.text_col, args.id_col)
    seg = Segmenter(
        lexicon=None if args.no_lexicon else "governance",
        user_dicts=args.user_dict,
        hmm=DEFAULT_HMM if args.hmm is None else args.hmm,
        engine=args.engine,
    )
    toks = seg.tokens(docs)
    if args.drop_stopwords:
        toks = toks[~toks["token"].map(seg.is_stopword)].reset_index(drop=True)
    if not args.out:
        toks.to_csv(sys.stdout, index=False)
        return 0
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        toks.to_parquet(out, index=False)
    elif suffix in (".jsonl", ".json"):
        toks.to_json(out, orient="records", lines=True, force_ascii=False)
    elif suffix in (".csv", ".tsv"):
        toks.to_csv(out, index=False, sep="\t" if suffix == ".tsv" else ",")
    else:
        raise TextError(f"--out {out}: use a .csv, .tsv, .parquet or .jsonl file name")
    print(f"{len(toks)} tokens from {toks['doc_id'].nunique()} documents -> {out}", file=sys.stderr)
    return 0
