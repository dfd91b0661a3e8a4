"""Build and validate a unit × period panel for programme evaluation.

The panel follows R's ``did`` conventions: an integer ``period`` and a
``first_treat`` on the same scale, with 0 for never-treated units.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from civictools.errors import DataDroppedWarning, PanelError
from civictools.panel._time import is_integer_time, to_period

__all__ = ["build_panel", "Panel"]

_RESERVED = ("period", "first_treat", "rel_time", "treated")


@dataclass(frozen=True)
class Panel:
    """A validated panel, with a record of everything dropped or repaired.

    Attributes
    ----------
    data : DataFrame
        One row per unit and period with ``unit`` and ``time`` columns as
        given, plus ``period`` (int), ``first_treat`` (int, 0 = never),
        ``rel_time`` (period - first_treat; NaN for never-treated) and
        ``treated`` (0/1), then the outcomes and other columns.
    unit, time : str
        Names of the unit and time columns.
    outcomes : tuple of str
        Outcome columns (numeric).
    dropped : DataFrame
        ``reason, n_rows, n_units, detail``: every row removed and why.
    gaps : DataFrame
        ``unit, n_missing_periods`` for units with holes in their series.
    notes : tuple of str
        Assumptions made while building (e.g. units without a start date
        taken as never treated).
    """

    data: pd.DataFrame
    unit: str
    time: str
    outcomes: tuple[str, ...]
    dropped: pd.DataFrame
    gaps: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)
    period_labels: Mapping[int, Any] = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Number of unit-period rows."""
        return len(self.data)

    @property
    def n_dropped(self) -> int:
        """Number of input rows dropped."""
        return int(self.dropped["n_rows"].sum()) if len(self.dropped) else 0

    @property
    def balanced(self) -> bool:
        """True when every unit is observed in every period."""
        return bool(self.data.groupby(self.unit)["period"].size().nunique() == 1 and len(self.gaps) == 0)

    def cohorts(self) -> pd.DataFrame:
        """Number of units per first-treatment period (0 = never treated)."""
        c = self.data.drop_duplicates(self.unit).groupby("first_treat").size().rename("n_units")
        out = c.reset_index()
        out["label"] = [
            "never" if g == 0 else str(self.period_labels.get(int(g), g)) for g in out["first_treat"]
        ]
        return out

    def tidy(self) -> pd.DataFrame:
        """The panel rows (a copy)."""
        return self.data.copy()

    def summary(self) -> str:
        """A short plain-text description of the panel and what was dropped."""
        n_units = self.data[self.unit].nunique()
        n_periods = self.data["period"].nunique()
        lines = [
            f"Panel: {n_units} units x {n_periods} periods, {self.nobs} rows "
            f"({'balanced' if self.balanced else 'unbalanced'})",
            f"Outcomes: {', '.join(self.outcomes) if self.outcomes else '(none)'}",
            "Cohorts (first_treat: units): "
            + ", ".join(f"{r.label}: {r.n_units}" for r in self.cohorts().itertuples()),
        ]
        if len(self.dropped):
            lines.append(f"Dropped {self.n_dropped} rows:")
            lines += [f"  - {r.reason}: {r.n_rows} rows, {r.n_units} units ({r.detail})" for r in self.dropped.itertuples()]
        if len(self.gaps):
            lines.append(f"Gaps: {len(self.gaps)} units miss {int(self.gaps['n_missing_periods'].sum())} periods")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(x) for x in self.summary().splitlines())
        return f"<div><p>{body}</p>{self.data.head(10).to_html(index=False)}</div>"


def _starts_from_mapping(starts: Any, unit: str, start_col: str | None) -> pd.Series:
    if isinstance(starts, pd.DataFrame):
        col = start_col or next((c for c in ("programme_start", "start", "first_treat") if c in starts.columns), None)
        if unit not in starts.columns or col is None:
            raise PanelError(
                f"starts table needs the unit column {unit!r} and a start column "
                f"(pass start_col=...); it has {list(starts.columns)}"
            )
        dup = starts[unit].duplicated()
        if dup.any():
            raise PanelError(f"starts table lists unit {starts.loc[dup, unit].iloc[0]!r} more than once; keep one start per unit")
        return pd.Series(starts[col].to_numpy(), index=starts[unit].to_numpy())
    if isinstance(starts, pd.Series):
        return starts
    if isinstance(starts, Mapping):
        return pd.Series(dict(starts), dtype=object)
    raise PanelError("starts must be a DataFrame, a Series or a dict mapping unit -> start date")


