"""``scipy.stats`` loaded on first use: it costs about 0.6 s, and ``import civictools`` should not pay it."""

from __future__ import annotations

from typing import Any


class _LazyStats:
    def __getattr__(self, name: str) -> Any:
        from scipy import stats as _stats

        return getattr(_stats, name)


stats = _LazyStats()
