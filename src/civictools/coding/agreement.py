"""Inter-coder agreement: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

Every statistic is a function of sums of per-unit features, so a bootstrap over units is a
matrix product of multinomial resampling weights with those features (fast and exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from civictools.errors import CodebookError

__all__ = ["agreement", "AgreementResult"]

STATISTICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


@dataclass(frozen=True, eq=False)
class AgreementResult:
    """Agreement per theme and overall. ``tidy()`` is the canonical table."""

    table: pd.DataFrame
    coders: tuple[str, ...]
    n_units: int
    n_boot: int
    level: float
    seed: int

    def tidy(self) -> pd.DataFrame:
        """Long table: theme, statistic, estimate, ci_low, ci_high, n_units (theme ``overall`` pools all)."""
        return self.table.copy()

    def wide(self) -> pd.DataFrame:
        """One row per theme, one column per statistic (estimates only)."""
        w = self.table.pivot(index="theme", columns="statistic", values="estimate")
        order = list(dict.fromkeys(self.table["theme"]))
        return w.reindex(index=order, columns=[s for s in STATISTICS if s in w.columns])

    def summary(self):
        from civictools.coding.coded import Summary

        lines = [f"{len(self.coders)} coders ({', '.join(self.coders)}), {self.n_units} units; "
                 f"{self.level:.0%} percentile bootstrap CIs over units, B = {self.n_boot}, seed {self.seed}",
                 "overall pools every unit × theme decision"]
        return Summary("Inter-coder agreement", lines, self.wide().round(3).reset_index())

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return f"AgreementResult(coders={list(self.coders)}, units={self.n_units}, themes={self.table['theme'].nunique() - 1})"


def agreement(codings: Any, coders: Sequence[str] | None = None, *, unit_col: str = "unit_id",
              theme_col: str = "theme", sep: str = ";", themes: Sequence[str] | None = None,
              multilabel: bool = True, na: str = "none", n_boot: int = 1000, level: float = 0.95,
              seed: int = 0) -> AgreementResult:
    """Agreement between coders, per theme and overall, with bootstrap confidence intervals.

    Parameters
    ----------
    codings : DataFrame or dict
        One of:

        * a DataFrame with ``unit_col``, ``theme_col`` and one 0/1 column per coder
          (NaN = the coder did not code that unit);
        * a DataFrame with ``unit_col`` and one column per coder holding that coder's codes for
          the unit: a ``sep``-separated string (``""`` = no theme) or a list/set; with
          ``multilabel=False`` each cell is a single nominal label;
        * a dict coder -> unit × theme 0/1 DataFrame (index = unit ids) or CodedCorpus.
    coders : list of str
        The coder columns / keys (default: all).
    themes : list of str, optional
        Themes to report (default: all themes seen).
    multilabel : bool
        ``False`` for single-label nominal coding: ``overall`` is then computed on the labels.
    na : {"none", "missing"}
        What an empty/NaN cell of the codes format means: ``"none"`` (no theme; CSV files
        cannot tell an empty string from a missing value) or ``"missing"`` (the coder did not
        code the unit). The 0/1 formats always read NaN as missing.
    n_boot, level, seed
        Percentile bootstrap over units (``n_boot=0`` for none), seeded.

    Returns
    -------
    AgreementResult

    Notes
    -----
    Percent agreement averages, over units, the share of agreeing coder pairs. Cohen's kappa
    (two coders only) uses units coded by both; Fleiss' kappa uses units coded by all coders;
    Krippendorff's alpha (nominal) uses every unit with at least two codes. ``overall`` pools
    the unit × theme decisions of all themes (bootstrap resamples whole units).

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": [1, 2, 3, 4, 5, 6],
    ...                    "a": ["elderly_care", "", "elderly_care;volunteering", "", "volunteering", ""],
    ...                    "b": ["elderly_care", "", "elderly_care", "volunteering", "volunteering", ""]})
    >>> res = agreement(df, coders=["a", "b"], n_boot=0)
    >>> float(res.wide().loc["elderly_care", "cohen_kappa"])
    1.0
    >>> round(float(res.wide().loc["volunteering", "percent_agreement"]), 3)
    0.667
    """
    if na not in ("none", "missing"):
        raise CodebookError("na must be 'none' or 'missing'")
    mats, coder_names, unit_ids = _to_matrices(codings, coders, unit_col, theme_col, sep, multilabel, na)
    theme_list = list(themes) if themes is not None else [t for t in mats if t != "__labels__"]
    missing = [t for t in theme_list if t not in mats]
    if missing:
        # a theme nobody used: all zeros where coded
        base = next(iter(mats.values()))
        for t in missing:
            mats[t] = np.where(np.isnan(base), np.nan, 0.0)
    if len(coder_names) < 2:
        raise CodebookError("agreement needs at least two coders")
    n_units = len(unit_ids)
    rng = np.random.default_rng(seed)
    W = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_boot).astype(float) if n_boot else None
    rows = []
    overall_feats = None
    for t in theme_list:
        feats = _features(mats[t], categories=np.array([0.0, 1.0]))
        overall_feats = feats if overall_feats is None else _add(overall_feats, feats)
        rows += _rows(t, feats, W, level, len(coder_names))
    if not multilabel and "__labels__" in mats:
        lab = mats["__labels__"]
        cats = np.unique(lab[~np.isnan(lab)])
        overall_feats = _features(lab, categories=cats)
    if overall_feats is not None:
        rows += _rows("overall", overall_feats, W, level, len(coder_names))
    table = pd.DataFrame(rows, columns=["theme", "statistic", "estimate", "ci_low", "ci_high", "n_units"])
    return AgreementResult(table=table, coders=tuple(coder_names), n_units=n_units, n_boot=n_boot,
                           level=level, seed=seed)


# -------------------------------------------------------------------------------------------
# input shapes -> {theme: (n_coders, n_units) float arrays with NaN for missing}
# -------------------------------------------------------------------------------------------

def _to_matrices(codings, coders, unit_col, theme_col, sep, multilabel, na="none"):
    if isinstance(codings, Mapping):
        names = list(coders or codings.keys())
        frames = {}
        for c in names:
            if c not in codings:
                raise CodebookError(f"coder {c!r} not in codings (keys: {list(codings)})")
            m = codings[c]
            if hasattr(m, "matrix"):
                m = m.matrix()
            if not isinstance(m, pd.DataFrame):
                raise CodebookError(f"codings[{c!r}] must be a unit × theme DataFrame or a CodedCorpus")
            frames[c] = m
        units = list(dict.fromkeys(u for m in frames.values() for u in m.index))
        themes = list(dict.fromkeys(t for m in frames.values() for t in m.columns))
        mats = {t: np.vstack([frames[c].reindex(index=units)[t].to_numpy(dtype=float)
                              if t in frames[c].columns else
                              np.where(frames[c].reindex(index=units).isna().all(axis=1), np.nan, 0.0)
                              for c in names]) for t in themes}
        return mats, names, units
    if not isinstance(codings, pd.DataFrame):
        raise CodebookError("codings must be a DataFrame or a dict of coder -> unit × theme DataFrame")
    if unit_col not in codings.columns:
        raise CodebookError(f"codings has no unit column {unit_col!r} (columns: {list(codings.columns)}); "
                            "pass unit_col=")
    if theme_col in codings.columns:
        names = list(coders or [c for c in codings.columns if c not in (unit_col, theme_col)])
        _check_cols(codings, names)
        if codings.duplicated([unit_col, theme_col]).any():
            raise CodebookError(f"duplicate ({unit_col}, {theme_col}) rows in codings")
        units = list(dict.fromkeys(codings[unit_col]))
        mats = {}
        for t, g in codings.groupby(theme_col, sort=False):
            g = g.set_index(unit_col).reindex(units)
            arr = np.vstack([pd.to_numeric(g[c], errors="coerce").to_numpy(dtype=float) for c in names])
            bad = ~np.isnan(arr) & ~np.isin(arr, [0.0, 1.0])
            if bad.any():
                raise CodebookError(f"theme {t!r}: coder values must be 0, 1 or missing")
            mats[t] = arr
        return mats, names, units
    names = list(coders or [c for c in codings.columns if c != unit_col])
    _check_cols(codings, names)
    if codings[unit_col].duplicated().any():
        raise CodebookError(f"duplicate unit ids in column {unit_col!r}")
    units = list(codings[unit_col])
    parsed = {c: [_parse_codes(v, sep, multilabel, na) for v in codings[c]] for c in names}
    themes = sorted({t for c in names for codes in parsed[c] if codes is not None for t in codes})
    mats = {}
    for t in themes:
        mats[t] = np.array([[np.nan if codes is None else float(t in codes) for codes in parsed[c]]
                            for c in names])
    if not multilabel:
        labels = {t: i for i, t in enumerate(themes)}
        mats["__labels__"] = np.array([[np.nan if codes is None or not codes else float(labels[next(iter(codes))])
                                        for codes in parsed[c]] for c in names])
    return mats, names, units


def _check_cols(df: pd.DataFrame, names: Sequence[str]) -> None:
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise CodebookError(f"coder column(s) {missing} not found (columns: {list(df.columns)})")


def _parse_codes(v, sep: str, multilabel: bool, na: str = "none"):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None if na == "missing" else frozenset()
    if isinstance(v, (list, tuple, set, frozenset)):
        return frozenset(str(x) for x in v)
    s = str(v).strip()
    if not multilabel:
        return frozenset([s]) if s else frozenset()
    return frozenset(x.strip() for x in s.split(sep) if x.strip())


# -------------------------------------------------------------------------------------------
# statistics from per-unit features
# -------------------------------------------------------------------------------------------

def _features(R: np.ndarray, categories: np.ndarray) -> dict[str, np.ndarray]:
    """Per-unit features (rows = units) from a coders × units matrix of category values."""
    n_coders, n_units = R.shape
    K = len(categories)
    present = ~np.isnan(R)
    m = present.sum(axis=0).astype(float)  # codes per unit
    counts = np.zeros((n_units, K))
    for j, c in enumerate(categories):
        counts[:, j] = ((R == c) & present).sum(axis=0)
    sq = (counts ** 2).sum(axis=1)
    pairable = m >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = np.where(pairable, (sq - m) / (m * (m - 1)), 0.0)  # share of agreeing pairs
        d = np.where(pairable, (m ** 2 - sq) / (m - 1), 0.0)  # disagreeing pairable values
    complete = (m == n_coders).astype(float)
    feats = {
        "valid": pairable.astype(float),
        "agree": agree,
        "complete": complete,
        "fleiss_p": np.where(m == n_coders, agree, 0.0),
        "fleiss_n": counts * complete[:, None],
        "alpha_d": d,
        "alpha_n": counts * pairable[:, None],
    }
    if n_coders == 2:
        both = present[0] & present[1]
        idx = {c: j for j, c in enumerate(categories)}
        pair = np.zeros((n_units, K * K))
        for u in np.flatnonzero(both):
            pair[u, idx[R[0, u]] * K + idx[R[1, u]]] = 1.0
        feats["cohen"] = pair
    return feats


def _add(a: dict, b: dict) -> dict:
    out = {}
    for k in a:
        if k not in b:
            continue
        if a[k].ndim == 2 and a[k].shape[1] != b[k].shape[1]:
            continue  # category sets differ (not for binary themes)
        out[k] = a[k] + b[k]
    return out


def _stats(S: dict[str, np.ndarray], n_coders: int) -> dict[str, np.ndarray]:
    """Statistics from feature sums; each value has shape (rows,)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = S["agree"] / S["valid"]
        ncomp = S["complete"]
        pbar = S["fleiss_p"] / ncomp
        pj = S["fleiss_n"] / (ncomp[:, None] * n_coders)
        pe = (pj ** 2).sum(axis=1)
        fleiss = (pbar - pe) / (1 - pe)
        nc = S["alpha_n"]
        n = nc.sum(axis=1)
        de = n ** 2 - (nc ** 2).sum(axis=1)
        alpha = 1 - (n - 1) * S["alpha_d"] / de
        out = {"percent_agreement": pa, "fleiss_kappa": fleiss, "krippendorff_alpha": alpha}
        if "cohen" in S:
            T = S["cohen"]
            K = int(round(np.sqrt(T.shape[1])))
            T = T.reshape(-1, K, K)
            tot = T.sum(axis=(1, 2))
            po = np.trace(T, axis1=1, axis2=2) / tot
            pe2 = (T.sum(axis=2) * T.sum(axis=1)).sum(axis=1) / tot ** 2
            out["cohen_kappa"] = (po - pe2) / (1 - pe2)
        else:
            out["cohen_kappa"] = np.full_like(pa, np.nan)
    for k, v in out.items():
        out[k] = np.where(np.isfinite(v), v, np.nan)
    return out


def _rows(theme: str, feats: dict, W: np.ndarray | None, level: float, n_coders: int) -> list[tuple]:
    point = _stats({k: v.sum(axis=0, keepdims=True) if v.ndim == 1 else v.sum(axis=0)[None, :]
                    for k, v in feats.items()}, n_coders)
    boot = None
    if W is not None:
        boot = _stats({k: W @ v for k, v in feats.items()}, n_coders)
    n_units = int(feats["valid"].sum())
    rows = []
    lo_q, hi_q = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    for s in STATISTICS:
        est = float(point[s][0])
        lo = hi = np.nan
        if boot is not None and np.isfinite(est):
            b = boot[s][np.isfinite(boot[s])]
            if len(b):
                lo, hi = (float(x) for x in np.percentile(b, [lo_q, hi_q]))
        rows.append((theme, s, est, lo, hi, n_units))
    return rows
