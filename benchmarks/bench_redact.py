"""Redaction quality on the gold set and throughput, side by side with jieba POS tags.

Run:  python benchmarks/bench_redact.py [--repeat N]

Quality: entity-level precision/recall/F1 per kind (exact span match, and partial
overlap), for the development and held-out parts of the gold set separately.
Peer: "jieba nr" marks every token jieba.posseg tags nr/nrfg/nrt as a person
(the approach the issue says is not enough).
"""

from __future__ import annotations

import argparse
import sys
import time

from civictools.text._redact_gold import load_gold
from civictools.text.redact import REDACT_KINDS, redact


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> tuple[float, float, float]:
    p = tp_p / n_pred if n_pred else 1.0
    r = tp_g / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(records, predict, kinds=REDACT_KINDS):
    """Per-kind exact and partial P/R/F1 of ``predict(text) -> [(kind, start, end)]``."""
    rows = []
    preds = [set(predict(r["text"])) for r in records]
    for kind in kinds:
        n_gold = n_pred = tp = 0
        part_p = part_g = 0
        for rec, pred in zip(records, preds):
            gold = {(e["start"], e["end"]) for e in rec["entities"] if e["kind"] == kind}
            pk = {(s, e) for k, s, e in pred if k == kind}
            n_gold += len(gold)
            n_pred += len(pk)
            tp += len(gold & pk)
            part_p += sum(any(s < ge and gs < e for gs, ge in gold) for s, e in pk)
            part_g += sum(any(s < ge and gs < e for s, e in pk) for gs, ge in gold)
        p, r, f = _prf(tp, n_pred, tp, n_gold)
        pp, pr, pf = _prf(part_p, n_pred, part_g, n_gold)
        rows.append((kind, n_gold, n_pred, p, r, f, pp, pr, pf))
    return rows


def civictools_predict(text, engine="auto"):
    res = redact(text, engine=engine)
    return [(k, s, e) for k, s, e in zip(res.entities["kind"], res.entities["start"], res.entities["end"])]


def _engines():
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return ("jieba",)
    return ("rjieba", "jieba")


def jieba_nr_predict_factory():
    import jieba
    import jieba.posseg

    pos = jieba.posseg.POSTokenizer(tokenizer=jieba.Tokenizer())

    def predict(text):
        out, i = [], 0
        for pair in pos.lcut(text):
            if pair.flag in ("nr", "nrfg", "nrt"):
                out.append(("person", i, i + len(pair.word)))
            i += len(pair.word)
        return out

    return predict


def print_table(title, rows):
    print(f"\n{title}")
    print(f"{'kind':<15}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F1':>7}   partial:{'P':>6}{'R':>7}{'F1':>7}")
    for kind, ng, npred, p, r, f, pp, pr, pf in rows:
        print(f"{kind:<15}{ng:>6}{npred:>6}{p:>7.3f}{r:>7.3f}{f:>7.3f}   {'':>8}{pp:>6.3f}{pr:>7.3f}{pf:>7.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the gold text for throughput")
    ap.add_argument("--errors", action="store_true", help="list person errors (development only)")
    ap.add_argument("--engine", default="auto", help="engine for --errors")
    ap.add_argument("--no-corpus", action="store_true", help="skip the demo-corpus throughput run")
    args = ap.parse_args(argv)
    gold = load_gold()
    jieba_nr = jieba_nr_predict_factory()
    for engine in _engines():
        civictools_predict("预热", engine)  # load dictionaries outside the timed loop
    jieba_nr("预热")
    for split in ("dev", "heldout", "fresh", "contact", "blind", "blind2", "blind3", "all"):
        recs = [r for r in gold if split == "all" or r["split"] == split]
        if not recs:
            continue
        n_names = sum(e["kind"] == "person" for r in recs for e in r["entities"])
        print(f"\n=== {split}: {len(recs)} passages, {n_names} person mentions ===")
        for engine in _engines():
            print_table(
                f"civictools.redact (engine={engine})",
                score(recs, lambda t, e=engine: civictools_predict(t, e)),
            )
        print_table("peer: jieba posseg nr tags (person only)", score(recs, jieba_nr, kinds=("person",)))
    if args.errors:
        for r in gold:
            pred = {(s, e) for k, s, e in civictools_predict(r["text"], args.engine) if k == "person"}
            g = {(e["start"], e["end"]) for e in r["entities"] if e["kind"] == "person"}
            for s, e in sorted(g - pred):
                print("MISS", r["id"], r["text"][s:e], "|", r["text"][max(0, s - 8) : e + 8].replace("\n", "/"))
            for s, e in sorted(pred - g):
                print("FP  ", r["id"], r["text"][s:e], "|", r["text"][max(0, s - 8) : e + 8].replace("\n", "/"))
    text = "\n".join(r["text"] for r in gold)
    n_chars = len(text) * args.repeat
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        jieba_nr(text)
    t_jb = time.perf_counter() - t0
    print(f"\nthroughput on {n_chars} chars (gold text x{args.repeat}):")
    print(f"  peer jieba posseg alone:                {n_chars / t_jb:>10,.0f} chars/s")
    for engine in _engines():
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            redact(text, engine=engine)
        t_ct = time.perf_counter() - t0
        print(
            f"  civictools.redact engine={engine:<7} (all kinds): {n_chars / t_ct:>10,.0f} chars/s"
            f"   ratio to jieba posseg: {t_jb / t_ct:.2f}"
        )
    if not args.no_corpus:
        _corpus_throughput(jieba_nr)
    return 0


def _corpus_throughput(jieba_nr) -> None:
    """redact_corpus over the packaged demo corpus (news + minutes), both engines."""
    from pathlib import Path

    import pandas as pd

    import civictools
    from civictools.corpus import read_text
    from civictools.text.redact import redact_corpus

    root = Path(civictools.__file__).parent / "data" / "demo"
    files = sorted(root.rglob("*.txt"))
    if not files:
        print("\n(no demo corpus found; skipped corpus throughput)")
        return
    df = pd.DataFrame({"doc_id": [f.name for f in files], "text": [read_text(f) for f in files]})
    n = int(df["text"].str.len().sum())
    t0 = time.perf_counter()
    for text in df["text"]:
        jieba_nr(text)
    t_jb = time.perf_counter() - t0
    print(f"\nredact_corpus on the demo corpus ({len(df)} documents, {n} chars):")
    print(f"  peer jieba posseg alone:        {n / t_jb:>10,.0f} chars/s")
    spans = {}
    for engine in _engines():
        t0 = time.perf_counter()
        res = redact_corpus(df, engine=engine, progress=False)
        dt = time.perf_counter() - t0
        spans[engine] = res.entities[["doc_id", "kind", "start", "end"]]
        print(f"  redact_corpus engine={engine:<7} {n / dt:>10,.0f} chars/s   ratio to jieba posseg: {t_jb / dt:.2f}"
              f"   spans: {len(res.entities)}")
    if len(spans) == 2:
        a, b = (set(map(tuple, v.values.tolist())) for v in spans.values())
        print(f"  spans identical between engines: {len(a & b)} of {len(a | b)}")


if __name__ == "__main__":
    sys.exit(main())
