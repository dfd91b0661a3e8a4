"""Validating automatic coding against gold codes, and finding candidate terms."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from civictools.errors import CodebookError, DataDroppedWarning

__all__ = ["evaluate_coding", "EvaluationResult", "suggest_terms", "codes_to_matrix"]


@dataclass(frozen=True, eq=False)
class EvaluationResult:
    """Precision, recall and F1 of automatic coding against gold codes.

    Attributes
    ----------
    table : DataFrame
        theme, support, predicted, tp, fp, fn, precision, recall, f1, then percentile bootstrap
        confidence limits ``f1_low``, ``f1_high``, ``precision_low`` … ``recall_high`` (NaN without a
        bootstrap, and for a theme neither in the gold nor predicted); last rows ``micro``, ``macro``.
    errors : DataFrame
        unit_id, doc_id, theme, error (``FP`` / ``FN``), terms, cause, text. For a false
        positive, ``terms`` are the matched terms and ``cause`` says how many matches coded it
        (``"1 match"``: one passing mention, a candidate for a lower weight or a context rule).
        For a false negative, ``terms`` are the theme's candidates that were turned down, each
        with its reason (``社工 (trap)``), and ``cause`` is ``"no candidate"`` (no term of the
        theme occurs: a gap in the vocabulary) or ``"turned down: …"`` (the rules that rejected
        them: boundary, trap, context, negation, proximity, nested, min_hits).
    n_units : int
        Units evaluated.
    n_unmatched : int
        Gold units that could not be found in the coded corpus (warned).
    n_boot, level, seed : int, float, int
        The bootstrap behind the confidence limits (``n_boot=0``: none).
    """

    table: pd.DataFrame
    errors: pd.DataFrame
    n_units: int
    n_unmatched: int = 0
    label: str = ""
    n_boot: int = 0
    level: float = 0.95
    seed: int = 0

    @property
    def micro_f1(self) -> float:
        return float(self.table.set_index("theme").loc["micro", "f1"])

    @property
    def macro_f1(self) -> float:
        return float(self.table.set_index("theme").loc["macro", "f1"])

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self):
        from civictools.coding.coded import Summary

        t = self.table.set_index("theme")

        def ci(row: str) -> str:
            lo, hi = t.loc[row, "f1_low"], t.loc[row, "f1_high"]
            return "" if np.isnan(lo) else f" [{lo:.3f}, {hi:.3f}]"

        lines = [f"{self.n_units} units{(' (' + self.label + ')') if self.label else ''}; "
                 f"micro-F1 {self.micro_f1:.3f}{ci('micro')}, macro-F1 {self.macro_f1:.3f}{ci('macro')}; "
                 f"{int((self.errors['error'] == 'FP').sum())} false positives, "
                 f"{int((self.errors['error'] == 'FN').sum())} false negatives"]
        lines += _error_causes(self.errors)
        if self.n_boot:
            lines.append(f"[…]: {self.level:.0%} percentile bootstrap confidence intervals over units "
                         f"(B = {self.n_boot}, seed {self.seed})")
        if self.n_unmatched:
            lines.append(f"{self.n_unmatched} gold units not found in the coded corpus were left out")
        return Summary("Coding evaluation", lines, self.table.round(3))

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return (f"EvaluationResult(units={self.n_units}, micro_f1={self.micro_f1:.3f}, "
                f"macro_f1={self.macro_f1:.3f})")


def _error_causes(errors: pd.DataFrame) -> list[str]:
    """Summary lines: where the false negatives and false positives come from."""
    out = []
    fn = errors[errors["error"] == "FN"]
    if len(fn):
        gap = int((fn["cause"] == "no candidate").sum())
        reasons = (fn.loc[fn["cause"] != "no candidate", "cause"].str.removeprefix("turned down: ")
                   .str.split(", ").explode().value_counts())
        detail = f" ({', '.join(f'{k} {v}' for k, v in reasons.items())})" if len(reasons) else ""
        out.append(f"false negatives: {gap} with no candidate term (vocabulary gaps), {len(fn) - gap} with "
                   f"candidates turned down{detail}")
    fp = errors[errors["error"] == "FP"]
    if len(fp):
        once = int((fp["cause"] == "1 match").sum())
        out.append(f"false positives: {once} from a single match, {len(fp) - once} from several matches")
    return out


def codes_to_matrix(codes: pd.Series, themes: Sequence[str], sep: str = ";") -> pd.DataFrame:
    """Turn a Series of ``sep``-joined theme ids into a 0/1 unit × theme DataFrame.

    >>> codes_to_matrix(pd.Series(["a;b", "", None], index=["u1", "u2", "u3"]), ["a", "b"])
        a  b
    u1  1  1
    u2  0  0
    u3  0  0
    """
    rows = []
    for v in codes:
        s = _code_set(v, sep)
        rows.append([int(t in s) for t in themes])
    return pd.DataFrame(rows, index=codes.index, columns=list(themes), dtype="int64")


def _code_set(v: Any, sep: str) -> set[str]:
    """Theme ids of one cell: a ``sep``-joined string, a set/list, or empty/NaN for none."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return set()
    if isinstance(v, (set, frozenset, list, tuple)):
        return {str(x).strip() for x in v if str(x).strip()}
    return {x.strip() for x in str(v).split(sep) if x.strip()}


