"""Segmentation benchmark: accuracy on the gold sentences, engine agreement, speed, memory.

Run:  .venv/bin/python benchmarks/bench_segment.py            (full, ~2 minutes)
      .venv/bin/python benchmarks/bench_segment.py --quick    (smaller corpora)

Prints, in one run and side by side with the peer (jieba 0.42.1):
1. span F1 on the gold sentences: plain jieba, jieba + lexicon, the Rust engine, HMM on/off;
2. how often governance terms come out whole (gold + demo text);
3. identity rate of the jieba and rjieba engines loaded with the same dictionaries;
4. throughput of Segmenter.cut_many against jieba.lcut on the same text (ratio);
5. n_jobs=2 against n_jobs=1 on a ~20 MB corpus (ratio), interleaved with two controls that
   send nothing back: a pure-Python loop halved over two processes, and two processes
   cutting and keeping half the texts each (cut_many minus the cost of bringing the
   worker's tokens back to the caller);
6. warm start-up time and memory (RSS delta) per Segmenter, in fresh processes;
7. where the time of n_jobs=2 goes with rjieba: cutting, packing the tokens in a
   worker and unpacking them in the caller ("joined" and "codes"), two processes
   cutting halves with nothing sent back, and two threads cutting halves.
The machine is shared: trust the ratios more than the seconds.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import jieba

from civictools.text._lexicon import read_lexicon
from civictools.text._segeval import load_gold, span_prf, spans, wholeness
from civictools.text.segmenter import DEFAULT_HMM, Segmenter
from civictools.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "civictools" / "data"


def demo_texts() -> list[str]:
    out = []
    for p in sorted((DATA / "demo").rglob("*")):
        if p.is_file() and p.suffix in (".txt", ".html", ".md"):
            t = p.read_text(encoding="utf-8", errors="replace")
            out.append(re.sub(r"<[^>]+>", " ", t) if p.suffix == ".html" else t)
    return out


def district_words() -> list[str]:
    """Place names of the fictional district as a user dictionary.

    The gold standard splits 社区/街道 off a place name (纺机 社区), so the
    stems go in, plus the district 青禾区.
    """
    words = {"青禾区"}
    with open(DATA / "district" / "district.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in (row["community"], row["street"]):
                for suffix in ("社区", "街道"):
                    if name.endswith(suffix) and len(name) > len(suffix) + 1:
                        words.add(name[: -len(suffix)])
    return sorted(words)


def theme_terms() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_text_segment import THEME_TERMS  # the indicator terms of design/themes.md

    return THEME_TERMS


def section(title: str) -> None:
    print(f"\n== {title} ==")


def accuracy() -> None:
    gold = load_gold()
    texts = [t for t, _, _ in gold]
    ref = [g for _, g, _ in gold]
    ref_b = [g for _, g, _ in load_gold(annotator="b")]
    styles = [s for _, _, s in gold]
    section(f"1. span F1 on {len(gold)} gold sentences (news/minutes/policy)")
    p, r, f = span_prf(ref, ref_b)
    print(f"inter-annotator agreement, annotator B against the gold (A): P {p:.4f} R {r:.4f} F1 {f:.4f}")
    tk = jieba.Tokenizer()
    tk.initialize()
    rows = []
    for hmm in (True, False):
        rows.append((f"plain jieba, HMM {'on' if hmm else 'off'}", [tk.lcut(t, HMM=hmm) for t in texts]))
    for engine in ("jieba", "rjieba"):
        for hmm in (True, False):
            seg = Segmenter(engine=engine, hmm=hmm)
            rows.append((f"{engine} + lexicon, HMM {'on' if hmm else 'off'}", [seg.cut(t) for t in texts]))
    for hmm in (True, False):
        seg = Segmenter(user_dicts=[district_words()], hmm=hmm)
        rows.append(
            (f"rjieba + lexicon + district names, HMM {'on' if hmm else 'off'}", [seg.cut(t) for t in texts])
        )
    print(f"{'configuration':52s} {'P':>7s} {'R':>7s} {'F1':>7s}   F1 news/minutes/policy   F1 vs annotator B")
    for name, pred in rows:
        p, r, f = span_prf(ref, pred)
        f_b = span_prf(ref_b, pred)[2]
        by = []
        for st in ("news", "minutes", "policy"):
            idx = [i for i, s in enumerate(styles) if s == st]
            by.append(span_prf([ref[i] for i in idx], [pred[i] for i in idx])[2])
        print(f"{name:52s} {p:7.4f} {r:7.4f} {f:7.4f}   " + " / ".join(f"{x:.4f}" for x in by) + f"   {f_b:.4f}")
    print(f"(Segmenter default: hmm={DEFAULT_HMM})")


def term_wholeness(demo: list[str]) -> None:
    section("2. governance terms whole (no token boundary inside an occurrence)")
    gold = [t for t, _, _ in load_gold()]
    seg = Segmenter()
    tk = jieba.Tokenizer()
    tk.initialize()
    lex = [w for w, _, _ in read_lexicon("governance")]
    for label, terms in (("theme indicator terms", theme_terms()), ("all lexicon terms", lex)):
        for corpus, texts in (("gold", gold), ("demo", demo)):
            w, n, split = wholeness(texts, lambda x: [t for t, _, _ in seg.tokenize(x)], terms)
            w0, n0, _ = wholeness(texts, lambda x: tk.lcut(x, HMM=False), terms)
            worst = ", ".join(f"{k} {v}" for k, v in sorted(split.items(), key=lambda kv: -kv[1])[:6])
            print(
                f"{label:22s} {corpus:5s}: lexicon {w / n:6.1%} ({w}/{n}); plain jieba {w0 / n0:6.1%}"
                f"   most often split: {worst or '-'}"
            )


def identity(demo: list[str]) -> None:
    section("3. identity of the jieba and rjieba engines (same dictionaries)")
    sents = [t for t, _, _ in load_gold()]
    for doc in demo:
        sents.extend(split_sentences(doc))
    for hmm in (False, True):
        a = Segmenter(engine="jieba", hmm=hmm)
        b = Segmenter(engine="rjieba", hmm=hmm)
        same = tp = na = nb = 0
        diffs = []
        for s in sents:
            x, y = a.cut(s), b.cut(s)
            if x == y:
                same += 1
            elif len(diffs) < 4:
                diffs.append((x, y))
            sx, sy = spans(a._cut_all(s)), spans(b._cut_all(s))
            tp += len(sx & sy)
            na += len(sx)
            nb += len(sy)
        f1 = 2 * tp / (na + nb)
        print(f"HMM {'on ' if hmm else 'off'}: {same}/{len(sents)} sentences identical ({same / len(sents):.2%}); token F1 {f1:.5f}")
        for x, y in diffs:
            dx = [t for t in x if t not in y]
            dy = [t for t in y if t not in x]
            print(f"   jieba {dx}  vs  rjieba {dy}")


def corpus_of(demo: list[str], megabytes: float) -> list[str]:
    docs: list[str] = []
    size = 0
    target = megabytes * 1e6
    k = 0
    while size < target:
        d = demo[k % len(demo)]
        docs.append(d)
        size += len(d.encode("utf-8"))
        k += 1
    return docs


def throughput(demo: list[str], mb: float, repeats: int) -> None:
    engine = Segmenter().engine
    section(f"4. throughput on {mb:.0f} MB of demo text ({engine} engine; best of {repeats}, interleaved)")
    docs = corpus_of(demo, mb)
    size = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    jieba.setLogLevel(logging.ERROR)
    jieba.initialize()  # the peer as users call it: the global tokenizer (benchmark only)
    segs = {hmm: Segmenter(hmm=hmm) for hmm in (True, False)}
    results: dict[str, float] = {}

    def clock(name: str, fn) -> None:
        t = time.perf_counter()
        fn()
        results[name] = min(results.get(name, float("inf")), time.perf_counter() - t)

    for _ in range(repeats):
        for hmm in (True, False):
            clock(f"jieba.lcut HMM={hmm}", lambda: [jieba.lcut(d, HMM=hmm) for d in docs])
            clock(f"Segmenter.cut_many hmm={hmm}", lambda: segs[hmm].cut_many(docs, progress=False))
    for name, sec in results.items():
        print(f"{name:32s} {sec:7.2f} s  {size / sec:6.2f} MB/s")
    for hmm in (True, False):
        r = results[f"jieba.lcut HMM={hmm}"] / results[f"Segmenter.cut_many hmm={hmm}"]
        print(f"ratio cut_many / jieba.lcut, HMM {'on ' if hmm else 'off'} both: {r:5.1f}x")
    r = results["jieba.lcut HMM=True"] / results[f"Segmenter.cut_many hmm={DEFAULT_HMM}"]
    print(f"ratio Segmenter defaults / jieba.lcut defaults: {r:5.1f}x")


def _spin(n: int) -> None:
    x = 0
    for i in range(n):
        x += i & 7


def _control(ctx, n: int) -> tuple[float, float]:
    """Pure-Python CPU work, once in one process and split over two forked ones."""
    t = time.perf_counter()
    _spin(2 * n)
    one = time.perf_counter() - t
    procs = [ctx.Process(target=_spin, args=(n,)) for _ in range(2)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return one, time.perf_counter() - t


def parallel(demo: list[str], mb: float, repeats: int, engine: str = "auto") -> None:
    import gc
    import multiprocessing as mp
    import resource
    import statistics

    seg = Segmenter(engine=engine)
    section(
        f"5. cut_many n_jobs=2 vs n_jobs=1 on {mb:.0f} MB, {seg.engine} engine "
        f"(os.cpu_count()={os.cpu_count()}, load {os.getloadavg()[0]:.1f})"
    )
    docs = corpus_of(demo, mb)
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    # The control shows what two processes of this machine give for work with no
    # transport at all: the same loop once in one process and halved in two.
    # It runs between the cut_many runs, so load from other jobs hits both alike.
    spin_n = 0
    if ctx is not None:
        t = time.perf_counter()
        _spin(1_000_000)
        spin_n = int(1_000_000 * 0.5 / max(time.perf_counter() - t, 1e-3))  # ~1 s in one process
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    control: list[tuple[float, float]] = []
    # two forked processes cutting half the texts each and keeping their tokens, as
    # n_jobs=1 keeps all of them, but sending nothing to the caller: what cut_many
    # would reach if the worker's tokens cost nothing to bring back
    halves: list[float] = []

    def cut_range(lo: int, hi: int) -> None:
        kept = [seg.cut(d) for d in docs[lo:hi]]
        os._exit(0 if len(kept) == hi - lo else 1)  # no teardown of the kept tokens
    for _ in range(repeats):
        for n in (1, 2):
            gc.collect()  # the previous run's tokens are gone: every run starts from the same heap
            kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c0 = time.process_time()
            t = time.perf_counter()
            out = seg.cut_many(docs, n_jobs=n, progress=False)
            walls[n].append(time.perf_counter() - t)
            own = time.process_time() - c0
            kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            child = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
            cpu[n].append(max(own, child))  # on two idle cores the wall time is the busier process
            assert len(out) == len(docs)
            del out
        if ctx is not None:
            control.append(_control(ctx, spin_n))
            half = len(docs) // 2
            procs = [ctx.Process(target=cut_range, args=a) for a in ((0, half), (half, len(docs)))]
            t = time.perf_counter()
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            halves.append(time.perf_counter() - t)
    b1, b2 = min(walls[1]), min(walls[2])
    paired = [a / b for a, b in zip(walls[1], walls[2])]
    print(
        f"wall clock: n_jobs=1 {b1:.2f} s, n_jobs=2 {b2:.2f} s (best of {repeats}, interleaved); "
        f"speed-up {b1 / b2:.2f}x; paired runs: median {statistics.median(paired):.2f}x, "
        f"range {min(paired):.2f}-{max(paired):.2f}x"
    )
    print(
        f"CPU time of the busier process: n_jobs=1 {min(cpu[1]):.2f} s, n_jobs=2 {min(cpu[2]):.2f} s; "
        f"speed-up on two idle cores {min(cpu[1]) / min(cpu[2]):.2f}x"
    )
    if control:
        c1 = min(c[0] for c in control)
        c2 = min(c[1] for c in control)
        cp = [a / b for a, b in control]
        print(
            f"control, a pure-Python loop in one process vs halved over two (no data sent): "
            f"{c1 / c2:.2f}x best of {len(control)}; paired median {statistics.median(cp):.2f}x, "
            f"range {min(cp):.2f}-{max(cp):.2f}x (the machine's own two-process ceiling)"
        )
    if halves:
        hp = [a / b for a, b in zip(walls[1], halves)]
        print(
            f"control, two processes cutting and keeping half the texts each, nothing sent back: "
            f"{b1 / min(halves):.2f}x best of {len(halves)}; paired median {statistics.median(hp):.2f}x, "
            f"range {min(hp):.2f}-{max(hp):.2f}x (cut_many's paired median is "
            f"{statistics.median(paired) / statistics.median(hp):.0%} of it)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f} (other jobs share these cores)")


_PROBE = r"""
import gc, os, sys, time, psutil
import pandas  # imported anyway by civictools; keep it out of the delta
from civictools.text.segmenter import Segmenter
engine = sys.argv[1]
proc = psutil.Process()
gc.collect(); before = proc.memory_info().rss
t = time.perf_counter(); s = Segmenter(engine=engine); s.cut("社工站"); dt = time.perf_counter() - t
gc.collect(); after = proc.memory_info().rss
s2 = Segmenter(engine=engine); s2.cut("社工站")
gc.collect(); after2 = proc.memory_info().rss
print(f"{dt:.3f} {(after - before) / 2**20:.1f} {(after2 - after) / 2**20:.1f}")
"""


def startup_memory() -> None:
    section("6. warm start-up and memory per Segmenter (fresh process each; cache already built)")
    py = sys.executable
    for engine in ("rjieba", "jieba"):
        runs = []
        for _ in range(3):
            out = subprocess.run([py, "-c", _PROBE, engine], capture_output=True, text=True, check=True)
            runs.append(tuple(float(x) for x in out.stdout.split()))
        t = min(r[0] for r in runs[1:])
        m = sorted(r[1] for r in runs)[1]
        m2 = sorted(r[2] for r in runs)[1]
        print(
            f"engine={engine:6s}: start-up {t:.2f} s (warm, best of 2 after one warm-up); "
            f"RSS first Segmenter +{m:.0f} MiB (engine import included), each further one +{m2:.0f} MiB"
        )
    peer = (
        "import gc,time,psutil,jieba,logging;jieba.setLogLevel(logging.ERROR);p=psutil.Process();"
        "gc.collect();b=p.memory_info().rss;t=time.perf_counter();tk=jieba.Tokenizer();tk.initialize();"
        "d=time.perf_counter()-t;gc.collect();print(f'{d:.3f} {(p.memory_info().rss-b)/2**20:.1f}')"
    )
    out = subprocess.run([py, "-c", peer], capture_output=True, text=True, check=True).stdout.split()
    print(f"peer jieba.Tokenizer().initialize(): {float(out[0]):.2f} s; RSS +{float(out[1]):.0f} MiB")


def transport(demo: list[str], mb: float) -> None:
    import multiprocessing as mp
    import pickle

    from civictools.text import segmenter as segmod

    seg = Segmenter()
    section(f"7. cost of returning tokens from a worker, {mb:.0f} MB, {seg.engine} engine")
    docs = corpus_of(demo, mb)

    def clock(fn):
        t = time.perf_counter()
        out = fn()
        return time.perf_counter() - t, out

    half = len(docs) // 2

    def work(lo: int, hi: int) -> None:
        for d in docs[lo:hi]:
            seg.cut(d)

    def halves(make) -> None:
        """Cut the two halves of the texts at once, each in a ``make`` (Process or Thread)."""
        runs = [make(target=work, args=a) for a in ((0, half), (half, len(docs)))]
        for r in runs:
            r.start()
        for r in runs:
            r.join()

    if "fork" in mp.get_all_start_methods():  # first, while the heap is small
        ctx = mp.get_context("fork")
        t_one, _ = clock(lambda: work(0, len(docs)))

        t_two, _ = clock(lambda: halves(ctx.Process))
        print(f"two processes cutting halves, nothing sent back: {t_one:.2f} s -> {t_two:.2f} s, {t_one / t_two:.2f}x")

    import threading

    # threads would need no transport at all, if the engine let go of the GIL while cutting
    t_one, _ = clock(lambda: work(0, len(docs)))
    t_thr, _ = clock(lambda: halves(threading.Thread))
    print(f"two threads cutting halves in one process: {t_one:.2f} s -> {t_thr:.2f} s, {t_one / t_thr:.2f}x")

    t_cut, cut = clock(lambda: [seg.cut(d) for d in docs])
    n_tok = sum(map(len, cut))
    print(f"cut: {t_cut:.2f} s, {n_tok:,} tokens, {t_cut / n_tok * 1e9:.0f} ns per token")
    def measure(name: str, label: str, fresh, pack, unpack) -> None:
        """Time ``pack`` on fresh worker output and ``unpack`` on its result, check the
        round trip, print the per-token costs and the ceiling they allow."""
        made = fresh()
        t_pack, blob = clock(lambda: pack(made))
        del made
        t_unpack, back = clock(lambda: unpack(blob))
        assert back == cut
        print(f"{name}: {label}: worker {t_pack:.2f} s ({t_pack / n_tok * 1e9:.0f} ns/token), "
              f"caller {t_unpack:.2f} s ({t_unpack / n_tok * 1e9:.0f} ns/token)")
        ceiling(name, t_cut, t_pack, t_unpack)

    def fresh_cut():  # fresh strings, as a worker has them
        return [seg.cut(d) for d in docs]

    saved = segmod._PACKING
    try:
        for packing in ("joined", "codes"):
            segmod._PACKING = packing
            measure(packing, "packs + pickles / unpickles + unpacks", fresh_cut,
                    lambda toks: pickle.dumps(segmod._pack(toks, docs), protocol=5),
                    lambda blob: segmod._unpack(pickle.loads(blob), len(docs)))
    finally:
        segmod._PACKING = saved
    # two schemes not in the package, measured to show they do not lift the ceiling either
    measure("offsets", "sends word lengths / slices its own texts", lambda: [seg._cut_all(d) for d in docs],
            lambda raw: pickle.dumps(_pack_offsets(raw), protocol=5),
            lambda blob: _unpack_offsets(pickle.loads(blob), docs))
    measure("vocab", "keeps a vocabulary, sends codes and new words / indexes its copy", fresh_cut,
            lambda toks: [pickle.dumps(m, protocol=5)
                          for m in _pack_vocab([toks[i:i + 100] for i in range(0, len(toks), 100)])],
            lambda blobs: _unpack_vocab([pickle.loads(b) for b in blobs]))


def ceiling(name: str, cut: float, pack: float, unpack: float) -> None:
    """Best n_jobs=2 speed-up with perfect work sharing (the caller cuts a share f itself
    and unpacks the rest; the worker cuts and packs 1 - f): balance f*c + (1-f)*u =
    (1-f)*(c+p) gives (2c + p - u) / (c + p)."""
    c, p, u = cut, pack, unpack
    print(f"  -> ceiling with '{name}' transport: {(2 * c + p - u) / (c + p):.2f}x")


def _pack_offsets(raw: list[list[str]]):
    import numpy as np

    return [(np.fromiter(map(len, ws), dtype=np.int32, count=len(ws)),
             np.fromiter(map(str.isspace, ws), dtype=bool, count=len(ws))) for ws in raw]


def _unpack_offsets(packed, texts: list[str]) -> list[list[str]]:
    import numpy as np

    out = []
    for text, (lens, space) in zip(texts, packed):
        ends = np.cumsum(lens)
        keep = ~space
        starts, stops = (ends - lens)[keep].tolist(), ends[keep].tolist()
        out.append(list(map(text.__getitem__, map(slice, starts, stops))))
    return out


def _pack_vocab(chunks: list[list[list[str]]]):
    from itertools import chain, count

    import numpy as np

    vocab: dict[str, int] = {}
    nxt = 0
    for ch in chunks:
        flat = list(chain.from_iterable(ch))
        # one dict pass: setdefault returns the old code, or stores the next counter value
        codes = np.fromiter(map(vocab.setdefault, flat, count(nxt)), dtype=np.int64, count=len(flat))
        new = np.flatnonzero(codes >= nxt)
        yield ([flat[i] for i in new.tolist()], codes[new], codes,
               np.fromiter(map(len, ch), dtype=np.int64, count=len(ch)))
        nxt += len(flat)


def _unpack_vocab(msgs) -> list[list[str]]:
    import numpy as np

    total = sum(len(m[2]) for m in msgs)
    table = np.empty(total, dtype=object)  # code -> word (codes are counter values)
    out = []
    for new, new_codes, codes, lens in msgs:
        table[new_codes] = new
        words = table[codes]
        lo = 0
        for hi in np.cumsum(lens).tolist():
            out.append(words[lo:hi].tolist())
            lo = hi
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1 MB throughput and 4 MB parallel corpora")
    args = ap.parse_args()
    jieba.setLogLevel(logging.ERROR)
    demo = demo_texts()
    print(f"demo corpus: {len(demo)} documents, {sum(map(len, demo)):,} characters")
    accuracy()
    term_wholeness(demo)
    identity(demo)
    throughput(demo, 1.0 if args.quick else 3.0, 1 if args.quick else 3)
    parallel(demo, 4.0 if args.quick else 20.0, 1 if args.quick else 7)
    parallel(demo, 1.0 if args.quick else 2.0, 1 if args.quick else 2, engine="jieba")
    startup_memory()
    transport(demo, 2.0 if args.quick else 10.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
