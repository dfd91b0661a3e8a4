"""Corpus-reading benchmark: civictools.load_corpus over a generated folder.

Builds a folder of mixed documents (.txt in UTF-8 / UTF-8-BOM / GBK / GB18030 /
Big5, .html, .docx) from the minutes and news fixture templates, with
community names and dates varied (seeded), then times

* ``civictools.load_corpus`` (decode + detect kind + parse news/minutes), and
* a naive baseline: ``open(path, "rb").read()`` of the same files,

and prints documents/s, MB/s and the ratio. There is no peer package that
reads Chinese corpora this way, so the baseline is the floor of any reader.

Usage::

    python benchmarks/bench_corpus.py            # 2,000 documents
    python benchmarks/bench_corpus.py --n 300    # quicker
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "corpus"
COMMUNITIES = ["纺机社区", "粮站社区", "柳塘社区", "渡口社区", "新桥社区", "望山社区", "塘西社区", "茶园社区"]


def templates() -> list[tuple[str, str]]:
    out = []
    for folder in ("minutes", "news"):
        for path in sorted((FIXTURES / folder).glob("*.txt")):
            out.append((folder, path.read_text(encoding="utf-8")))
    return out


def html_page(text: str) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    body = "".join(f"<p>{ln}</p>" for ln in lines[1:])
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title>"
        "<script>var x = 1;</script></head><body><div class='nav'>首页 &gt; 社区</div>"
        f"<h1>{lines[0]}</h1>{body}</body></html>"
    )


def build(folder: Path, n: int, seed: int = 20240601) -> int:
    """Write ``n`` documents; return their total size in bytes."""
    import docx
    import opencc

    rng = random.Random(seed)
    t2s = opencc.OpenCC("s2t")
    pool = templates()
    total = 0
    for i in range(n):
        kind, text = pool[i % len(pool)]
        a, b = rng.sample(COMMUNITIES, 2)
        text = text.replace("纺机社区", a).replace("柳塘社区", b).replace("2023", str(rng.choice([2021, 2022, 2023, 2024])))
        sub = folder / kind / f"batch{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        form = rng.random()
        if form < 0.15:
            path = sub / f"doc{i:05d}.docx"
            document = docx.Document()
            for line in text.split("\n"):
                document.add_paragraph(line)
            document.save(str(path))
        elif form < 0.30:
            path = sub / f"doc{i:05d}.html"
            path.write_text(html_page(text), encoding="utf-8")
        else:
            path = sub / f"doc{i:05d}.txt"
            enc = rng.choice(["utf-8", "utf-8-sig", "gbk", "gb18030", "big5"])
            try:
                data = (t2s.convert(text) if enc == "big5" else text).encode(enc)
            except UnicodeEncodeError:
                # Characters the legacy encoding lacks (•): such files are UTF-8 in practice.
                data = text.encode("utf-8")
            path.write_bytes(data)
        total += path.stat().st_size
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="number of documents (default 2000)")
    args = parser.parse_args(argv)
    import civictools

    with tempfile.TemporaryDirectory(prefix="civictools-bench-") as tmp:
        folder = Path(tmp) / "corpus"
        t0 = time.perf_counter()
        size = build(folder, args.n)
        t_build = time.perf_counter() - t0
        files = sorted(p for p in folder.rglob("*") if p.is_file())

        t0 = time.perf_counter()
        naive_bytes = 0
        for p in files:
            with open(p, "rb") as fh:
                naive_bytes += len(fh.read())
        t_naive = time.perf_counter() - t0

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a skipped file would invalidate the run
            t0 = time.perf_counter()
            df = civictools.load_corpus(folder, progress=False)
            t_load = time.perf_counter() - t0

    mb = size / 1e6
    kinds = df["kind"].value_counts().to_dict()
    encodings = df["encoding"].value_counts().to_dict()
    print(f"corpus: {len(files)} files, {mb:.1f} MB (built in {t_build:.1f} s)")
    print(f"  kinds detected: {kinds}")
    print(f"  encodings: {encodings}")
    print(f"{'reader':<34}{'seconds':>10}{'docs/s':>12}{'MB/s':>10}")
    print(f"{'civictools.load_corpus':<34}{t_load:>10.2f}{len(df) / t_load:>12.0f}{mb / t_load:>10.2f}")
    print(f"{'naive open().read() (bytes only)':<34}{t_naive:>10.3f}{len(files) / t_naive:>12.0f}{mb / t_naive:>10.1f}")
    print(f"ratio load_corpus / naive time: {t_load / t_naive:.0f}x "
          "(the price of decoding, detecting and parsing every document)")
    return 0 if len(df) == len(files) else 1


if __name__ == "__main__":
    sys.exit(main())
