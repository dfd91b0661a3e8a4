"""Report build times: full build, no-change rebuild, one-document rebuild.

Builds the demo report into a temporary folder three times: from an empty
cache, again with nothing changed, and after one minutes document changed.
Run: .venv/bin/python benchmarks/bench_report.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import yaml

import civictools as ct
from civictools.datasets._paths import data_path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(data_path("demo"), tmp / "corpus")
        cfg = tmp / "report.yml"
        cfg.write_text(yaml.safe_dump({"corpus": {"path": "corpus"}}), "utf-8")
        out, cache = tmp / "site", tmp / "cache"
        t0 = time.perf_counter()
        full = ct.build_report(cfg, out, cache_dir=cache)
        t1 = time.perf_counter()
        same = ct.build_report(cfg, out, cache_dir=cache)
        t2 = time.perf_counter()
        doc = next(p for p in sorted((tmp / "corpus" / "minutes").glob("*.txt")) if _is_utf8(p.read_bytes()))
        doc.write_bytes(doc.read_bytes() + "\n补充：居民建议在活动室增设老花镜。\n".encode("utf-8"))
        t3 = time.perf_counter()
        one = ct.build_report(cfg, out, cache_dir=cache)
        t4 = time.perf_counter()
        print(f"full build:          {t1 - t0:6.1f} s  (executed {len(full.executed)} sections)")
        print(f"no-change rebuild:   {t2 - t1:6.1f} s  (executed {len(same.executed)}, reused {len(same.reused)})")
        print(f"one document edited: {t4 - t3:6.1f} s  (executed: {', '.join(one.executed)}; reused: {', '.join(one.reused)})")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


if __name__ == "__main__":
    main()
