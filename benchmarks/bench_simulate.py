"""Time simulate_rollout on a 1,000,000-row panel (issue 4 asks for < 5 s).

Run: .venv/bin/python benchmarks/bench_simulate.py
"""

from __future__ import annotations

import time

import civictools as ct


def main() -> None:
    runs = []
    for seed in range(3):
        t0 = time.perf_counter()
        sim = ct.simulate_rollout(n_units=10_000, n_periods=100, cohorts=(20, 40, 60, 80), seed=seed)
        runs.append(time.perf_counter() - t0)
    print(f"simulate_rollout: {len(sim.data):,} rows; best of 3: {min(runs):.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
