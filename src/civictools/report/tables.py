"""Comparison tables across estimation results (like fixest's ``etable``).

Works with any result whose ``tidy()`` has ``term, estimate, std_error,
p_value`` columns; ``nobs``, ``n_clusters``, ``cluster``, ``fixed_effects``
and ``depvar`` attributes fill the bottom rows when present.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from civictools.errors import ReportError

__all__ = ["etable", "ComparisonTable"]

_LABELS = {
    "en": {"nobs": "Observations", "n_clusters": "Clusters", "cluster": "Cluster SE by",
           "fe": "Fixed effects", "depvar": "Dependent variable", "yes": "Yes", "no": "No",
           "note": "Standard errors in parentheses."},
    "zh": {"nobs": "观测数", "n_clusters": "聚类数", "cluster": "聚类标准误", "fe": "固定效应",
           "depvar": "因变量", "yes": "是", "no": "否", "note": "括号内为标准误。"},
}
_STARS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def _stars(p: float) -> str:
    if p is None or not np.isfinite(p):
        return ""
    for cut, s in _STARS:
        if p < cut:
            return s
    return ""


def _table_of(result: Any, overall_label: str, labels: dict[str, str]) -> pd.DataFrame:
    """The result's terms relabelled, plus its ``overall`` estimate when it has one."""
    t = result.tidy()
    rows = []
    if "term" in t.columns:
        t = t.assign(term=t["term"].map(lambda x: labels.get(x, x)))
        rows.append(t[[c for c in ("term", "estimate", "std_error", "p_value") if c in t.columns]])
    overall = getattr(result, "overall", None)
    if overall is not None and (not rows or overall_label not in set(rows[0]["term"])):
        from scipy import stats

        est, se = float(overall["estimate"]), float(overall["std_error"])
        p = 2 * stats.norm.sf(abs(est / se)) if se > 0 else np.nan
        rows.append(pd.DataFrame({"term": [overall_label], "estimate": [est], "std_error": [se], "p_value": [p]}))
    if not rows:
        return t
    return pd.concat(rows, ignore_index=True).drop_duplicates("term")


