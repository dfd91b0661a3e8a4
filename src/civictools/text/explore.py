"""Exploring segmented text: frequencies, keywords, KWIC, n-grams, collocations, keyness.

Every function takes tokens in one of two shapes and returns a DataFrame:

* the token table of :meth:`Segmenter.tokens` (a ``token`` column, plus
  ``doc_id``/``sent_id`` and any document metadata you merged in, e.g. a
  ``year`` column for ``by="year"``), or
* a list of token lists (one list per document) as from :meth:`Segmenter.cut_many`.

Punctuation, white space and (with ``stopwords=True``) the stopword list of
the default :class:`Segmenter` are left out of counts.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections import Counter
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from civictools.errors import TextError

__all__ = [
    "term_frequencies",
    "keywords",
    "kwic",
    "KWIC",
    "ngrams",
    "collocations",
    "keyness",
]


@functools.lru_cache(maxsize=1)
def _default_segmenter() -> Any:
    from civictools.text.segmenter import Segmenter

    return Segmenter()


def _stopset(stopwords: Any) -> frozenset[str]:
    if stopwords is True:
        return _default_segmenter().stopwords
    if stopwords is False or stopwords is None:
        return frozenset()
    if isinstance(stopwords, str):
        from civictools.text._lexicon import read_stopwords

        return read_stopwords(stopwords)
    return frozenset(stopwords)


@functools.lru_cache(maxsize=500_000)
def _is_punct(tok: str) -> bool:
    from civictools.text.segmenter import _is_punct as p

    return p(tok)


def _keep(tok: str, stop: frozenset[str], min_len: int = 1) -> bool:
    return (
        len(tok) >= min_len and not tok.isspace() and not _is_punct(tok) and tok not in stop
        and not (min_len > 1 and _is_number(tok))
    )


def _is_number(tok: str) -> bool:
    return tok.replace(".", "").replace("%", "").isdigit()


def _kept(terms: Iterable[str], stop: frozenset[str], min_len: int = 1) -> set[str]:
    """The subset of distinct ``terms`` that are counted."""
    return {t for t in set(terms) if _keep(t, stop, min_len)}


def _as_list(by: Any) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _groups(tokens: Any, by: Any = None) -> list[tuple[tuple[Any, ...], list[list[str]]]]:
    """Split ``tokens`` into ``(group key, list of token sequences)``.

    A sequence is one sentence when the table has ``sent_id``, else one document,
    so n-grams never run across sentence ends.
    """
    by_cols = _as_list(by)
    if isinstance(tokens, pd.DataFrame):
        if "token" not in tokens.columns:
            raise TextError(
                f"the token table needs a 'token' column (columns: {list(tokens.columns)}); "
                "make one with Segmenter().tokens(df)"
            )
        missing = [c for c in by_cols if c not in tokens.columns]
        if missing:
            raise TextError(
                f"by={by!r}: column(s) {missing} not in the token table; merge the document "
                "metadata into it first (tokens.merge(docs[['doc_id', ...]], on='doc_id'))"
            )
        seq_cols = [c for c in ("doc_id", "sent_id") if c in tokens.columns]
        out = []
        grouped = tokens.groupby(by_cols, sort=True, dropna=False) if by_cols else [((), tokens)]
        for key, sub in grouped:
            key = key if isinstance(key, tuple) else (key,)
            out.append((key, _split_sequences(sub, seq_cols)))
        return out
    if by_cols:
        raise TextError("by= needs a token table (DataFrame) with the grouping column(s)")
    if isinstance(tokens, (list, tuple)):
        if all(isinstance(t, str) for t in tokens):
            return [((), [list(tokens)])]
        seqs = []
        for i, doc in enumerate(tokens):
            if isinstance(doc, str) or not isinstance(doc, Iterable):
                raise TextError(
                    f"tokens[{i}]: expected a list of tokens, got {type(doc).__name__}; "
                    "pass Segmenter().cut_many(texts) or a token table"
                )
            seqs.append([str(t) for t in doc])
        return [((), seqs)]
    raise TextError(
        f"tokens must be a token table (DataFrame) or a list of token lists, got {type(tokens).__name__}"
    )


def _split_sequences(sub: pd.DataFrame, seq_cols: list[str]) -> list[list[str]]:
    """Token lists per sequence, in table order, without a Python-level groupby loop."""
    toks = sub["token"].astype(str).to_numpy(dtype=object)
    if not seq_cols or len(toks) == 0:
        return [toks.tolist()] if len(toks) else []
    codes = sub.groupby(seq_cols, sort=False, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    toks = toks[order]
    cuts = np.flatnonzero(np.diff(codes)) + 1
    return [a.tolist() for a in np.split(toks, cuts)]


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


# ------------------------------------------------------------------ frequencies
def term_frequencies(
    tokens: Any, by: Any = None, stopwords: Any = True, min_len: int = 1
) -> pd.DataFrame:
    """Count terms, overall or per group.

    Parameters
    ----------
    tokens : DataFrame or list of token lists
        Token table from :meth:`Segmenter.tokens` or lists from ``cut_many``.
    by : str or list of str, optional
        Grouping column(s) of the token table (``"doc_id"``, ``"year"``, ...).
    stopwords : bool, str or iterable
        ``True`` drops the default stopwords, ``False`` keeps them, or give a
        list. Punctuation is always dropped.
    min_len : int
        Shortest term in characters; with ``min_len >= 2`` numbers are dropped
        too (single characters are mostly function words, measure words and
        pieces of unknown names).

    Returns
    -------
    DataFrame
        ``[*by, term, count, share]`` sorted by group then count (descending);
        ``share`` is the count over all kept tokens of the group.

    Examples
    --------
    >>> term_frequencies([["社工站", "的", "社工", "，"], ["社工站"]])
          term  count  share
    0      社工站      2    0.666667
    1       社工      1    0.333333
    """
    by_cols = _as_list(by)
    stop = _stopset(stopwords)
    rows = []
    for key, seqs in _groups(tokens, by):
        c: Counter[str] = Counter()
        for seq in seqs:
            c.update(seq)
        keep = _kept(c, stop, min_len)
        c = Counter({t: n for t, n in c.items() if t in keep})
        total = sum(c.values())
        for term, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append({**dict(zip(by_cols, key)), "term": term, "count": n, "share": n / total})
    return _frame(rows, [*by_cols, "term", "count", "share"])


# ------------------------------------------------------------------ keywords
def _doc_tokens(df: pd.DataFrame, text_col: str, id_col: str, segmenter: Any) -> pd.DataFrame:
    if "token" in df.columns:
        return df
    seg = segmenter or _default_segmenter()
    return seg.tokens(df, text_col=text_col, id_col=id_col)


def keywords(
    df: pd.DataFrame,
    method: str = "tfidf",
    top: int = 20,
    by: Any = None,
    *,
    text_col: str = "text",
    id_col: str = "doc_id",
    segmenter: Any = None,
    stopwords: Any = True,
    min_len: int = 2,
    window: int = 5,
) -> pd.DataFrame:
    """Top keywords of a corpus or of each group, with IDF from this corpus.

    Parameters
    ----------
    df : DataFrame
        Documents (``text_col``, ``id_col`` and any grouping columns) or a
        token table from :meth:`Segmenter.tokens`.
    method : {"tfidf", "textrank"}
        ``tfidf``: ``tf * idf`` with ``tf`` = term count / token count in the
        group and ``idf = ln((1 + N) / (1 + df_t)) + 1`` over the N documents of
        ``df`` (smoothed as in scikit-learn). ``textrank``: PageRank (damping
        0.85) on the graph of terms co-occurring within ``window`` tokens, as
        in Mihalcea & Tarau (2004) and jieba's ``textrank``.
    top : int
        Keywords per group.
    by : str or list of str, optional
        Grouping column(s); ``None`` ranks the whole corpus.
    segmenter : Segmenter, optional
        Used when ``df`` holds raw text (default: ``Segmenter()``).
    min_len : int
        Shortest term in characters (single characters are mostly function words).

    Returns
    -------
    DataFrame
        ``[*by, rank, term, score]``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": [1, 2, 3], "text": [
    ...     "社工站开展个案服务，社工站很忙。", "网格员入户走访。", "网格员巡查，社工站配合。"]})
    >>> keywords(docs, top=2)["term"].tolist()
    ['社工站', '网格员']
    """
    if method not in ("tfidf", "textrank"):
        raise TextError(f"method must be 'tfidf' or 'textrank', got {method!r}")
    if not isinstance(df, pd.DataFrame):
        raise TextError(f"keywords() needs a DataFrame, got {type(df).__name__}")
    by_cols = _as_list(by)
    toks = _doc_tokens(df, text_col, id_col, segmenter)
    if by_cols and "token" not in df.columns:
        missing = [c for c in by_cols if c not in df.columns]
        if missing:
            raise TextError(f"by={by!r}: column(s) {missing} not in the documents")
        meta = df[[id_col, *by_cols]] if id_col in df.columns else df[by_cols].rename_axis(id_col).reset_index()
        toks = toks.merge(meta.drop_duplicates(id_col), left_on="doc_id", right_on=id_col, how="left")
    stop = _stopset(stopwords)

    good = _kept(toks["token"].astype(str).unique().tolist(), stop, max(min_len, 1))
    if min_len >= 1:
        good = {t for t in good if not _is_number(t)}

    def ok(t: str) -> bool:
        return t in good

    rows = []
    if method == "tfidf":
        n_docs = toks["doc_id"].nunique() if "doc_id" in toks.columns else 1
        pairs = toks[["doc_id", "token"]].drop_duplicates() if "doc_id" in toks.columns else toks[["token"]]
        dfreq = pairs["token"].astype(str).value_counts().to_dict()
        for key, seqs in _groups(toks, by_cols or None):
            c = Counter()
            for seq in seqs:
                c.update(seq)
            c = Counter({t: n for t, n in c.items() if ok(t)})
            total = sum(c.values())
            if not total:
                continue
            scores = {
                t: (n / total) * (math.log((1 + n_docs) / (1 + dfreq[t])) + 1.0) for t, n in c.items()
            }
            best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            for rank, (t, s) in enumerate(best, start=1):
                rows.append({**dict(zip(by_cols, key)), "rank": rank, "term": t, "score": s})
    else:
        for key, seqs in _groups(toks, by_cols or None):
            scores = _textrank([[t for t in seq if ok(t)] for seq in seqs], window)
            best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            for rank, (t, s) in enumerate(best, start=1):
                rows.append({**dict(zip(by_cols, key)), "rank": rank, "term": t, "score": s})
    return _frame(rows, [*by_cols, "rank", "term", "score"])


def _textrank(seqs: list[list[str]], window: int, d: float = 0.85, tol: float = 1e-10) -> dict[str, float]:
    """Weighted PageRank scores on a co-occurrence graph, scaled so the best term has 1."""
    weights: Counter[tuple[str, str]] = Counter()
    for seq in seqs:
        for i, a in enumerate(seq):
            for b in seq[i + 1 : i + window]:
                if a != b:
                    weights[(a, b)] += 1
                    weights[(b, a)] += 1
    terms = sorted({a for a, _ in weights})
    if not terms:
        return {}
    from scipy import sparse

    idx = {t: i for i, t in enumerate(terms)}
    n = len(terms)
    rows_i = np.fromiter((idx[a] for a, _ in weights), dtype=np.int64, count=len(weights))
    cols_j = np.fromiter((idx[b] for _, b in weights), dtype=np.int64, count=len(weights))
    vals = np.fromiter(weights.values(), dtype=float, count=len(weights))
    out_sum = np.bincount(rows_i, weights=vals, minlength=n)
    # column-stochastic transition matrix M[j, i] = w[i, j] / out(i)
    m = sparse.csr_matrix((vals / out_sum[rows_i], (cols_j, rows_i)), shape=(n, n))
    pr = np.full(n, 1.0 / n)
    for _ in range(1000):
        new = (1 - d) / n + d * (m @ pr)
        if np.abs(new - pr).sum() < tol:
            pr = new
            break
        pr = new
    pr = pr / pr.max()
    return dict(zip(terms, pr.tolist()))


# ------------------------------------------------------------------ KWIC
class KWIC(pd.DataFrame):
    """Keyword-in-context lines: ``doc_id, left, match, right, start``.

    A DataFrame whose notebook display lines the matches up in one column.
    """

    _metadata = ["pattern"]

    @property
    def _constructor(self) -> type:
        return KWIC

    def tidy(self) -> pd.DataFrame:
        """The lines as a plain DataFrame."""
        return pd.DataFrame(self)

    def summary(self) -> str:
        """One line: how many matches in how many documents."""
        docs = self["doc_id"].nunique() if "doc_id" in self.columns and len(self) else 0
        return f"KWIC {getattr(self, 'pattern', '')!r}: {len(self)} matches in {docs} documents"

    def _repr_html_(self) -> str:  # noqa: D401 - notebook hook
        if not {"left", "match", "right"} <= set(self.columns):
            return pd.DataFrame(self)._repr_html_()  # type: ignore[operator]
        rows = []
        for rec in self.head(200).itertuples(index=False):
            rows.append(
                "<tr>"
                f"<td style='text-align:left;color:#666'>{html.escape(str(rec.doc_id))}</td>"
                f"<td style='text-align:right;white-space:pre'>{html.escape(rec.left)}</td>"
                f"<td style='text-align:center;font-weight:bold;color:#b30000'>{html.escape(rec.match)}</td>"
                f"<td style='text-align:left;white-space:pre'>{html.escape(rec.right)}</td>"
                "</tr>"
            )
        more = f"<p>… {len(self) - 200} more lines</p>" if len(self) > 200 else ""
        return (
            f"<p>{html.escape(self.summary())}</p>"
            "<table style='font-family:monospace'><thead><tr><th>doc_id</th>"
            "<th style='text-align:right'>left</th><th>match</th><th style='text-align:left'>right</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
        )


def kwic(
    df: pd.DataFrame,
    pattern: str,
    window: int = 15,
    regex: bool = False,
    *,
    text_col: str = "text",
    id_col: str = "doc_id",
) -> KWIC:
    """Find ``pattern`` in the texts and show ``window`` characters either side.

    Parameters
    ----------
    df : DataFrame
        Documents with ``text_col`` (and ``id_col``; the index is used without it).
    pattern : str
        A literal string, or a regular expression with ``regex=True``.
    window : int
        Characters of context on each side; line breaks show as spaces.

    Returns
    -------
    KWIC
        DataFrame ``doc_id, left, match, right, start`` (``start`` is the
        character offset of the match in its document).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["居民议事会讨论了加装电梯的出资方案。"]})
    >>> kwic(docs, "加装电梯", window=4)[["left", "match", "right", "start"]].values.tolist()
    [['会讨论了', '加装电梯', '的出资方', 8]]
    """
    if not isinstance(df, pd.DataFrame) or text_col not in df.columns:
        raise TextError(f"kwic() needs a DataFrame with a {text_col!r} column")
    if not pattern:
        raise TextError("kwic(): empty pattern")
    try:
        rx = re.compile(pattern if regex else re.escape(pattern))
    except re.error as exc:
        raise TextError(f"kwic(): bad regular expression {pattern!r}: {exc}") from None
    ids = df[id_col].tolist() if id_col in df.columns else df.index.tolist()
    rows = []
    for doc_id, text in zip(ids, df[text_col].tolist()):
        if not isinstance(text, str):
            continue
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue
            left = text[max(0, m.start() - window) : m.start()]
            right = text[m.end() : m.end() + window]
            rows.append(
                {
                    "doc_id": doc_id,
                    "left": _flat(left),
                    "match": _flat(m.group(0)),
                    "right": _flat(right),
                    "start": m.start(),
                }
            )
    out = KWIC(pd.DataFrame(rows, columns=["doc_id", "left", "match", "right", "start"]))
    out.pattern = pattern
    return out


def _flat(s: str) -> str:
    return re.sub(r"\s", " ", s)


# ------------------------------------------------------------------ n-grams
def ngrams(
    tokens: Any,
    n: int = 2,
    min_count: int = 1,
    by: Any = None,
    stopwords: Any = True,
    sep: str = " ",
    min_len: int = 1,
) -> pd.DataFrame:
    """Count n-grams of adjacent tokens (never across sentence or document ends).

    An n-gram containing punctuation, or (with ``stopwords=True``) a stopword,
    or a token shorter than ``min_len``, is left out.

    Returns
    -------
    DataFrame
        ``[*by, ngram, count]``; ``ngram`` joins the tokens with ``sep``.

    Examples
    --------
    >>> ngrams([["社工站", "开展", "个案", "服务"], ["社工站", "开展", "小组", "活动"]], min_count=2)
            ngram  count
    0  社工站 开展      2
    """
    if n < 1:
        raise TextError("ngrams(): n must be at least 1")
    by_cols = _as_list(by)
    stop = _stopset(stopwords)
    rows = []
    for key, seqs in _groups(tokens, by):
        good = _kept((t for seq in seqs for t in seq), stop, min_len)
        c: Counter[tuple[str, ...]] = Counter()
        for seq in seqs:
            flags = [t in good for t in seq]
            for i in range(len(seq) - n + 1):
                if all(flags[i : i + n]):
                    c[tuple(seq[i : i + n])] += 1
        for gram, k in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
            if k >= min_count:
                rows.append({**dict(zip(by_cols, key)), "ngram": sep.join(gram), "count": k})
    return _frame(rows, [*by_cols, "ngram", "count"])


# ------------------------------------------------------------------ statistics
def _g2_many(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """G² of many 2×2 tables [[a, b], [c, d]] at once."""
    cells = np.stack([a, b, c, d]).astype(float)
    n = cells.sum(axis=0)
    row = np.stack([a + b, a + b, c + d, c + d]).astype(float)
    col = np.stack([a + c, b + d, a + c, b + d]).astype(float)
    expected = row * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(cells > 0, cells * np.log(cells / expected), 0.0)
    return 2.0 * terms.sum(axis=0)


def _chi2_many(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Pearson χ² (no continuity correction) of many 2×2 tables at once."""
    cells = np.stack([a, b, c, d]).astype(float)
    n = cells.sum(axis=0)
    row = np.stack([a + b, a + b, c + d, c + d]).astype(float)
    col = np.stack([a + c, b + d, a + c, b + d]).astype(float)
    expected = row * col / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (cells - expected) ** 2 / expected, 0.0)
    return terms.sum(axis=0)


