"""Benchmark: theme coding vs segmentation, and Aho–Corasick vs per-theme regex.

Run:  .venv/bin/python benchmarks/bench_coding.py [--mb 1.0] [--repeat 5]

Prints, on the same text (the demo corpus repeated to about --mb megabytes of UTF-8):
1. segmentation alone (civictools.Segmenter.tokenize and .cut, rjieba and jieba engines);
2. the matcher alone (substring mode: Aho–Corasick pass plus rules, no tokens);
3. coding in token mode (matcher plus the segmentation it needs, as ThemeCoder runs it:
   boundaries from ``Segmenter.cut``), the same with boundaries from ``tokenize`` (the
   pre-1.1 path), and the full ``ThemeCoder.code`` pipeline (units, minutes headers, tables);
4. raw multi-pattern matching of all literal terms: ahocorasick_rs vs pyahocorasick vs one
   regex per theme;
5. the batch pipeline (``ThemeCoder.code``, all units in one pass, coding/_batch.py) against
   segmenting the same units with ``cut``, one call per unit (the issue's yardstick) and in one
   call on the units joined by a separator (the fastest way to segment them, and how
   ``code`` segments them with rjieba), with the rjieba and the jieba engine, and the
   unit-by-unit path (``coder._batch = False``) beside it.
Times are the minimum over --repeat runs (the machine is shared; trust ratios, not seconds).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pandas as pd

from civictools.coding import ThemeCoder, load_codebook
from civictools.coding._batch import scan_many
from civictools.coding._matcher import CompiledCodebook, boundary_function
from civictools.text import Segmenter, paragraph_spans

DEMO = Path(__file__).resolve().parents[1] / "src" / "civictools" / "data" / "demo"


def _corpus(mb: float) -> pd.DataFrame:
    from civictools.corpus import read_text

    rows = []
    for kind in ("news", "minutes", "policy"):
        for f in sorted((DEMO / kind).iterdir()):
            if f.suffix.lower() in (".txt", ".html", ".htm", ".docx", ".md"):
                rows.append({"doc_id": f"{kind}/{f.name}", "kind": kind, "text": read_text(f)})
    base = pd.DataFrame(rows)
    size = base["text"].str.encode("utf-8").str.len().sum()
    reps = max(1, round(mb * 1e6 / size))
    out = pd.concat([base.assign(doc_id=base["doc_id"] + f"#{i}") for i in range(reps)], ignore_index=True)
    return out


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    docs = _corpus(args.mb)
    paras = [t[s:e] for t in docs["text"] for s, e in paragraph_spans(t)]
    nbytes = sum(len(p.encode("utf-8")) for p in paras)
    mb = nbytes / 1e6
    cb = load_codebook("default")
    print(f"text: {len(docs)} documents, {len(paras)} paragraphs, {mb:.2f} MB UTF-8; codebook default "
          f"({sum(len(t.terms) for t in cb.themes.values())} terms, 22 themes)\n")

    # Interleave the runs so that load from other processes hits every variant alike.
    segs = {e: Segmenter(engine=e) for e in ("rjieba", "jieba")}
    for seg in segs.values():
        seg.tokenize("预热")
    tok_c = CompiledCodebook(cb, "token")
    bfun = {e: boundary_function(seg) for e, seg in segs.items()}
    sub = CompiledCodebook(cb, "substring")
    coder = ThemeCoder(cb, segmenter=segs["rjieba"])
    coders = {e: ThemeCoder(cb, segmenter=seg) for e, seg in segs.items()}
    # warm-up: parses the minutes once (cached per coder) and gives the units code() codes
    units = coder.code(docs, unit="paragraph", progress=False).units["text"].tolist()
    for c in coders.values():
        c.code(docs, unit="paragraph", progress=False)
    best: dict[str, float] = {}

    def code_with(c, batch: bool):
        c._batch = batch
        try:
            return c.code(docs, unit="paragraph", progress=False)
        finally:
            c._batch = True

    def timed(name, fn):
        t0 = time.perf_counter()
        fn()
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)

    for r in range(args.repeat):
        timed("seg_rjieba", lambda: [segs["rjieba"].tokenize(p) for p in paras])
        timed("cut_rjieba", lambda: [segs["rjieba"].cut(p) for p in paras])
        timed("match", lambda: [sub.scan(p) for p in paras])
        timed("match_batch", lambda: scan_many(sub, paras))
        timed("cutu_rjieba", lambda: [segs["rjieba"].cut(u) for u in units])
        timed("cutj_rjieba", lambda: segs["rjieba"].cut("\x00".join(units)))
        timed("segu_rjieba", lambda: [segs["rjieba"].tokenize(u) for u in units])
        timed("codeb_rjieba", lambda: code_with(coders["rjieba"], True))
        timed("scanb_rjieba", lambda: scan_many(tok_c, units, None, segs["rjieba"], bfun["rjieba"]))
        timed("codeu_rjieba", lambda: code_with(coders["rjieba"], False))
        timed("tok_rjieba", lambda: [tok_c.scan(p, bounds=bfun["rjieba"]) for p in paras])
        timed("tokold_rjieba", lambda: [tok_c.scan(p, segs["rjieba"].tokenize) for p in paras])
        if r < max(1, args.repeat // 2):
            timed("seg_jieba", lambda: [segs["jieba"].tokenize(p) for p in paras])
            timed("tok_jieba", lambda: [tok_c.scan(p, bounds=bfun["jieba"]) for p in paras])
            timed("code", lambda: coder.code(docs, unit="paragraph", progress=False))
            timed("cutu_jieba", lambda: [segs["jieba"].cut(u) for u in units])
            timed("cutj_jieba", lambda: segs["jieba"].cut("\x00".join(units)))
            timed("codeb_jieba", lambda: code_with(coders["jieba"], True))
            timed("scanb_jieba", lambda: scan_many(tok_c, units, None, segs["jieba"], bfun["jieba"]))
            timed("codeu_jieba", lambda: code_with(coders["jieba"], False))
    results = {"rjieba": (best["seg_rjieba"], best["tok_rjieba"]), "jieba": (best["seg_jieba"], best["tok_jieba"])}
    t_match, t_code = best["match"], best["code"]

    t_seg, t_tok = results["rjieba"]
    j_seg, j_tok = results["jieba"]
    print("1-3. coding vs segmentation (same paragraphs)")
    print(f"  segmentation, rjieba engine        {t_seg:7.3f} s  {mb / t_seg:6.2f} MB/s")
    print(f"  matcher alone (substring mode)     {t_match:7.3f} s  {mb / t_match:6.2f} MB/s"
          f"  = {t_match / t_seg:5.1%} of rjieba segmentation")
    t_cut, t_old = best["cut_rjieba"], best["tokold_rjieba"]
    print(f"  segmentation, rjieba, cut (words)  {t_cut:7.3f} s  {mb / t_cut:6.2f} MB/s")
    print(f"  token-mode coding (rjieba)         {t_tok:7.3f} s  adds {(t_tok - t_seg) / t_seg:6.1%} to segmentation"
          f" (tokenize); {(t_tok - t_cut) / t_cut:6.1%} to cut")
    print(f"  same, boundaries from tokenize     {t_old:7.3f} s  adds {(t_old - t_seg) / t_seg:6.1%} to segmentation")
    print(f"  segmentation, jieba engine         {j_seg:7.3f} s  {mb / j_seg:6.2f} MB/s")
    print(f"  token-mode coding (jieba)          {j_tok:7.3f} s  adds {(j_tok - j_seg) / j_seg:6.1%} to segmentation")
    print(f"  ThemeCoder.code(unit='paragraph')  {t_code:7.3f} s  {mb / t_code:6.2f} MB/s (whole pipeline, rjieba)")

    print(f"\n5. batch pipeline: ThemeCoder.code(unit='paragraph') on the {len(units)} units it codes "
          "(minutes headers left out), minutes already parsed")
    t_mb = best["match_batch"]
    print(f"  matcher alone, substring mode: unit by unit {t_match:7.3f} s, batch {t_mb:7.3f} s "
          f"({t_match / t_mb:4.1f}x); batch = {t_mb / t_seg:5.1%} of rjieba segmentation (tokenize)")
    for e in ("rjieba", "jieba"):
        cut_u, code_b, code_u = best[f"cutu_{e}"], best[f"codeb_{e}"], best[f"codeu_{e}"]
        print(f"  {e:6s}: segmenting the units with cut {cut_u:7.3f} s; code() batch {code_b:7.3f} s, "
              f"unit by unit {code_u:7.3f} s ({code_u / code_b:4.2f}x)")
        cut_j = best[f"cutj_{e}"]
        print(f"          segmenting them in one cut of the joined units {cut_j:7.3f} s")
        line = (f"          coding adds (code() batch - cut) / cut = {(code_b - cut_u) / cut_u:6.1%}"
                f"  [unit by unit: {(code_u - cut_u) / cut_u:6.1%}]; to the joined cut "
                f"{(code_b - cut_j) / cut_j:6.1%}")
        if e == "rjieba":
            tok_u = best["segu_rjieba"]
            line += f"; / tokenize ({tok_u:.3f} s) = {(code_b - cut_u) / tok_u:6.1%}"
        print(line)
        scan_b = best[f"scanb_{e}"]
        print(f"          matching alone (scan_many on the units, token mode, its segmentation included) "
              f"{scan_b:7.3f} s: adds {(scan_b - cut_u) / cut_u:6.1%} to cut")

    # 4. raw multi-pattern matching: one automaton vs one alternation regex per theme
    import ahocorasick

    terms = {t.id: sorted({x.pattern for x in t.terms if x.kind == "term"}, key=len, reverse=True)
             for t in cb.themes.values()}
    auto = ahocorasick.Automaton()
    for tid, words in terms.items():
        for w in words:
            auto.add_word(w, (tid, w)) if w not in auto else None
    auto.make_automaton()
    regexes = [re.compile("|".join(map(re.escape, words))) for words in terms.values()]
    text = "\n".join(paras)
    try:
        import ahocorasick_rs

        rs = ahocorasick_rs.AhoCorasick(sorted({w for ws in terms.values() for w in ws}))
    except ImportError:
        rs = None

    def run_ac():
        return sum(1 for _ in auto.iter(text))

    def run_rs():
        return len(rs.find_matches_as_indexes(text, overlapping=True))

    def run_re():
        return sum(1 for rx in regexes for _ in rx.finditer(text))

    t_ac = _best(run_ac, args.repeat)
    t_re = _best(run_re, args.repeat)
    print("\n4. raw multi-pattern matching of all literal terms (one pass over the text)")
    if rs is not None:
        t_rs = _best(run_rs, args.repeat)
        print(f"  ahocorasick_rs (overlapping matches)  {t_rs:7.3f} s  {mb / t_rs:6.1f} MB/s  {run_rs()} matches")
    print(f"  pyahocorasick (overlapping matches)   {t_ac:7.3f} s  {mb / t_ac:6.1f} MB/s  {run_ac()} matches")
    print(f"  per-theme regex (22 alternations)     {t_re:7.3f} s  {mb / t_re:6.1f} MB/s  {run_re()} matches"
          f" (non-overlapping within a theme)")
    if rs is not None:
        print(f"  ratio pyahocorasick / ahocorasick_rs time: {t_ac / t_rs:.2f}")
    print(f"  ratio regex / Aho–Corasick time: {t_re / t_ac:.2f}")


if __name__ == "__main__":
    main()
