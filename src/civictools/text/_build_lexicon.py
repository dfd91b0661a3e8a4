"""Build ``data/text/governance.dict.txt`` from ``governance.source.txt``.

Run ``python -m civictools.text._build_lexicon`` after editing the source.
Frequencies are derived, not invented: a term already in jieba's main
dictionary keeps its jieba frequency, raised to ``FLOOR`` when lower;
a new term gets ``MARGIN`` times the frequency jieba itself would suggest to
join its pieces (``Tokenizer.suggest_freq``), but at least ``FLOOR``. The
margin makes a term win against its pieces also when neighbouring characters
tempt the DAG to cut across it; it was chosen on the gold sentences (see the
text README).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from civictools.text._lexicon import DATA_DIR

MARGIN = 20
FLOOR = 200
SOURCE = DATA_DIR / "governance.source.txt"
TARGET = DATA_DIR / "governance.dict.txt"


def read_source(path: Path = SOURCE) -> list[tuple[str, str, str]]:
    """(term, pos, section) triples in source order, first occurrence wins."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    section, default_pos = "", "n"
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            parts = line[1:].split()
            if len(parts) != 2:
                raise ValueError(f"{path}, line {lineno}: expected '@ section pos'")
            section, default_pos = parts
            continue
        for item in line.split():
            term, _, pos = item.partition("/")
            if not term:
                raise ValueError(f"{path}, line {lineno}: empty term in {item!r}")
            if term in seen:
                continue
            seen.add(term)
            out.append((term, pos or default_pos, section))
    return out


def build(margin: float = MARGIN, floor: int = FLOOR) -> list[tuple[str, int, str]]:
    """Entries ``(term, freq, pos)`` for the dictionary file."""
    import jieba

    from civictools.text.segmenter import _quiet_jieba, segmenter_cache_dir

    tk = jieba.Tokenizer()
    tk.tmp_dir = str(segmenter_cache_dir())
    tk.cache_file = "jieba.cache"
    with _quiet_jieba():
        tk.initialize()
    out = []
    for term, pos, _section in read_source():
        base = tk.FREQ.get(term, 0)
        pieces = tk.lcut(term, HMM=False)
        if len(pieces) == 1 and base:
            # already a jieba word: keep jieba's frequency, but not below the
            # floor (社工 has 14 and loses to 社/工人/手 in 社工人手)
            out.append((term, max(base, floor), pos))
            continue
        # jieba's own rule: product of piece probabilities times the total
        logp = sum(math.log(max(tk.FREQ.get(p, 1), 1)) - math.log(tk.total) for p in pieces)
        suggested = math.exp(logp) * tk.total
        freq = max(base, int(math.ceil(suggested * margin)), floor)
        out.append((term, int(freq), pos))
    return out


def main(argv: list[str] | None = None) -> int:
    entries = build()
    TARGET.write_text("".join(f"{t} {f} {p}\n" for t, f, p in entries), encoding="utf-8")
    print(f"wrote {len(entries)} entries to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
