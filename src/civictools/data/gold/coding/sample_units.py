"""Draw the units of the gold coding set from the demo corpus (run once).

Units: body paragraphs of news (site boilerplate excluded), paragraphs of
policy documents, agenda items of minutes (paragraphs outside the header
and attendance block when there is no agenda). Units of 20–600 characters
are eligible; 470 are drawn, stratified by kind, with a fixed seed; a third
is marked ``split = test``.

Usage: python sample_units.py OUT.csv
       python sample_units.py --batch2 units.csv OUT.csv   (the second batch)
       python sample_units.py --batch3 units.csv OUT.csv   (the third: every unit left)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import civictools as ct

SEED = 20241128
N_UNITS = {"minutes": 250, "news": 160, "policy": 60}


def units_of(doc: pd.Series) -> list[tuple[int, int, str]]:
    text = doc["text"]
    out = []
    if doc["kind"] == "minutes":
        m = ct.parse_minutes(text)
        if len(m.agenda):
            out = [(int(r.start), int(r.end), "agenda_item") for r in m.agenda.itertuples()]
        else:
            head = m.header_spans
            out = [(s, e, "paragraph") for s, e in ct.paragraph_spans(text)
                   if not any(hs <= s < he for hs, he in head)]
    elif doc["kind"] == "news":
        art = ct.parse_news(text)
        pos = 0
        for p in art.paragraphs:
            i = text.find(p, pos)
            if i >= 0:
                out.append((i, i + len(p), "paragraph"))
                pos = i + len(p)
    else:
        out = [(s, e, "paragraph") for s, e in ct.paragraph_spans(text)]
    res = []
    for s, e, kind in out:
        # Trim surrounding whitespace so offsets point at the unit itself.
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        s2, e2 = s + lead, s + len(seg.rstrip())
        if 20 <= e2 - s2 <= 600:
            res.append((s2, e2, kind))
    return res


def _draw(pool: pd.DataFrame, sizes: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``sizes[kind]`` units of each kind without replacement, in corpus order."""
    picked = []
    for kind, n in sizes.items():
        sub = pool[pool["kind"] == kind]
        idx = rng.choice(len(sub), size=min(n, len(sub)), replace=False)
        picked.append(sub.iloc[np.sort(idx)])
    return pd.concat(picked).sort_values(["doc_id", "start"], ignore_index=True)


def _test_third(n: int, rng: np.random.Generator) -> np.ndarray:
    split = np.array(["dev"] * n, dtype=object)
    split[rng.choice(n, size=n // 3, replace=False)] = "test"
    return split


def main(out: str) -> None:
    docs = ct.load_corpus(ct.datasets._paths.data_path("demo"), progress=False)
    rows = []
    for _, d in docs.iterrows():
        for k, (s, e, ukind) in enumerate(units_of(d)):
            rows.append(dict(doc_id=d["doc_id"], kind=d["kind"], unit_kind=ukind, start=s, end=e,
                             text=d["text"][s:e]))
    pool = pd.DataFrame(rows)
    rng = np.random.default_rng(SEED)
    gold = _draw(pool, N_UNITS, rng)
    gold.insert(1, "unit_id", [f"{d}#{s}-{e}" for d, s, e in zip(gold["doc_id"], gold["start"], gold["end"])])
    gold["split"] = _test_third(len(gold), rng)
    gold.to_csv(out, index=False, encoding="utf-8")
    print(f"{len(pool)} eligible units; {len(gold)} drawn: {gold['kind'].value_counts().to_dict()}")


def _not_drawn(existing: str) -> pd.DataFrame:
    """The eligible units of the demo corpus (in corpus order) that overlap no unit of
    ``existing``. The minutes parser changed after batch 1, so some units now split
    differently: every overlapping unit is skipped, not just equal ones."""
    docs = ct.load_corpus(ct.datasets._paths.data_path("demo"), progress=False)
    old = pd.read_csv(existing)
    spans = {doc: list(zip(g["start"], g["end"])) for doc, g in old.groupby("doc_id")}
    rows = []
    for _, d in docs.iterrows():
        for s, e, ukind in units_of(d):
            if not any(s < oe and e > os_ for os_, oe in spans.get(d["doc_id"], ())):
                rows.append(dict(doc_id=d["doc_id"], unit_id=f"{d['doc_id']}#{s}-{e}", kind=d["kind"],
                                 unit_kind=ukind, start=s, end=e, text=d["text"][s:e]))
    return pd.DataFrame(rows)


# Batch 2 (second session): a further 360 units drawn from the units not yet in
# the gold set, with its own seed, so the codebook could be tuned on more text
# and tested on units nobody had seen when it was last changed.
SEED_2 = 20261128
N_UNITS_2 = {"minutes": 110, "news": 180, "policy": 70}


def main_batch2(existing: str, out: str) -> None:
    pool = _not_drawn(existing)
    rng = np.random.default_rng(SEED_2)
    new = _draw(pool, N_UNITS_2, rng)
    new["split"] = _test_third(len(new), rng)
    new["batch"] = 2
    new.to_csv(out, index=False, encoding="utf-8")
    print(f"{len(pool)} units not yet drawn; {len(new)} drawn: {new['kind'].value_counts().to_dict()}")


# Batch 3 (fourth session): every eligible unit not yet in the gold set (344: the pool
# left after batches 1 and 2), coded by two new coders who saw neither the codebook nor
# the earlier gold, so that the codebook could be scored on units no version of it had
# been tuned on.
SEED_3 = 20261129


def main_batch3(existing: str, out: str) -> None:
    new = _not_drawn(existing).sort_values(["doc_id", "start"], ignore_index=True)
    new["split"] = _test_third(len(new), np.random.default_rng(SEED_3))
    new["batch"] = 3
    new.to_csv(out, index=False, encoding="utf-8")
    print(f"{len(new)} units not yet drawn, all taken: {new['kind'].value_counts().to_dict()}")


if __name__ == "__main__":
    if sys.argv[1] == "--batch2":
        main_batch2(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "--batch3":
        main_batch3(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
