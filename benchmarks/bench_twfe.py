"""Benchmark: civictools.twfe vs pyfixest.feols on a 1,000,000-row panel.

    python benchmarks/bench_twfe.py [--units 10000] [--periods 100] [--repeat 3] [--rounds 2]

``y ~ treat + x1 + x2 | unit + time``, CR1 clustered by unit, on a balanced
panel and on the same panel with 10 % of rows removed at random (unbalanced:
the demeaning then iterates). Each estimator runs in its own subprocess that
loads the data from a Parquet file, so peak resident memory is
per estimator (``VmHWM``, the process's own high-water mark); the table reports
the peak and the increase over the process's memory after loading the data. Times: ``first`` is the first call in a fresh
process (for pyfixest this includes numba compilation unless cached), ``best``
the fastest of the following calls. Coefficients and standard errors of both
are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

WORKER = r"""
import json, resource, sys, time, warnings
import numpy as np, pandas as pd, psutil
warnings.simplefilter("ignore")
which, path, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_parquet(path)
if which == "civictools":
    from civictools.evaluate import twfe
    def run():
        r = twfe(df, "y", "unit", "time", "treat", covariates=["x1", "x2"], cluster="unit")
        t = r.tidy().set_index("term")
        return t["estimate"].to_dict(), t["std_error"].to_dict()
else:
    import pyfixest as pf
    def run():
        f = pf.feols("y ~ treat + x1 + x2 | unit + time", data=df, vcov={"CRV1": "unit"})
        return f.coef().to_dict(), f.se().to_dict()
base = psutil.Process().memory_info().rss
t0 = time.perf_counter(); coef, se = run(); first = time.perf_counter() - t0
times = []
for _ in range(repeat):
    t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
def hwm():
    # VmHWM is this process image's own high-water mark; ru_maxrss would also count
    # the parent's memory at fork time (Linux keeps it across execve).
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peak = hwm()
print(json.dumps({"first": first, "best": min(times) if times else first, "peak": peak, "base": base,
                  "coef": coef, "se": se}))
"""


def simulate(n_units: int, n_periods: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_units * n_periods
    unit = np.repeat(np.arange(n_units), n_periods)
    tt = np.tile(np.arange(n_periods), n_units)
    first = rng.choice(np.r_[np.arange(n_periods // 4, n_periods), np.full(n_periods // 2, 10**6)], n_units)
    treat = (tt >= first[unit]).astype(np.int64)
    x1 = rng.normal(size=n) + 0.01 * tt
    x2 = rng.normal(size=n) + 0.5 * rng.normal(size=n_units)[unit]
    y = (rng.normal(size=n_units)[unit] + rng.normal(size=n_periods)[tt] + 0.5 * treat + 0.3 * x1
         - 0.2 * x2 + rng.normal(size=n))
    return pd.DataFrame({"unit": unit, "time": tt, "treat": treat, "x1": x1, "x2": x2, "y": y})


def run_worker(which: str, path: str, repeat: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", WORKER, which, path, str(repeat)], capture_output=True,
                         text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{which} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--periods", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per estimator (min is reported)")
    args = ap.parse_args(argv)
    df = simulate(args.units, args.periods)
    mib = 1024**2
    with tempfile.TemporaryDirectory() as tmp:
        designs = {"balanced": df, "unbalanced (10% rows dropped)": df.sample(frac=0.9, random_state=1).sort_index()}
        print(f"TWFE y ~ treat + x1 + x2 | unit + time, CR1 by unit; {args.units} units x {args.periods} periods")
        for name, data in designs.items():
            path = str(Path(tmp) / "panel.parquet")
            data.to_parquet(path)
            # alternate the estimators over rounds: the machine is shared, so load drifts
            runs = {"civictools": [], "pyfixest": []}
            for _ in range(args.rounds):
                for w in runs:
                    runs[w].append(run_worker(w, path, args.repeat))
            res = {}
            for w, rs in runs.items():
                res[w] = dict(rs[0], first=min(r["first"] for r in rs), best=min(r["best"] for r in rs),
                              peak=min(r["peak"] for r in rs), base=min(r["base"] for r in rs))
            c, p = res["civictools"], res["pyfixest"]
            print(f"\n[{name}] rows = {len(data):,}")
            print(f"{'':12s} {'first s':>9s} {'best s':>8s} {'peak MiB':>9s} {'+data MiB':>10s}")
            for w, r in res.items():
                print(f"{w:12s} {r['first']:9.3f} {r['best']:8.3f} {r['peak'] / mib:9.0f} {(r['peak'] - r['base']) / mib:10.0f}")
            print(f"ratio civictools/pyfixest: first {c['first'] / p['first']:.2f}x, best {c['best'] / p['best']:.2f}x, "
                  f"peak memory {c['peak'] / p['peak']:.2f}x, memory over data {(c['peak'] - c['base']) / (p['peak'] - p['base']):.2f}x")
            dcoef = max(abs(c["coef"][k] - p["coef"][k]) for k in p["coef"])
            dse = max(abs(c["se"][k] / p["se"][k] - 1) for k in p["se"])
            print(f"max |coef diff| = {dcoef:.2e}; max relative SE diff = {dse:.2e}")
            demean_only(data, args.repeat)
    return 0


def demean_only(data: pd.DataFrame, repeat: int) -> None:
    """Demeaning alone (4 columns, warm): numpy bincount sweeps vs pyfixest's numba kernel."""
    from civictools.evaluate._fe import demean, factorize_fe

    fe = factorize_fe(data, ["unit", "time"])
    x = data[["y", "treat", "x1", "x2"]].to_numpy(dtype=float)
    w = np.ones(len(x))
    try:
        from pyfixest.estimation.numba.demean_nb import demean as pf_demean
    except ImportError:  # pragma: no cover
        return
    pf_demean(x[:1000], fe[:1000], w[:1000], 1e-8, 100_000)  # compile
    t_ct, t_pf = [], []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        a = demean(x, fe)
        t_ct.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b, _ = pf_demean(x, fe, w, 1e-8, 100_000)
        t_pf.append(time.perf_counter() - t0)
    print(f"demeaning only (4 columns, warm): civictools {min(t_ct):.3f} s (tol 1e-12), "
          f"pyfixest numba {min(t_pf):.3f} s (tol 1e-8); ratio {min(t_ct) / min(t_pf):.2f}x; "
          f"max |diff| {np.abs(a - b).max():.1e}")


if __name__ == "__main__":
    sys.exit(main())