def evaluate_coding(coded: Any, gold: pd.DataFrame, *, gold_col: str = "gold", sep: str = ";",
                    split: str | None = None, themes: Sequence[str] | None = None, n_boot: int = 1000,
                    level: float = 0.95, seed: int = 0) -> EvaluationResult:
    """Precision, recall and F1 per theme, micro and macro, with the errors listed.

    Parameters
    ----------
    coded : CodedCorpus or ThemeCoder
        A coded corpus (gold units are matched by ``unit_id``, else by ``doc_id``/``start``/``end``)
        or a coder, which then codes each gold unit's ``text`` on its own.
    gold : DataFrame
        One row per unit with ``unit_id`` (or ``doc_id``, ``start``, ``end``), ``text`` and
        ``gold_col`` holding the gold theme ids joined by ``sep`` (empty for none) or as sets
        (as :func:`civictools.load_demo_gold` returns them).
    split : str, optional
        Keep only gold rows whose ``split`` column equals this (``"dev"`` / ``"test"``).
    themes : list of str, optional
        Themes to evaluate (default: the codebook's).
    n_boot, level, seed
        Percentile bootstrap over units for the confidence limits of precision, recall and F1
        (``n_boot=0`` for none), seeded. With 7 gold units of a theme, its F1 can move by 0.3
        from one sample to the next: the limits say how far.

    Returns
    -------
    EvaluationResult

    Notes
    -----
    Micro averages pool all unit × theme decisions; macro averages the per-theme figures over
    themes that occur in the gold or in the predictions (as scikit-learn does, with 0 for
    undefined precision/recall). The bootstrap resamples whole units (a unit's themes stay
    together) and recomputes every figure, macro included, by the same rules in each resample.

    Examples
    --------
    >>> from civictools.coding import ThemeCoder
    >>> gold = pd.DataFrame({"unit_id": ["u1", "u2"], "text": ["社区开展义诊。", "物业公司清理楼道。"],
    ...                      "gold": ["convenience_services", "living_environment"]})
    >>> res = evaluate_coding(ThemeCoder(), gold)
    >>> res.micro_f1
    1.0
    >>> missed = pd.DataFrame({"unit_id": ["u3"], "text": ["今天天气很好。"], "gold": ["volunteering"]})
    >>> evaluate_coding(ThemeCoder(), missed, n_boot=0).errors[["theme", "error", "cause"]].values.tolist()
    [['volunteering', 'FN', 'no candidate']]
    """
    if not isinstance(gold, pd.DataFrame):
        raise CodebookError("gold must be a DataFrame")
    if gold_col not in gold.columns:
        raise CodebookError(f"gold has no {gold_col!r} column (columns: {list(gold.columns)}); pass gold_col=")
    g = gold
    if split is not None:
        if "split" not in g.columns:
            raise CodebookError("split= given but gold has no 'split' column")
        g = g[g["split"] == split]
    g = g.reset_index(drop=True)
    n_unmatched = 0
    if hasattr(coded, "themes") and callable(getattr(coded, "themes")) and hasattr(coded, "codebook"):
        coder = coded
        if "text" not in g.columns:
            raise CodebookError("evaluating a ThemeCoder needs a 'text' column in gold")
        theme_ids = list(themes or coder.codebook.theme_ids)
        ids = g["unit_id"].astype(str) if "unit_id" in g.columns else pd.Series([f"u{i + 1}" for i in range(len(g))])
        # one scan per unit: explain()'s hits are the hits themes() reports
        found, hits_terms, n_hits, turned_down = [], {}, {}, {}
        for uid, text in zip(ids, g["text"]):
            ex = coder.explain(str(text))
            hit = ex["status"] == "hit"
            found.append(set(ex.loc[hit, "theme"]))
            for th, sub in ex[hit].groupby("theme"):
                hits_terms[(uid, th)] = "、".join(dict.fromkeys(sub["term"]))
                n_hits[(uid, th)] = len(sub)
            for th, sub in ex[~hit].groupby("theme"):
                turned_down[(uid, th)] = list(zip(sub["term"], sub["status"]))
        pred = pd.DataFrame([[int(t in f) for t in theme_ids] for f in found], index=ids, columns=theme_ids)
        texts = pd.Series(list(g["text"].astype(str)), index=ids)
        doc_ids = pd.Series(list(g["doc_id"]) if "doc_id" in g.columns else [None] * len(g), index=ids)
    else:
        theme_ids = list(themes or coded.theme_ids)
        units = coded.units
        m = coded.matrix()
        if "unit_id" in g.columns and g["unit_id"].astype(str).isin(units["unit_id"].astype(str)).all():
            ids = g["unit_id"].astype(str)
            key = pd.Series(units["unit_id"].astype(str).to_numpy(), index=units["unit_id"].astype(str))
            mapped = ids.map(key)
        elif {"doc_id", "start", "end"} <= set(g.columns):
            k_units = units["doc_id"].astype(str) + "@" + units["start"].astype(str) + "-" + units["end"].astype(str)
            lookup = pd.Series(units["unit_id"].to_numpy(), index=k_units)
            lookup = lookup[~lookup.index.duplicated()]
            k_gold = g["doc_id"].astype(str) + "@" + g["start"].astype(str) + "-" + g["end"].astype(str)
            mapped = k_gold.map(lookup)
        else:
            raise CodebookError("gold needs unit_id values of the coded corpus, or doc_id/start/end columns")
        miss = mapped.isna()
        n_unmatched = int(miss.sum())
        if n_unmatched:
            warnings.warn(f"{n_unmatched} gold unit(s) not found in the coded corpus were left out of the "
                          "evaluation (code with the same unit, or pass the ThemeCoder itself)",
                          DataDroppedWarning, stacklevel=2)
        g = g.loc[~miss].reset_index(drop=True)
        ids = mapped[~miss].astype(str).reset_index(drop=True)
        m.index = m.index.astype(str)
        pred = m.loc[ids, theme_ids]
        h, rj = coded.hits, coded.rejected
        hits_terms = {(str(u), t): "、".join(dict.fromkeys(s["term"])) for (u, t), s in
                      h.groupby(["unit_id", "theme"])} if len(h) else {}
        n_hits = {(str(u), t): int(n) for (u, t), n in h.groupby(["unit_id", "theme"]).size().items()} if len(h) else {}
        turned_down = {(str(u), t): list(zip(s["term"], s["reason"])) for (u, t), s in
                       rj.groupby(["unit_id", "theme"])} if len(rj) else {}
        texts = units.assign(unit_id=units["unit_id"].astype(str)).set_index("unit_id")["text"].loc[ids]
        doc_ids = units.assign(unit_id=units["unit_id"].astype(str)).set_index("unit_id")["doc_id"].loc[ids]
    unknown = sorted({x for v in g[gold_col] for x in _code_set(v, sep)} - set(theme_ids))
    if unknown:
        raise CodebookError(f"gold uses theme ids not in the codebook: {unknown}")
    truth = codes_to_matrix(pd.Series(list(g[gold_col]), index=list(ids)), theme_ids, sep)
    P = pred.to_numpy(dtype=int)
    T = truth.to_numpy(dtype=int)
    tp = (P & T).sum(axis=0)
    fp = (P & (1 - T)).sum(axis=0)
    fn = ((1 - P) & T).sum(axis=0)
    rows = []
    for j, t in enumerate(theme_ids):
        p, r, f = _prf(tp[j], fp[j], fn[j])
        rows.append((t, int(T[:, j].sum()), int(P[:, j].sum()), int(tp[j]), int(fp[j]), int(fn[j]), p, r, f))
    table = pd.DataFrame(rows, columns=["theme", "support", "predicted", "tp", "fp", "fn", "precision", "recall",
                                        "f1"])
    mp, mr, mf = _prf(tp.sum(), fp.sum(), fn.sum())
    used = table[(table["support"] > 0) | (table["predicted"] > 0)]
    micro = ("micro", int(T.sum()), int(P.sum()), int(tp.sum()), int(fp.sum()), int(fn.sum()), mp, mr, mf)
    macro = ("macro", int(T.sum()), int(P.sum()), int(tp.sum()), int(fp.sum()), int(fn.sum()),
             float(used["precision"].mean()) if len(used) else 0.0,
             float(used["recall"].mean()) if len(used) else 0.0,
             float(used["f1"].mean()) if len(used) else 0.0)
    table = pd.concat([table, pd.DataFrame([micro, macro], columns=table.columns)], ignore_index=True)
    table = pd.concat([table, _bootstrap_limits(P, T, n_boot, level, seed)], axis=1)
    err = []
    for i, uid in enumerate(ids):
        for j, t in enumerate(theme_ids):
            if P[i, j] and not T[i, j]:
                n = n_hits[(uid, t)]
                cause = "1 match" if n == 1 else f"{n} matches"
                err.append((uid, doc_ids.iloc[i], t, "FP", hits_terms.get((uid, t), ""), cause, texts.iloc[i]))
            elif T[i, j] and not P[i, j]:
                down = turned_down.get((uid, t), [])
                terms = "、".join(dict.fromkeys(f"{term} ({why})" for term, why in down))
                cause = ("turned down: " + ", ".join(sorted({why for _, why in down}))) if down else "no candidate"
                err.append((uid, doc_ids.iloc[i], t, "FN", terms, cause, texts.iloc[i]))
    errors = pd.DataFrame(err, columns=["unit_id", "doc_id", "theme", "error", "terms", "cause", "text"])
    return EvaluationResult(table=table, errors=errors, n_units=len(ids), n_unmatched=n_unmatched,
                            label=f"split={split}" if split else "", n_boot=n_boot, level=level, seed=seed)