def _g2(table: np.ndarray) -> float:
    """Dunning's log-likelihood G² = 2 Σ O ln(O/E) of a 2×2 table (0 ln 0 = 0)."""
    total = table.sum()
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    mask = table > 0
    return float(2.0 * np.sum(table[mask] * np.log(table[mask] / expected[mask])))


def collocations(
    tokens: Any, min_count: int = 5, measure: str = "pmi", stopwords: Any = True, min_len: int = 1
) -> pd.DataFrame:
    """Adjacent word pairs that occur together more often than chance.

    For a pair (w1, w2) with ``count`` = c12, ``count_w1`` = c1 (w1 first in a
    pair), ``count_w2`` = c2 (w2 second in a pair) and N adjacent pairs:
    ``pmi = log2(c12 · N / (c1 · c2))`` and ``llr`` = Dunning's G² of the
    table [[c12, c1−c12], [c2−c12, N−c1−c2+c12]] (Dunning 1993). Pairs with
    punctuation, stopwords or words shorter than ``min_len`` are not reported
    but count in N.

    Returns
    -------
    DataFrame
        ``w1, w2, count, count_w1, count_w2, pmi, llr`` sorted by ``measure``.

    Examples
    --------
    >>> docs = [["居民", "议事", "会议"], ["居民", "议事"], ["社区", "会议"]] * 3
    >>> collocations(docs, min_count=3)[["w1", "w2", "count"]].values.tolist()
    [['居民', '议事', 6], ['社区', '会议', 3], ['议事', '会议', 3]]
    """
    if measure not in ("pmi", "llr"):
        raise TextError(f"measure must be 'pmi' or 'llr', got {measure!r}")
    stop = _stopset(stopwords)
    pairs: Counter[tuple[str, str]] = Counter()
    for _key, seqs in _groups(tokens):
        for seq in seqs:
            pairs.update(zip(seq, seq[1:]))
    n_pairs = sum(pairs.values())
    first: Counter[str] = Counter()
    second: Counter[str] = Counter()
    for (a, b), k in pairs.items():
        first[a] += k
        second[b] += k
    good = _kept(first.keys() | second.keys(), stop, min_len)
    sel = [(a, b, k) for (a, b), k in pairs.items() if k >= min_count and a in good and b in good]
    w1 = [a for a, _, _ in sel]
    w2 = [b for _, b, _ in sel]
    k12 = np.array([k for _, _, k in sel], dtype=float)
    c1 = np.array([first[a] for a in w1], dtype=float)
    c2 = np.array([second[b] for b in w2], dtype=float)
    rows = {
        "w1": w1,
        "w2": w2,
        "count": k12.astype(int),
        "count_w1": c1.astype(int),
        "count_w2": c2.astype(int),
        "pmi": np.log2(k12 * n_pairs / (c1 * c2)) if sel else np.array([]),
        "llr": _g2_many(k12, c1 - k12, c2 - k12, n_pairs - c1 - c2 + k12) if sel else np.array([]),
    }
    out = pd.DataFrame(rows, columns=["w1", "w2", "count", "count_w1", "count_w2", "pmi", "llr"])
    return out.sort_values([measure, "count", "w1", "w2"], ascending=[False, False, True, True],
                           kind="mergesort").reset_index(drop=True)


