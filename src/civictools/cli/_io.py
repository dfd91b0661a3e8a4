"""Reading and writing tables for the command line (CSV, Parquet, JSON lines)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civictools.errors import CivictoolsError

_FORMATS = (".csv", ".parquet", ".jsonl", ".json")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8 with or without BOM, UTF-16, GB18030/GBK as Excel saves it on Chinese
    Windows, or Big5), Parquet or JSON-lines table; errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise CivictoolsError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            from civictools.corpus.read import _read_csv

            return _read_csv(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".json"):
            return pd.read_json(path, lines=suffix == ".jsonl")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise CivictoolsError(f"{path}: cannot read the table ({exc})") from exc
    raise CivictoolsError(f"{path}: unknown table format; use one of {', '.join(_FORMATS)}")


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV (UTF-8 with BOM, so Excel shows Chinese), Parquet or JSON lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise CivictoolsError(f"{path}: unknown output format; use one of {', '.join(_FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.PeriodDtype):
            out[c] = out[c].astype(str)
    if suffix == ".csv":
        out.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".parquet":
        obj = [c for c in out.columns if out[c].dtype == object]
        for c in obj:
            if out[c].map(lambda v: isinstance(v, (list, tuple, dict, set))).any():
                out[c] = out[c].map(lambda v: v if not isinstance(v, set) else sorted(v))
        out.to_parquet(path, index=False)
    else:
        out.to_json(path, orient="records", lines=suffix == ".jsonl", force_ascii=False, date_format="iso")
    return path