_LIMITS = ["f1_low", "f1_high", "precision_low", "precision_high", "recall_low", "recall_high"]


def _resample_counts(P: np.ndarray, T: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, ...]:
    """tp, fp and fn of ``n_boot`` bootstrap resamples of the units (rows) per theme (columns):
    each resample is a row of multinomial unit counts, so the weighted counts of all resamples
    are three matrix products. The same ``seed`` and number of units give the same resamples,
    which pairs the resamples of two codings of the same units."""
    n = len(P)
    rng = np.random.default_rng(seed)
    parts = []
    for size in [256] * (n_boot // 256) + ([n_boot % 256] if n_boot % 256 else []):
        # resamples in blocks: B x n unit counts at once would be 80 MB per 10,000 units
        W = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(float)
        parts.append((W @ (P & T), W @ (P & (1 - T)), W @ ((1 - P) & T)))
    return tuple(np.concatenate(x) for x in zip(*parts))


def _bootstrap_limits(P: np.ndarray, T: np.ndarray, n_boot: int, level: float, seed: int) -> pd.DataFrame:
    """Percentile limits of precision, recall and F1 per theme, micro and macro (rows as the
    table)."""
    k = P.shape[1]
    out = pd.DataFrame(np.nan, index=range(k + 2), columns=_LIMITS)
    if not 0 < level < 1:
        raise CodebookError(f"level must be between 0 and 1, not {level}")
    if not n_boot or not len(P):
        return out
    tp, fp, fn = _resample_counts(P, T, n_boot, seed)

    def prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, ...]:
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
            r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
        return p, r, f

    p, r, f = prf(tp, fp, fn)
    used = (tp + fn + fp) > 0  # theme in the resample's gold or predictions
    n_used = used.sum(axis=1)
    stats = {"micro": prf(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1)),
             "macro": tuple(np.where(n_used > 0, (x * used).sum(axis=1) / np.maximum(n_used, 1), 0.0)
                            for x in (p, r, f))}
    a = (1 - level) / 2
    present = (P | T).any(axis=0)
    for j in range(k):
        if present[j]:
            for name, x in zip(("precision", "recall", "f1"), (p[:, j], r[:, j], f[:, j])):
                out.loc[j, [f"{name}_low", f"{name}_high"]] = np.quantile(x, [a, 1 - a])
    for row, (name, xs) in enumerate(stats.items(), start=k):
        for label, x in zip(("precision", "recall", "f1"), xs):
            out.loc[row, [f"{label}_low", f"{label}_high"]] = np.quantile(x, [a, 1 - a])
    return out


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return float(p), float(r), float(f)