def keyness(
    target: Any,
    reference: Any,
    measure: str = "chi2",
    min_count: int = 2,
    stopwords: Any = True,
    min_len: int = 1,
) -> pd.DataFrame:
    """Terms over- or under-represented in ``target`` compared with ``reference``.

    For each term the 2×2 table is [[a, b], [Nt−a, Nr−b]] with a, b its counts
    and Nt, Nr the kept token totals. ``chi2`` is Pearson's χ² without Yates'
    correction, ``llr`` is Dunning's G²; both get a p-value from χ²(1). The
    statistic is signed: positive when the term is relatively more frequent in
    the target (as in quanteda's ``textstat_keyness``).

    Returns
    -------
    DataFrame
        ``term, count_target, count_reference, share_target, share_reference,
        <measure>, p_value`` sorted by the signed statistic, largest first.

    Examples
    --------
    >>> t = [["加装电梯", "协商", "加装电梯", "居民"]] * 5
    >>> r = [["垃圾分类", "居民", "协商", "志愿者"]] * 5
    >>> keyness(t, r)["term"].tolist()[:1]
    ['加装电梯']
    """
    if measure not in ("chi2", "llr"):
        raise TextError(f"measure must be 'chi2' or 'llr', got {measure!r}")
    from scipy.stats import chi2 as chi2_dist

    stop = _stopset(stopwords)
    ct: Counter[str] = Counter()
    cr: Counter[str] = Counter()
    for counter, data in ((ct, target), (cr, reference)):
        for _k, seqs in _groups(data):
            for seq in seqs:
                counter.update(seq)
    good = _kept(ct.keys() | cr.keys(), stop, min_len)
    ct = Counter({t: n for t, n in ct.items() if t in good})
    cr = Counter({t: n for t, n in cr.items() if t in good})
    nt, nr = sum(ct.values()), sum(cr.values())
    if not nt or not nr:
        raise TextError("keyness(): the target or the reference has no tokens left after filtering")
    terms = sorted(t for t in set(ct) | set(cr) if ct.get(t, 0) + cr.get(t, 0) >= min_count)
    a = np.array([ct.get(t, 0) for t in terms], dtype=float)
    b = np.array([cr.get(t, 0) for t in terms], dtype=float)
    stat = _chi2_many(a, b, nt - a, nr - b) if measure == "chi2" else _g2_many(a, b, nt - a, nr - b)
    sign = np.where(a / nt >= b / nr, 1.0, -1.0)
    rows = {
        "term": terms,
        "count_target": a.astype(int),
        "count_reference": b.astype(int),
        "share_target": a / nt,
        "share_reference": b / nr,
        measure: sign * stat,
        "p_value": chi2_dist.sf(stat, 1),
    }
    cols = ["term", "count_target", "count_reference", "share_target", "share_reference", measure, "p_value"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values([measure, "term"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
