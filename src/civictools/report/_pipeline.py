"""Shared steps of the report notebooks, cached on disk by content hash.

Every section notebook starts from the same configuration; loading the
corpus or coding it is done once per build and reused by later sections.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import warnings
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from civictools.report.config import hash_inputs


class ReportContext:
    """Configuration plus cached intermediate results of one report build."""

    def __init__(self, config_json: str | None, cache_dir: str | None) -> None:
        if config_json:
            self.cfg: dict[str, Any] = json.loads(Path(config_json).read_text("utf-8"))
        else:
            from civictools.report.config import load_report_config

            self.cfg = load_report_config(None)
        self.cache = Path(cache_dir) if cache_dir else None
        if self.cache:
            self.cache.mkdir(parents=True, exist_ok=True)
        self.hashes = hash_inputs(self.cfg)
        self.notes: list[dict[str, str]] = []

    def _cached(self, name: str, deps: tuple[str, ...], make: Callable[[], Any]) -> Any:
        if self.cache is None:
            return self._recording(name, make)
        key = hashlib.sha256(
            json.dumps([name, {d: self.hashes.get(d) for d in deps}, self.cfg.get("codebook"),
                        self.cfg.get("unit")], sort_keys=True, default=str).encode()
        ).hexdigest()[:20]
        path = self.cache / f"{name}-{key}.pkl"
        if path.exists():
            with open(path, "rb") as fh:
                value, notes = pickle.load(fh)
            self.notes += notes
            return value
        before = len(self.notes)
        value = self._recording(name, make)
        with open(path, "wb") as fh:
            pickle.dump((value, self.notes[before:]), fh)
        return value

    def _recording(self, name: str, make: Callable[[], Any]) -> Any:
        # Warnings become a table in the report instead of kernel stderr,
        # whose text carries install paths and would differ between machines.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = make()
        for w in caught:
            self.notes.append({"step": name, "warning": type(w.message).__name__, "message": str(w.message)})
        return value

    def corpus(self) -> pd.DataFrame:
        from civictools.corpus import load_corpus

        c = self.cfg["corpus"]
        return self._cached(
            "corpus", ("corpus",),
            lambda: load_corpus(c["path"], metadata=c.get("metadata"), progress=False),
        )

    def coded(self, *, dated_only: bool = False):
        """The corpus coded with the configured codebook and unit (cached).

        ``dated_only=True`` leaves out documents without a date (time trends
        and panels need one) and records how many in the build notes.
        """
        from civictools.coding import ThemeCoder

        docs = self.corpus()
        undated = int(pd.to_datetime(docs["date"], errors="coerce").isna().sum()) if "date" in docs else len(docs)
        name = "coded"
        if dated_only and undated:
            docs = docs[pd.to_datetime(docs["date"], errors="coerce").notna()]
            name = "coded-dated"
            self.notes.append({
                "step": "themes over time", "warning": "DataDroppedWarning",
                "message": f"{undated} documents have no date and are left out of time trends and panels",
            })
        return self._cached(
            name, ("corpus", "codebook"),
            lambda: ThemeCoder(self.cfg["codebook"]).code(docs, unit=self.cfg["unit"], progress=False),
        )

    def panel_data(self) -> tuple[pd.DataFrame, str, str]:
        """The outcome table with its unit and time columns."""
        if self.cfg["panel"] == "demo":
            from civictools.datasets import load_demo_panel

            return load_demo_panel(), "community_id", "month"
        p = self.cfg["panel"]
        from civictools.corpus.read import _read_csv

        return _read_csv(p["outcomes"]), p["unit"], p["time"]

    def notes_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.notes, columns=["step", "warning", "message"]).drop_duplicates()
