"""Compare two codebooks on the same gold units: micro/macro F1 of each and a paired
bootstrap interval of the micro-F1 difference (units resampled together for both).

Usage: python compare_codebooks.py OLD NEW [--batch 3] [--split dev|test] [--boot 4000]

OLD and NEW are codebook names or YAML paths (an earlier version: ``git show
<commit>:src/civictools/data/codebooks/default.yml > old.yml``). Seeded (seed 0).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import civictools as ct
from civictools.coding.validate import _resample_counts, codes_to_matrix


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--split", choices=["dev", "test"])
    ap.add_argument("--boot", type=int, default=4000)
    a = ap.parse_args()
    g = ct.load_demo_gold()
    if a.batch is not None:
        g = g[g["batch"] == a.batch]
    if a.split is not None:
        g = g[g["split"] == a.split]
    g = g.reset_index(drop=True)
    ids = ct.load_codebook("default").theme_ids
    T = codes_to_matrix(pd.Series(list(g["gold"])), ids).to_numpy()
    row = {u: i for i, u in enumerate(g["unit_id"].astype(str))}
    col = {t: j for j, t in enumerate(ids)}
    n = len(T)

    def micro(P: np.ndarray) -> np.ndarray:
        # seed 0 for both codebooks: the same resamples of units, so the difference is paired
        tp, fp, fn = (x.sum(axis=1) for x in _resample_counts(P, T, a.boot, seed=0))
        return 2 * tp / (2 * tp + fp + fn)

    boots = []
    for name in (a.old, a.new):
        coder = ct.ThemeCoder(ct.load_codebook(name))
        r = ct.evaluate_coding(coder, g, n_boot=0)
        print(f"{name}: {n} units, micro-F1 {r.micro_f1:.3f}, macro-F1 {r.macro_f1:.3f}")
        # the predictions are the gold with the listed errors flipped: no second coding pass
        P = T.copy()
        for uid, theme, err in zip(r.errors["unit_id"], r.errors["theme"], r.errors["error"]):
            P[row[uid], col[theme]] = int(err == "FP")
        boots.append(micro(P))
    d = boots[1] - boots[0]
    lo, hi = np.quantile(d, [0.025, 0.975])
    print(f"micro-F1 difference (new - old): median {np.median(d):+.4f}, 95 % paired bootstrap CI "
          f"[{lo:+.4f}, {hi:+.4f}] ({a.boot} resamples of units)")


if __name__ == "__main__":
    main()