def _never(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() in ("", "0", "never", "NA", "nan")
    if isinstance(v, (int, np.integer)) and int(v) == 0:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def build_panel(
    outcomes: pd.DataFrame,
    *,
    unit: str,
    time: str,
    starts: Any = None,
    start_col: str | None = None,
    treat: str | None = None,
    outcome_cols: Sequence[str] | None = None,
    freq: str = "M",
    text_measures: pd.DataFrame | None = None,
    duplicates: str = "error",
    on_switch_off: str = "error",
    drop_always_treated: bool = True,
    coerce_numeric: bool = False,
) -> Panel:
    """Build a validated unit × period panel from outcomes and programme starts.

    Parameters
    ----------
    outcomes : DataFrame
        Long table with one row per unit and time.
    unit, time : str
        Column names. ``time`` may hold integers (years or numbered periods),
        dates, strings (``2022-04``, ``2022年4月``) or pandas Periods.
    starts : DataFrame, Series or dict, optional
        Programme start per unit (same kind of time as ``time``); missing, 0
        or ``"never"`` means never treated (R ``did`` convention). Units that
        are absent from ``starts`` are taken as never treated (a note says how many).
    start_col : str, optional
        Start column when ``starts`` is a DataFrame.
    treat : str, optional
        Instead of ``starts``: a 0/1 column of ``outcomes`` marking treated rows.
    outcome_cols : sequence of str, optional
        Outcome columns; by default every numeric column except keys.
    freq : str
        Period frequency for date-like time (``"M"``, ``"Q"``, ``"Y"``).
    text_measures : DataFrame, optional
        Text-derived measures with the same ``unit`` and ``time`` columns
        (e.g. ``CodedCorpus.to_panel``); merged on unit and period, left join.
    duplicates : {"error", "mean", "sum", "first"}
        What to do with repeated (unit, time) keys.
    on_switch_off : {"error", "drop"}
        What to do with units whose ``treat`` goes from 1 back to 0.
    drop_always_treated : bool
        Drop units treated in their first observed period (no pre-period), as R's ``did`` does.
    coerce_numeric : bool
        Turn unreadable outcome values into missing (counted) instead of raising.

    Returns
    -------
    Panel

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"c": ["A"] * 3 + ["B"] * 3,
    ...                    "month": ["2022-01", "2022-02", "2022-03"] * 2,
    ...                    "y": [1.0, 2.0, 3.0, 1.5, 1.5, 1.5]})
    >>> p = build_panel(df, unit="c", time="month", starts={"A": "2022-02"})
    >>> print(p.data[["c", "period", "first_treat", "treated"]].to_string(index=False))
    c  period  first_treat  treated
    A       1            2        0
    A       2            2        1
    A       3            2        1
    B       1            0        0
    B       2            0        0
    B       3            0        0
    >>> p.notes[0]
    '1 units have no start in starts and are taken as never treated'
    """
    if not isinstance(outcomes, pd.DataFrame):
        raise PanelError("outcomes must be a pandas DataFrame")
    for col in (unit, time):
        if col not in outcomes.columns:
            raise PanelError(f"column {col!r} not found; the table has {list(outcomes.columns)}")
    if starts is not None and treat is not None:
        raise PanelError("give either starts= or treat=, not both")
    if treat is not None and treat not in outcomes.columns:
        raise PanelError(f"treat column {treat!r} not found; the table has {list(outcomes.columns)}")
    if duplicates not in ("error", "mean", "sum", "first"):
        raise PanelError("duplicates must be 'error', 'mean', 'sum' or 'first'")
    if on_switch_off not in ("error", "drop"):
        raise PanelError("on_switch_off must be 'error' or 'drop'")

    df = outcomes.copy()
    dropped: list[dict] = []
    notes: list[str] = []
    # build_panel owns these columns; stale copies in the input (e.g. a panel
    # built before) would otherwise be mistaken for outcomes.
    stale = [c for c in _RESERVED if c in df.columns and c not in (unit, time, treat)]
    if stale:
        df = df.drop(columns=stale)
        notes.append(f"input columns {stale} were replaced by the ones build_panel computes")

    def _drop(mask: pd.Series, reason: str, detail: str) -> None:
        nonlocal df
        n = int(mask.sum())
        if n:
            dropped.append(dict(reason=reason, n_rows=n, n_units=int(df.loc[mask, unit].nunique()), detail=detail))
            warnings.warn(f"build_panel dropped {n} rows: {reason} ({detail})", DataDroppedWarning, stacklevel=3)
            df = df.loc[~mask]

    _drop(df[unit].isna(), "missing unit", f"column {unit!r} is empty")
    _drop(df[time].isna(), "missing time", f"column {time!r} is empty")

    integer_time = is_integer_time(df[time])
    if integer_time:
        key = df[time].astype(np.int64)
        labels: dict[int, Any] = {int(v): int(v) for v in key.unique()}
        period = key
    else:
        per = to_period(df[time], freq, column=time)
        first = per.min()
        period = per.map(lambda p: (p - first).n + 1).astype(np.int64)
        labels = {int(k): p for k, p in zip(period, per)}
    df["period"] = period.to_numpy()

    keys = df.duplicated([unit, "period"], keep=False)
    if keys.any():
        example = df.loc[keys, [unit, time]].iloc[0].tolist()
        if duplicates == "error":
            raise PanelError(
                f"{int(keys.sum())} rows share a (unit, time) key, e.g. {example}; "
                "remove them or pass duplicates='mean', 'sum' or 'first'"
            )
        n_before = len(df)
        num = df.select_dtypes("number").columns.difference(["period"]).tolist()
        agg = {c: (duplicates if c in num else "first") for c in df.columns if c not in (unit, "period")}
        df = df.groupby([unit, "period"], as_index=False, sort=False).agg(agg)
        n = n_before - len(df)
        dropped.append(dict(reason=f"duplicate keys combined ({duplicates})", n_rows=n,
                            n_units=int(df.loc[df.index, unit].nunique()), detail=f"e.g. {example}"))
        warnings.warn(f"build_panel combined {n} duplicate rows by {duplicates}", DataDroppedWarning, stacklevel=2)

    key_cols = {unit, time, "period"} | ({treat} if treat else set())
    if outcome_cols is None:
        outcome_cols = [c for c in df.columns if c not in key_cols and pd.api.types.is_numeric_dtype(df[c])]
    for c in outcome_cols:
        if c not in df.columns:
            raise PanelError(f"outcome column {c!r} not found; the table has {list(outcomes.columns)}")
        if not pd.api.types.is_numeric_dtype(df[c]):
            conv = pd.to_numeric(df[c], errors="coerce")
            bad = conv.isna() & df[c].notna()
            if bad.any() and not coerce_numeric:
                i = bad.idxmax()
                raise PanelError(
                    f"outcome column {c!r}, row {i!r}: {df.at[i, c]!r} is not a number "
                    f"({int(bad.sum())} such values); fix them or pass coerce_numeric=True"
                )
            if bad.any():
                notes.append(f"{int(bad.sum())} unreadable values in {c!r} set to missing")
                warnings.warn(f"build_panel set {int(bad.sum())} unreadable values of {c!r} to missing",
                              DataDroppedWarning, stacklevel=2)
            df[c] = conv

    # First-treatment period per unit.
    units = pd.Index(df[unit].unique())
    if treat is not None:
        tr = pd.to_numeric(df[treat], errors="coerce")
        if tr.isna().any() or not tr.isin([0, 1]).all():
            i = (tr.isna() | ~tr.isin([0, 1])).idxmax()
            raise PanelError(f"treat column {treat!r}, row {i!r}: {df.at[i, treat]!r} is not 0 or 1")
        d = df.assign(_t=tr.astype(int)).sort_values([unit, "period"])
        switch = d.groupby(unit)["_t"].apply(lambda s: bool((np.diff(s.to_numpy()) < 0).any()))
        off = switch[switch].index
        if len(off):
            if on_switch_off == "error":
                raise PanelError(
                    f"treatment switches off in {len(off)} units (e.g. {off[0]!r}); staggered-adoption "
                    "estimators need absorbing treatment: fix the data or pass on_switch_off='drop'"
                )
            _drop(df[unit].isin(off), "treatment switches off", f"{len(off)} units")
            d = d[~d[unit].isin(off)]
        ft = d[d["_t"] == 1].groupby(unit)["period"].min()
        first_treat = ft.reindex(pd.Index(df[unit].unique())).astype(float)
    elif starts is not None:
        raw = _starts_from_mapping(starts, unit, start_col)
        unknown = raw.index.difference(units)
        if len(unknown):
            notes.append(f"{len(unknown)} units in starts are not in the outcome table (e.g. {unknown[0]!r})")
            warnings.warn(f"build_panel: {len(unknown)} units in starts have no outcome rows", DataDroppedWarning, stacklevel=2)
        missing = units.difference(raw.index)
        if len(missing):
            notes.append(f"{len(missing)} units have no start in starts and are taken as never treated")
        vals = raw.reindex(units)
        never = vals.map(_never)
        first_treat = pd.Series(np.nan, index=units, dtype=float)
        if (~never).any():
            given = vals[~never]
            if integer_time:
                try:
                    first_treat[given.index] = given.astype(np.int64)
                except (TypeError, ValueError) as exc:
                    raise PanelError(f"starts must be integers like the time column {time!r}: {exc}") from exc
            else:
                per = to_period(pd.Series(given.to_numpy(), index=given.index), freq, column="starts")
                first_per = min(labels.values())
                first_treat[given.index] = [(p - first_per).n + 1 for p in per]
    else:
        first_treat = pd.Series(np.nan, index=units, dtype=float)
        notes.append("no starts or treat given: every unit is taken as never treated")

    # NaN marks never-treated until here, because a start before the first
    # period would otherwise become 0 and be mistaken for "never".
    df["first_treat"] = df[unit].map(first_treat).to_numpy()
    first_obs = df.groupby(unit)["period"].transform("min")
    always = df["first_treat"].notna() & (df["first_treat"] <= first_obs)
    if drop_always_treated:
        _drop(always, "treated before first observation", "no pre-treatment period to compare with")
    elif (df["first_treat"] < 1).any():
        u = df.loc[df["first_treat"] < 1, unit].iloc[0]
        raise PanelError(
            f"unit {u!r} starts before the first period of the panel and cannot be coded; "
            "use drop_always_treated=True or add earlier periods"
        )
    df["first_treat"] = df["first_treat"].fillna(0).astype(np.int64)
    df["rel_time"] = np.where(df["first_treat"] > 0, df["period"] - df["first_treat"], np.nan)
    df["treated"] = ((df["first_treat"] > 0) & (df["period"] >= df["first_treat"])).astype(np.int8)

    if text_measures is not None:
        tm = text_measures.copy()
        for col in (unit, time):
            if col not in tm.columns:
                raise PanelError(f"text_measures needs the column {col!r}; it has {list(tm.columns)}")
        if integer_time:
            tm["period"] = tm[time].astype(np.int64)
        else:
            first_per = min(labels.values())
            tp = to_period(tm[time], freq, column=f"text_measures.{time}")
            tm["period"] = [(p - first_per).n + 1 for p in tp]
        tm = tm.drop(columns=[time])
        clash = (set(tm.columns) & set(df.columns)) - {unit, "period"}
        if clash:
            raise PanelError(f"text_measures repeats columns of the outcome table: {sorted(clash)}; rename them")
        n_tm = len(tm)
        df = df.merge(tm, on=[unit, "period"], how="left")
        matched = n_tm - len(tm.merge(df[[unit, "period"]], on=[unit, "period"], how="inner"))
        if matched:
            notes.append(f"{matched} text-measure rows match no unit-period of the outcome table")
            warnings.warn(f"build_panel: {matched} text-measure rows match no outcome row", DataDroppedWarning, stacklevel=2)

    df = df.sort_values([unit, "period"], ignore_index=True)
    lead = [unit, time, "period", "first_treat", "rel_time", "treated"]
    df = df[lead + [c for c in df.columns if c not in lead]]

    all_p = df["period"].agg(["min", "max"])
    span = df.groupby(unit)["period"].agg(["min", "max", "size"])
    holes = (span["max"] - span["min"] + 1 - span["size"])
    gaps = holes[holes > 0].rename("n_missing_periods").rename_axis("unit").reset_index()
    if len(gaps):
        notes.append(f"{len(gaps)} units have gaps inside their observed span ({int(all_p['min'])}-{int(all_p['max'])})")

    dropped_df = pd.DataFrame(dropped, columns=["reason", "n_rows", "n_units", "detail"])
    return Panel(
        data=df, unit=unit, time=time, outcomes=tuple(outcome_cols), dropped=dropped_df,
        gaps=gaps, notes=tuple(notes), period_labels=labels,
    )
