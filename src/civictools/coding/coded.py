"""CodedCorpus: the result of coding a corpus, with its tables, measures and views."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from civictools.coding.codebook import Codebook
from civictools.errors import CodebookError

__all__ = ["CodedCorpus", "Summary"]


class Summary:
    """A plain-text/HTML summary; prints nothing by itself (``print(s)`` or display it)."""

    def __init__(self, title: str, lines: Sequence[str], table: pd.DataFrame | None = None):
        self.title = title
        self.lines = list(lines)
        self.table = table

    def as_text(self) -> str:
        out = [self.title, "-" * len(self.title), *self.lines]
        if self.table is not None:
            out += ["", self.table.to_string(index=False)]
        return "\n".join(out)

    def as_html(self) -> str:
        e = html.escape
        body = "".join(f"<li>{e(x)}</li>" for x in self.lines)
        tab = self.table.to_html(index=False, escape=True) if self.table is not None else ""
        return f"<div><h4>{e(self.title)}</h4><ul>{body}</ul>{tab}</div>"

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


@dataclass(frozen=True, eq=False)
class CodedCorpus:
    """Units of a corpus with the themes coded in them.

    Attributes
    ----------
    units : DataFrame
        unit_id, doc_id, unit_no, text, start, end (character offsets into the document)
        and the documents' metadata columns.
    hits : DataFrame
        doc_id, unit_id, theme, term, rule, start, end (offsets in the unit text),
        doc_start, doc_end (offsets in the document), weight.
    rejected : DataFrame
        Candidate matches that were not counted and why (boundary, trap, context, negation,
        proximity, nested, min_hits, header).
    match : str
        The match mode used (``"token"`` or ``"substring"``).
    unit : str
        The unit of coding.
    texts : Series
        doc_id -> full document text (for exports and document offsets).
    """

    units: pd.DataFrame
    hits: pd.DataFrame
    rejected: pd.DataFrame
    codebook: Codebook
    match: str
    unit: str
    texts: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    n_docs: int = 0
    n_dropped_docs: int = 0
    n_header_units: int = 0
    n_fallback_docs: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def theme_ids(self) -> list[str]:
        """Theme ids of the codebook, in order."""
        return self.codebook.theme_ids

    def __repr__(self) -> str:
        return (f"CodedCorpus(units={len(self.units)}, hits={len(self.hits)}, unit={self.unit!r}, "
                f"match={self.match!r}, codebook={self.codebook.name!r})")

    # -- tables --------------------------------------------------------------------------
    def matrix(self, binary: bool = True) -> pd.DataFrame:
        """Unit × theme table (all themes of the codebook as columns, units in order).

        Parameters
        ----------
        binary : bool
            1/0 for coded/not coded; ``False`` gives hit counts.
        """
        counts = pd.crosstab(self.hits["unit_id"], self.hits["theme"]) if len(self.hits) else pd.DataFrame()
        m = counts.reindex(index=self.units["unit_id"], columns=self.theme_ids, fill_value=0)
        m = m.fillna(0).astype("int64")
        m.index.name = "unit_id"
        m.columns.name = None
        return (m > 0).astype("int64") if binary else m

    def tidy(self) -> pd.DataFrame:
        """One row per coded (unit, theme): unit_id, doc_id, theme, n_hits, terms, plus unit metadata."""
        meta = self.units.drop(columns=["text"])
        if not len(self.hits):
            return pd.DataFrame(columns=["unit_id", "doc_id", "theme", "n_hits", "terms", *meta.columns[2:]])
        g = self.hits.groupby(["unit_id", "theme"], sort=False)
        out = g.agg(n_hits=("term", "size"), terms=("term", lambda s: "、".join(dict.fromkeys(s)))).reset_index()
        out = out.merge(meta, on="unit_id", how="left")
        order = {u: i for i, u in enumerate(self.units["unit_id"])}
        torder = {t: i for i, t in enumerate(self.theme_ids)}
        out = out.assign(_u=out["unit_id"].map(order), _t=out["theme"].map(torder))
        out = out.sort_values(["_u", "_t"]).drop(columns=["_u", "_t"]).reset_index(drop=True)
        cols = ["unit_id", "doc_id", "theme", "n_hits", "terms"]
        return out[cols + [c for c in out.columns if c not in cols]]

    def summary(self) -> Summary:
        """Counts of units, hits and coded units per theme (deterministic)."""
        m = self.matrix()
        n = len(m)
        table = pd.DataFrame({
            "theme": self.theme_ids,
            "label": [self.codebook.themes[t].label for t in self.theme_ids],
            "n_units": m.sum().to_numpy(),
            "share": (m.mean().to_numpy() if n else np.zeros(len(self.theme_ids))).round(3),
            "n_hits": self.matrix(binary=False).sum().to_numpy(),
        })
        lines = [
            f"codebook {self.codebook.name!r} ({len(self.theme_ids)} themes), match mode {self.match!r}, "
            f"unit {self.unit!r}",
            f"{self.n_docs} documents, {len(self.units)} units, {len(self.hits)} hits, "
            f"{int((m.sum(axis=1) > 0).sum()) if n else 0} units with at least one theme",
            f"{len(self.rejected)} candidate matches rejected "
            + (f"({', '.join(f'{k} {v}' for k, v in self.rejected['reason'].value_counts().sort_index().items())})"
               if len(self.rejected) else ""),
        ]
        if self.n_dropped_docs:
            lines.append(f"{self.n_dropped_docs} documents without text were dropped")
        lines += list(self.notes)
        return Summary("Coded corpus", lines, table)

    # -- measures ---------------------------------------------------------------------------
    def _with_period(self, period: str | None) -> pd.DataFrame:
        units = self.units
        if period is None:
            return units
        if "date" not in units.columns:
            raise CodebookError("period= needs a 'date' column in the corpus metadata")
        dates = pd.to_datetime(units["date"], errors="coerce")
        if dates.isna().any():
            raise CodebookError(f"{int(dates.isna().sum())} unit(s) have a missing or unreadable date "
                                "(column 'date'); fix or drop those documents first")
        return units.assign(period=dates.dt.to_period(period))

    def prevalence(self, by: str | Sequence[str] | None = None, *, period: str | None = None,
                   ci: str = "wilson", alpha: float = 0.05, themes: Sequence[str] | None = None) -> pd.DataFrame:
        """Share of units coded with each theme, with confidence intervals.

        Parameters
        ----------
        by : str or list of str, optional
            Metadata columns to group by (community, kind …); ``"period"`` when ``period`` is given.
        period : str, optional
            A pandas period frequency (``"M"``, ``"Q"``, ``"Y"``) derived from the ``date`` column;
            adds a ``period`` grouping column.
        ci : str
            Method of ``statsmodels.stats.proportion.proportion_confint`` (wilson, beta, …).
        alpha : float
            1 − confidence level.

        Returns
        -------
        DataFrame
            by columns…, theme, n_units, n_coded, share, ci_low, ci_high.
        """
        from statsmodels.stats.proportion import proportion_confint

        by_cols = [by] if isinstance(by, str) else list(by or [])
        if period is not None and "period" not in by_cols:
            by_cols.append("period")
        units = self._with_period(period)
        for c in by_cols:
            if c not in units.columns:
                raise CodebookError(f"prevalence(by=...): no column {c!r} in the units "
                                    f"(available: {[x for x in units.columns if x != 'text']})")
        themes = list(themes or self.theme_ids)
        m = self.matrix()[themes].reset_index(drop=True)
        frame = pd.concat([units[by_cols].reset_index(drop=True), m], axis=1)
        if by_cols:
            g = frame.groupby(by_cols, sort=True, observed=True)
            n = g.size().rename("n_units")
            coded = g[themes].sum()
        else:
            n = pd.Series([len(frame)], name="n_units")
            coded = frame[themes].sum().to_frame().T
        long = coded.stack().rename("n_coded").reset_index()
        long.columns = [*by_cols, "theme", "n_coded"] if by_cols else ["_row", "theme", "n_coded"]
        if by_cols:
            long = long.merge(n.reset_index(), on=by_cols)
        else:
            long = long.drop(columns="_row").assign(n_units=len(frame))
        long["n_coded"] = long["n_coded"].astype("int64")
        long["share"] = long["n_coded"] / long["n_units"]
        lo, hi = proportion_confint(long["n_coded"].to_numpy(), long["n_units"].to_numpy(), alpha=alpha,
                                    method=ci)
        long["ci_low"] = np.asarray(lo, dtype=float)
        long["ci_high"] = np.asarray(hi, dtype=float)
        return long[[*by_cols, "theme", "n_units", "n_coded", "share", "ci_low", "ci_high"]]

    def cooccurrence(self, measure: str = "count", themes: Sequence[str] | None = None) -> pd.DataFrame:
        """Theme × theme co-occurrence over units.

        Parameters
        ----------
        measure : {"count", "jaccard", "c"}
            ``count``: units coded with both themes (diagonal: units with the theme);
            ``jaccard``: n12 / (n1 + n2 − n12) over units;
            ``c``: ATLAS.ti's c-coefficient, n12 / (n1 + n2 − n12) where n1, n2 count the
            *codings* (hits) of each theme and n12 the co-occurring codings, paired one to one
            within a unit (sum over units of min(hits of A, hits of B)); ATLAS.ti counts
            overlapping quotations, here the unit is the context of co-occurrence.
        """
        themes = list(themes or self.theme_ids)
        if measure in ("count", "jaccard"):
            m = self.matrix()[themes].to_numpy()
            both = m.T @ m
            if measure == "count":
                return pd.DataFrame(both, index=themes, columns=themes)
            n = np.diag(both)
            denom = n[:, None] + n[None, :] - both
            with np.errstate(invalid="ignore", divide="ignore"):
                j = np.where(denom > 0, both / denom, 0.0)
            return pd.DataFrame(j, index=themes, columns=themes)
        if measure == "c":
            counts = self.matrix(binary=False)[themes].to_numpy().astype(float)
            n = counts.sum(axis=0)
            # quotations of A and B paired one-to-one within a unit: n12 <= min(n1, n2)
            pairs = np.minimum(counts[:, :, None], counts[:, None, :]).sum(axis=0)
            denom = n[:, None] + n[None, :] - pairs
            with np.errstate(invalid="ignore", divide="ignore"):
                c = np.where(denom > 0, pairs / denom, 0.0)
            np.fill_diagonal(c, np.where(n > 0, 1.0, 0.0))
            return pd.DataFrame(c, index=themes, columns=themes)
        raise CodebookError("measure must be 'count', 'jaccard' or 'c'")

    def kwic(self, theme: str, window: int = 15, n: int | None = None) -> pd.DataFrame:
        """Keyword in context of the hits of ``theme``.

        Returns doc_id, unit_id, left, keyword, right, term, rule, start, end.
        """
        self._check_theme(theme)
        h = self.hits[self.hits["theme"] == theme]
        if n is not None:
            h = h.head(n)
        texts = self.units.set_index("unit_id")["text"]
        rows = []
        for r in h.itertuples(index=False):
            t = texts[r.unit_id]
            rows.append((r.doc_id, r.unit_id, t[max(0, r.start - window):r.start].replace("\n", " "),
                         t[r.start:r.end], t[r.end:r.end + window].replace("\n", " "), r.term, r.rule,
                         r.start, r.end))
        return pd.DataFrame(rows, columns=["doc_id", "unit_id", "left", "keyword", "right", "term", "rule",
                                           "start", "end"])

    def examples(self, theme: str, n: int = 5, seed: int = 0) -> pd.DataFrame:
        """A seeded random sample of units coded with ``theme`` (unit_id, doc_id, terms, text)."""
        self._check_theme(theme)
        t = self.tidy()
        t = t[t["theme"] == theme]
        if len(t) > n:
            t = t.sample(n=n, random_state=np.random.default_rng(seed))
        texts = self.units.set_index("unit_id")["text"]
        out = t[["unit_id", "doc_id", "terms"]].copy()
        out["text"] = out["unit_id"].map(texts)
        return out.reset_index(drop=True)

    def to_panel(self, unit: str = "community", period: str = "M", themes: Sequence[str] | None = None,
                 ) -> pd.DataFrame:
        """Text-derived measures per ``unit`` × ``period`` for the evaluation side.

        Columns: <unit>, period (pandas Period), n_docs, n_units, and for each theme
        ``theme_<id>_count`` (units coded) and ``theme_<id>_share`` (count / n_units).
        Only (unit, period) cells with at least one document appear; the panel builder
        decides how to treat months without text.
        """
        units = self._with_period(period)
        if unit not in units.columns:
            raise CodebookError(f"to_panel(unit=...): no column {unit!r} in the units")
        themes = list(themes or self.theme_ids)
        m = self.matrix()[themes].reset_index(drop=True)
        frame = pd.concat([units[[unit, "period", "doc_id"]].reset_index(drop=True), m], axis=1)
        missing = frame[unit].isna()
        if missing.any():
            import warnings

            from civictools.errors import DataDroppedWarning

            warnings.warn(f"{int(missing.sum())} unit(s) without a {unit!r} value left out of the panel",
                          DataDroppedWarning, stacklevel=2)
            frame = frame.loc[~missing]
        g = frame.groupby([unit, "period"], sort=True, observed=True)
        out = g.agg(n_docs=("doc_id", "nunique"), n_units=("doc_id", "size"))
        counts = g[themes].sum()
        for t in themes:
            out[f"theme_{t}_count"] = counts[t].astype("int64")
            out[f"theme_{t}_share"] = counts[t] / out["n_units"]
        return out.reset_index()

    def _check_theme(self, theme: str) -> None:
        if theme not in self.theme_ids:
            raise CodebookError(f"unknown theme {theme!r}; themes are: {', '.join(self.theme_ids)}")

    # -- views -------------------------------------------------------------------------------
    def to_html(self, max_units: int = 20, only_coded: bool = True) -> str:
        """Units with matched spans highlighted in theme colours, and a legend (HTML-escaped)."""
        colors = self.codebook.colors()
        labels = {t: self.codebook.themes[t].label for t in self.theme_ids}
        by_unit = {u: g for u, g in self.hits.groupby("unit_id", sort=False)} if len(self.hits) else {}
        units = self.units
        if only_coded:
            units = units[units["unit_id"].isin(by_unit)]
        shown = units.head(max_units)
        used: list[str] = []
        blocks = []
        for r in shown.itertuples(index=False):
            hits = by_unit.get(r.unit_id)
            spans = [] if hits is None else list(zip(hits["start"], hits["end"], hits["theme"], hits["term"]))
            for s in spans:
                if s[2] not in used:
                    used.append(s[2])
            blocks.append(
                f"<div style='margin:0.3em 0;padding:0.2em 0.4em;border-left:3px solid #ccc'>"
                f"<small style='color:#666'>{html.escape(str(r.unit_id))}</small><br>"
                f"{_highlight(str(r.text), spans, colors, labels)}</div>")
        used.sort(key=self.theme_ids.index)
        legend = " ".join(
            f"<span style='background:{_tint(colors[t])};border-bottom:2px solid {colors[t]};"
            f"padding:0 0.3em;margin-right:0.3em'>{html.escape(labels[t])} <code>{html.escape(t)}</code></span>"
            for t in used)
        more = len(units) - len(shown)
        tail = f"<p><small>… {more} more units</small></p>" if more > 0 else ""
        head = (f"<p><b>CodedCorpus</b>: {len(self.units)} units ({html.escape(self.unit)}), "
                f"{len(self.hits)} hits, match mode <code>{html.escape(self.match)}</code>, "
                f"codebook <code>{html.escape(self.codebook.name)}</code></p>")
        return f"<div>{head}<div>{legend}</div>{''.join(blocks)}{tail}</div>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def plot_heatmap(self, by: str = "community", *, themes: Sequence[str] | None = None,
                     period: str | None = None, ax=None, cmap: str = "YlOrRd"):
        """Heatmap of theme shares by a metadata column (Chinese theme labels)."""
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()
        prev = self.prevalence(by=by, period=period, themes=themes)
        key = "period" if by is None else by
        wide = prev.pivot_table(index="theme", columns=key, values="share", observed=True)
        wide = wide.reindex([t for t in (themes or self.theme_ids) if t in wide.index])
        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 + 0.45 * wide.shape[1], 0.8 + 0.32 * wide.shape[0]))
        im = ax.imshow(wide.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0)
        ax.set_yticks(range(len(wide.index)), [self.codebook.themes[t].label for t in wide.index])
        ax.set_xticks(range(len(wide.columns)), [str(c) for c in wide.columns], rotation=60, ha="right")
        ax.figure.colorbar(im, ax=ax, label="share of units 单元占比")
        ax.set_title(f"主题占比 theme share by {key}")
        return ax

    def plot_trend(self, themes: str | Sequence[str], *, period: str = "Q", by: str | None = None,
                   rollout: Any = None, ax=None, ci: bool = True):
        """Share of units coded with each theme over time, with optional rollout marks.

        Parameters
        ----------
        themes : str or list of str
        period : str
            Pandas period frequency.
        by : str, optional
            One line per value of this column (only with a single theme).
        rollout : date-like, list of date-likes, or dict label -> date, optional
            Drawn as dashed vertical lines (programme start, 项目启动).
        """
        import matplotlib.pyplot as plt

        from civictools.viz import setup_chinese_font

        setup_chinese_font()
        themes = [themes] if isinstance(themes, str) else list(themes)
        for t in themes:
            self._check_theme(t)
        prev = self.prevalence(by=by, period=period, themes=themes)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4))
        groups = [(t, g) for t, g in prev.groupby("theme", sort=False)] if by is None else \
            [(f"{self.codebook.themes[themes[0]].label} · {k}", g) for k, g in prev.groupby(by, sort=True)]
        for label, g in groups:
            x = g["period"].dt.to_timestamp()
            name = self.codebook.themes[label].label if label in self.codebook.themes else label
            ax.plot(x, g["share"], marker="o", ms=3, label=name)
            if ci:
                ax.fill_between(x, g["ci_low"], g["ci_high"], alpha=0.15)
        marks = rollout
        if marks is not None:
            if isinstance(marks, dict):
                items = list(marks.items())
            elif isinstance(marks, (list, tuple)):
                items = [(None, d) for d in marks]
            else:
                items = [(None, marks)]
            for i, (lab, d) in enumerate(items):
                ax.axvline(pd.Timestamp(d), color="k", ls="--", lw=1,
                           label=(lab or "项目启动 rollout") if i == 0 or lab else None)
        ax.set_ylabel("单元占比 share of units")
        ax.set_xlabel(f"时期 period ({period})")
        ax.legend(fontsize=8)
        return ax


def _tint(color: str) -> str:
    r, g, b = int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
    r, g, b = (int(255 - (255 - c) * 0.35) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _highlight(text: str, spans: list[tuple], colors: dict[str, str], labels: dict[str, str]) -> str:
    """Escape ``text`` and wrap hit spans; overlapping spans show the first theme, all in the title."""
    if not spans:
        return html.escape(text).replace("\n", "<br>")
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    out = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        seg = html.escape(text[a:b]).replace("\n", "<br>")
        cover = [(t, term) for s, e, t, term in spans if s <= a and b <= e]
        if not cover:
            out.append(seg)
            continue
        theme = cover[0][0]
        title = html.escape("; ".join(f"{labels[t]} ({t}): {term}" for t, term in cover), quote=True)
        out.append(f"<mark title=\"{title}\" style='background:{_tint(colors[theme])};"
                   f"border-bottom:2px solid {colors[theme]};padding:0'>{seg}</mark>")
    return "".join(out)