@dataclass(frozen=True)
class ComparisonTable:
    """A model comparison table; render with ``to_html``, ``to_markdown``, ``to_latex``."""

    body: pd.DataFrame  # rows: (term, "est"|"se"); columns: model names
    footer: pd.DataFrame  # rows: labels; columns: model names
    note: str

    def tidy(self) -> pd.DataFrame:
        """Body and footer stacked, as strings."""
        b = self.body.copy()
        b.index = [f"{t}" if k == "est" else "" for t, k in b.index]
        return pd.concat([b, self.footer])

    def to_markdown(self) -> str:
        t = self.tidy()
        cols = [""] + list(t.columns)
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join([":---"] + ["---:"] * (len(cols) - 1)) + "|"]
        for idx, row in t.iterrows():
            lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row]) + " |")
        return "\n".join(lines) + f"\n\n{self.note}\n"

    def to_latex(self) -> str:
        """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``; Chinese needs xeCJK or ctex)."""

        def esc(s: str) -> str:
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#")):
                s = s.replace(a, b)
            return s

        def cell(s: str) -> str:
            s = str(s)
            stars = len(s) - len(s.rstrip("*"))
            return esc(s[: len(s) - stars]) + (f"$^{{{'*' * stars}}}$" if stars else "")

        t = self.tidy()
        n = len(t.columns)
        out = [r"\begin{tabular}{l" + "c" * n + "}", r"\toprule",
               " & " + " & ".join(esc(str(c)) for c in t.columns) + r" \\", r"\midrule"]
        for i, (idx, row) in enumerate(t.iterrows()):
            if i == len(self.body):
                out.append(r"\midrule")
            out.append(esc(str(idx)) + " & " + " & ".join(cell(v) for v in row) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}", "% " + self.note]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        t = self.tidy()
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
        rows = []
        for i, (idx, row) in enumerate(t.iterrows()):
            style = ' style="border-top:2px solid #52606d"' if i == len(self.body) else ""
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            rows.append(f"<tr{style}><th>{html.escape(str(idx))}</th>{cells}</tr>")
        return (f'<table class="civictools-etable"><thead><tr><th></th>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table><p><small>{html.escape(self.note)}</small></p>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()


def etable(
    results: Any | Sequence[Any],
    *,
    names: Sequence[str] | None = None,
    labels: dict[str, str] | None = None,
    lang: str = "en",
    stars: bool = True,
    digits: int = 3,
    keep: Sequence[str] | None = None,
    overall_label: str = "ATT",
) -> ComparisonTable:
    """Put several estimation results side by side.

    Parameters
    ----------
    results : result or sequence of results
        Objects with ``tidy()`` (term, estimate, std_error, p_value).
    names : sequence of str, optional
        Column headings (default ``(1)``, ``(2)``, …).
    labels : dict, optional
        Display labels for terms (e.g. ``{"treat": "社工室 social-work room"}``); terms of
        different models with the same label share a row.
    lang : {"en", "zh"}
        Language of the footer labels.
    stars : bool
        Mark p < 0.1, 0.05, 0.01 with ``*``, ``**``, ``***``.
    digits : int
        Decimals shown.
    keep : sequence of str, optional
        Rows to show (labels, or terms without a label), in this order (default: all).
    overall_label : str
        Row label for the ``overall`` estimate of results that have one
        (aggregated staggered-DiD results); its p-value comes from the normal
        distribution.

    Examples
    --------
    >>> import pandas as pd
    >>> class R:
    ...     nobs = 100
    ...     def tidy(self):
    ...         return pd.DataFrame({"term": ["treat"], "estimate": [0.5], "std_error": [0.2], "p_value": [0.012]})
    >>> print(etable([R()], lang="zh").to_markdown().splitlines()[2])
    | treat | 0.500** |
    """
    if not isinstance(results, (list, tuple)):
        results = [results]
    if not results:
        raise ReportError("etable needs at least one result")
    if lang not in _LABELS:
        raise ReportError(f"lang must be one of {sorted(_LABELS)}")
    lab = _LABELS[lang]
    names = list(names) if names else [f"({i + 1})" for i in range(len(results))]
    if len(names) != len(results):
        raise ReportError(f"{len(names)} names for {len(results)} results")
    tidies = []
    for i, r in enumerate(results):
        t = _table_of(r, overall_label, labels or {})
        missing = {"term", "estimate", "std_error"} - set(t.columns)
        if missing:
            raise ReportError(f"result {names[i]} has no {sorted(missing)} in tidy(); it cannot go in a table")
        tidies.append(t)
    keep = [labels.get(k, k) for k in keep] if (keep and labels) else keep
    order = list(dict.fromkeys(keep)) if keep else list(dict.fromkeys(t for td in tidies for t in td["term"]))
    fmt = f"{{:.{digits}f}}"
    body = {}
    for name, td in zip(names, tidies):
        td = td.set_index("term")
        col = []
        for term in order:
            if term in td.index:
                row = td.loc[term]
                p = row.get("p_value", np.nan)
                col += [fmt.format(row["estimate"]) + (_stars(p) if stars else ""), f"({fmt.format(row['std_error'])})"]
            else:
                col += ["", ""]
        body[name] = col
    idx = pd.MultiIndex.from_tuples([(t, k) for t in order for k in ("est", "se")])
    body_df = pd.DataFrame(body, index=idx)
    foot: dict[str, list[str]] = {}
    rows = []
    if any(getattr(r, "depvar", None) for r in results):
        rows.append((lab["depvar"], [str(getattr(r, "depvar", "") or "") for r in results]))
    fes = [list(getattr(r, "fixed_effects", []) or []) for r in results]
    for fe in dict.fromkeys(f for fl in fes for f in fl):
        rows.append((f"{lab['fe']}: {fe}", [lab["yes"] if fe in fl else lab["no"] for fl in fes]))
    if any(getattr(r, "cluster", None) for r in results):
        rows.append((lab["cluster"], [str(getattr(r, "cluster", "") or "") for r in results]))
    if any(getattr(r, "n_clusters", None) for r in results):
        rows.append((lab["n_clusters"], [str(getattr(r, "n_clusters", "") or "") for r in results]))
    rows.append((lab["nobs"], [f"{int(getattr(r, 'nobs', 0)):,}" if getattr(r, "nobs", None) else "" for r in results]))
    for label, vals in rows:
        foot[label] = vals
    footer = pd.DataFrame(foot, index=names).T
    note = lab["note"] + (" * p<0.1, ** p<0.05, *** p<0.01" if stars else "")
    return ComparisonTable(body_df, footer, note)