# -------------------------------------------------------------------------------------------
# candidate terms
# -------------------------------------------------------------------------------------------

def suggest_terms(coded: Any, theme: str, top: int = 20, *, measure: str = "llr", min_count: int = 3,
                  window: int = 12, n_evidence: int = 3, segmenter: Any = None,
                  units: Sequence[Any] | None = None) -> pd.DataFrame:
    """Candidate new terms for ``theme``: words over-represented in its units.

    Each word of the units coded with ``theme`` (or of ``units``, when given) is compared with
    the rest of the corpus by
    Dunning's log-likelihood ratio (G², ``measure="llr"``) or pointwise mutual information
    (``"pmi"``, log2 of the word's rate in the theme's units over its rate overall). Words
    already among the theme's terms or overlapping one of its hits, stopwords, punctuation,
    numbers and single characters are skipped; only over-represented words are kept.

    Parameters
    ----------
    units : sequence of unit ids, optional
        The units to learn from instead of those coded with ``theme``: typically the gold
        units the codebook missed, ``errors.query("theme == @t and error == 'FN'")["unit_id"]``
        of :func:`evaluate_coding` on the same coded corpus, whose words show its vocabulary
        gaps (``cause == "no candidate"``).

    Returns
    -------
    DataFrame
        term, n_theme (occurrences in the theme's units), n_rest, llr, pmi, evidence (KWIC lines
        ``left【term】right`` from the theme's units, joined by `` | ``).

    Examples
    --------
    >>> from civictools.coding import ThemeCoder
    >>> texts = ["独居老人需要助餐服务，社区开设爱心饭堂。"] * 3 + ["居民议事会讨论停车问题。"] * 3
    >>> cc = ThemeCoder().code(texts, unit="document", progress=False)
    >>> "饭堂" in set(suggest_terms(cc, "elderly_care", min_count=2)["term"])
    True
    """
    if theme not in coded.theme_ids:
        raise CodebookError(f"unknown theme {theme!r}")
    if measure not in ("llr", "pmi"):
        raise CodebookError("measure must be 'llr' or 'pmi'")
    if segmenter is None:
        from civictools.text import Segmenter

        segmenter = Segmenter()
    if units is None:
        m = coded.matrix()
        in_theme = set(m.index[m[theme] > 0])
    else:
        have = dict(zip(coded.units["unit_id"].astype(str), coded.units["unit_id"]))
        wanted = [str(u) for u in units]
        missing = [u for u in wanted if u not in have]
        if missing:
            raise CodebookError(f"{len(missing)} of the units= ids are not units of the coded corpus "
                                f"(first: {missing[0]!r}); pass unit_id values of coded.units")
        in_theme = {have[u] for u in wanted}
    known = {t.pattern for t in coded.codebook.themes[theme].terms}
    stop = getattr(segmenter, "is_stopword", lambda w: False)
    a: dict[str, int] = {}
    b: dict[str, int] = {}
    where: dict[str, list[tuple[str, int, int]]] = {}
    A = B = 0
    h = coded.hits[coded.hits["theme"] == theme]
    spans: dict[Any, list[tuple[int, int]]] = {}
    for u, hs, he in zip(h["unit_id"], h["start"], h["end"]):
        spans.setdefault(u, []).append((int(hs), int(he)))
    for uid, text in zip(coded.units["unit_id"], coded.units["text"]):
        inside = uid in in_theme
        covered = spans.get(uid, ())
        for tok, s, e in segmenter.tokenize(text):
            if len(tok) < 2 or not any("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in tok):
                continue
            if stop(tok) or any(s < he and hs < e for hs, he in covered):
                continue  # part of a term already matched for this theme
            if inside:
                A += 1
                a[tok] = a.get(tok, 0) + 1
                lst = where.setdefault(tok, [])
                if len(lst) < n_evidence:
                    lst.append((text, s, e))
            else:
                B += 1
                b[tok] = b.get(tok, 0) + 1
    rows = []
    N = A + B
    for w, k in a.items():
        if k < min_count or w in known:
            continue
        kb = b.get(w, 0)
        if B and k / A <= kb / B:
            continue
        llr = _g2(k, A - k, kb, B - kb)
        pmi = math.log2((k / A) / ((k + kb) / N)) if N else 0.0
        ev = " | ".join(f"{t[max(0, s - window):s]}【{t[s:e]}】{t[e:e + window]}".replace("\n", " ")
                        for t, s, e in where.get(w, []))
        rows.append((w, k, kb, llr, pmi, ev))
    out = pd.DataFrame(rows, columns=["term", "n_theme", "n_rest", "llr", "pmi", "evidence"])
    out = out.sort_values([measure, "n_theme", "term"], ascending=[False, False, True], kind="stable")
    return out.head(top).reset_index(drop=True)


def _g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G² for the 2×2 table [[a, b], [c, d]] (word/other × theme/rest)."""
    n = a + b + c + d
    total = 0.0
    for o, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        if o > 0:
            e = row * col / n
            total += o * math.log(o / e)
    return 2.0 * total
