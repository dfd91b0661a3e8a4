"""Held-out learning curve of the default codebook: committed versions of ``default.yml``
scored on the gold test units (never tuned on) and on each batch's dev units.

Usage (from the repository root, in a git clone with its history):
    python corpora/gold/coding/learning_curve.py [--points 0,5,20,116,199]

``--points`` are indices into the list of commits that changed ``default.yml``, oldest first
(0 is the first codebook, written from ../shared/design/themes.md before any gold existed). The
default points end each tuning phase: before any gold (0, 5), after tuning on batch-1 dev units
(20), after batches 1–2 (116, the last version before batch 3 was coded) and now (the last).

Versions that fail today's validation (two rules came later) are loaded leniently: context cues longer than
their window (they could never fire) are dropped, which keeps the old behaviour, and regexes
are compiled without the later backtracking check. Scoring old versions on the test split
decides nothing: no version was chosen by it.
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import warnings

import pandas as pd
import yaml

import civictools as ct
import civictools.coding._matcher as _matcher
import civictools.coding.codebook as _codebook

PATH = "src/civictools/data/codebooks/default.yml"
# the commits that added gold batches 2 and 3 (gold.csv)
GOLD_BATCHES = {"5a7ffa4": 2, "86c07bd": 3}


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True)


def _drop_dead_cues(node) -> None:
    if isinstance(node, dict):
        if ("left" in node or "right" in node) and not any(k in node for k in ("pattern", "regex", "between")):
            window = int(node.get("window", 4))
            for side in ("left", "right"):
                if side in node:
                    cues = node[side] if isinstance(node[side], list) else [node[side]]
                    cues = [c for c in cues if len(c) <= window]
                    if cues:
                        node[side] = cues
                    else:
                        del node[side]
        for k, v in node.items():
            if k != "between":  # a between trap's left/right are literals, not context cues
                _drop_dead_cues(v)
    elif isinstance(node, list):
        # a context rule left with no cue at all was dead: drop it
        node[:] = [x for x in node if not (isinstance(x, dict) and "window" in x
                                             and not any(k in x for k in ("left", "right", "pattern", "regex",
                                                                          "between")))]
        for v in node:
            _drop_dead_cues(v)


def _coder(commit: str) -> ct.ThemeCoder:
    data = yaml.safe_load(_git("show", f"{commit}:{PATH}").stdout)
    try:
        return ct.ThemeCoder(ct.load_codebook(copy.deepcopy(data)))
    except (ct.CivictoolsError, ValueError):
        pass
    _drop_dead_cues(data)
    lenient = lambda pattern: re.compile(pattern)  # noqa: E731
    saved = _codebook.check_regex, _matcher.check_regex
    _codebook.check_regex = _matcher.check_regex = lenient
    try:
        return ct.ThemeCoder(ct.load_codebook(data))
    finally:
        _codebook.check_regex, _matcher.check_regex = saved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", default="0,5,20,116,-1")
    a = ap.parse_args()
    commits = _git("log", "--reverse", "--format=%h", "--", PATH).stdout.split()
    if not commits:
        raise SystemExit("no history of default.yml: run this in a git clone with its history")
    g = ct.load_demo_gold()
    sets = {"test 1-3": g["split"] == "test"}
    for b in (1, 2, 3):
        sets[f"dev b{b}"] = (g["split"] == "dev") & (g["batch"] == b)
    rows = []
    for p in [int(x) for x in a.points.split(",")]:
        c = commits[p]
        seen = max([1] + [b for gc, b in GOLD_BATCHES.items()
                          if _git("merge-base", "--is-ancestor", gc, c).returncode == 0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coder = _coder(c)
            row = {"point": p % len(commits), "commit": c, "gold batches coded": seen}
            for name, sel in sets.items():
                r = ct.evaluate_coding(coder, g[sel].reset_index(drop=True), n_boot=0)
                row[name] = f"{r.micro_f1:.3f} / {r.macro_f1:.3f}"
        rows.append(row)
        print(row, flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
