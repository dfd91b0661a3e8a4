"""Turning the many ways people write time into comparable periods."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from civictools.errors import PanelError

_ZH_DATE = re.compile(r"^\s*(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*(?:[月/\-.]\s*(?:(\d{1,2})\s*日?)?)?\s*$")


def _parse_one(value: object) -> pd.Timestamp | None:
    if isinstance(value, str):
        m = _ZH_DATE.match(value)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
            try:
                return pd.Timestamp(year=y, month=mo, day=d)
            except ValueError:
                return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts


def is_integer_time(s: pd.Series) -> bool:
    """True when time is given as integers (years or already-numbered periods)."""
    return pd.api.types.is_integer_dtype(s) or (
        pd.api.types.is_float_dtype(s) and np.all(np.mod(s.dropna(), 1) == 0)
    )


def to_period(s: pd.Series, freq: str, *, column: str) -> pd.Series:
    """Convert strings, dates or periods to ``Period[freq]``; errors name the row.

    Missing values stay missing. Strings may be ISO (``2022-04``), slashed
    (``2022/4/15``) or Chinese (``2022年4月``).
    """
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.dt.asfreq(freq)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.to_period(freq)
    out = []
    for idx, v in s.items():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(pd.NaT)
            continue
        if isinstance(v, pd.Period):
            out.append(v.asfreq(freq))
            continue
        ts = _parse_one(v)
        if ts is None:
            raise PanelError(
                f"column {column!r}, row {idx!r}: cannot read {v!r} as a date or period; "
                "write it as 2022-04, 2022-04-15, 2022/4 or 2022年4月"
            )
        out.append(ts.to_period(freq))
    return pd.Series(pd.PeriodIndex(out, freq=freq), index=s.index, name=s.name)
