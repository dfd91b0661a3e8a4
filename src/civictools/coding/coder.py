"""ThemeCoder: code units of a corpus with a codebook."""

from __future__ import annotations

import warnings
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from civictools.coding import _batch
from civictools.coding._matcher import CompiledCodebook, boundary_function
from civictools.coding.codebook import Codebook, load_codebook
from civictools.errors import CivictoolsError, CivictoolsWarning, CodebookError, DataDroppedWarning

__all__ = ["ThemeCoder", "UNITS"]

UNITS = ("sentence", "paragraph", "agenda_item", "document")
_PREFIX = {"sentence": "s", "paragraph": "p", "agenda_item": "a", "document": "d"}
_CHUNK_CHARS = 250_000


class ThemeCoder:
    """Code texts with a codebook.

    Parameters
    ----------
    codebook : str, path or Codebook, default "default"
        Anything :func:`load_codebook` accepts.
    segmenter : object with ``tokenize(text) -> [(token, start, end), ...]``, optional
        Used for token-boundary checks; default ``civictools.Segmenter()`` (governance lexicon).
    match : {"token", "substring"}, default "token"
        ``"token"``: a literal term only counts when it starts and ends on token boundaries
        (自治 does not match inside 自治区); terms marked ``match: substring`` in the codebook
        still match anywhere. ``"substring"``: every literal matches anywhere. Recorded on results.

    Examples
    --------
    >>> coder = ThemeCoder()
    >>> sorted(coder.themes("社区党委组织在职党员到新建的社工站开展志愿服务。"))
    ['party_leadership', 'service_network', 'social_work_service', 'volunteering']
    >>> sorted(coder.themes("社区党委书记王芳说，今年天气不错。"))
    []
    """

    def __init__(self, codebook: Any = "default", segmenter: Any = None, match: str = "token"):
        self.codebook: Codebook = load_codebook(codebook)
        if match not in ("token", "substring"):
            raise CodebookError(f"match must be 'token' or 'substring', not {match!r}")
        self.match = match
        self._segmenter = segmenter
        self._compiled = CompiledCodebook(self.codebook, match)
        # code() codes many units in one pass (_batch.scan_many, equal to scanning unit by
        # unit); False switches to the unit-by-unit path (tests compare the two)
        self._batch = True

    def __repr__(self) -> str:
        return f"ThemeCoder(codebook={self.codebook.name!r}, match={self.match!r})"

    @property
    def segmenter(self):
        """The segmenter used for token boundaries (created on first use)."""
        if self._segmenter is None and self.match == "token":
            from civictools.text import Segmenter

            self._segmenter = Segmenter()
        return self._segmenter

    def _bounds(self):
        seg = self.segmenter
        if seg is None:
            return None
        cached = self.__dict__.get("_bounds_fn")
        if cached is None or cached[0] is not seg:
            cached = self._bounds_fn = (seg, boundary_function(seg))
        return cached[1]

    # -- one text ----------------------------------------------------------------------
    def themes(self, text: str) -> set[str]:
        """Themes coded in one unit of text."""
        hits, _ = self._compiled.scan(_check_text(text), bounds=self._bounds())
        ids = self._compiled.theme_ids
        return {ids[h[0]] for h in hits}

    def explain(self, text: str) -> pd.DataFrame:
        """Every candidate match in ``text`` with its fate, for tuning a codebook.

        Columns: theme, term, status (``hit`` or the reason it was rejected: boundary, trap,
        context, negation, proximity, nested, min_hits), rule, start, end.

        >>> ThemeCoder().explain("自治区")[["theme", "term", "status"]].values.tolist()
        [['resident_selfgov', '自治', 'boundary']]
        """
        hits, rejected = self._compiled.scan(_check_text(text), bounds=self._bounds())
        ids = self._compiled.theme_ids
        rows = [(ids[t], term, "hit", rule, s, e) for t, term, rule, s, e, _ in hits]
        rows += [(ids[t], term, reason, None, s, e) for t, term, reason, s, e in rejected]
        df = pd.DataFrame(rows, columns=["theme", "term", "status", "rule", "start", "end"])
        return df.sort_values(["start", "end", "theme"], kind="stable").reset_index(drop=True)

    def _minutes(self, text: str, doc_id: Any):
        """(header spans, agenda spans) of a minutes text, cached: parsing is the slow part."""
        cache = self.__dict__.setdefault("_minutes_cache", {})
        if text not in cache:
            m = _parse(text, doc_id)
            if len(cache) > 4096:
                cache.clear()
            cache[text] = None if m is None else (
                [(int(a), int(b)) for a, b in m.header_spans],
                [(int(a), int(b)) for a, b in zip(m.agenda["start"], m.agenda["end"])])
        return cache[text]

    def _scan_units(self, texts: list[str], masks: list, done: int) -> tuple[dict, dict]:
        """Code the units ``texts[done:]`` (columns of ``_batch.HIT_COLUMNS`` and
        ``_batch.REJECTED_COLUMNS``, unit indices counted from the first unit)."""
        seg = self.segmenter
        if getattr(self, "_batch", True):
            out = _batch.scan_many(self._compiled, texts[done:], masks[done:], seg, self._bounds())
        else:  # the unit-by-unit reference path
            out = _batch.scan_each(self._compiled, texts[done:], masks[done:], self._bounds())
        out["hits"]["unit"] = out["hits"]["unit"] + done
        out["rejected"]["unit"] = out["rejected"]["unit"] + done
        return out["hits"], out["rejected"]

    # -- a corpus ----------------------------------------------------------------------
    def code(self, corpus: Any, unit: str = "paragraph", *, text_col: str = "text",
             id_col: str = "doc_id", progress: bool = True):
        """Code every unit of a corpus.

        Parameters
        ----------
        corpus : DataFrame or sequence of str
            One row per document with ``doc_id`` and ``text`` (other columns such as kind,
            community and date are carried to the units as metadata). A list of strings gets
            doc ids ``doc1``, ``doc2`` ….
        unit : {"sentence", "paragraph", "agenda_item", "document"}
            ``agenda_item`` uses the agenda of minutes (``kind == "minutes"``); other documents
            fall back to paragraphs (counted in ``n_fallback_docs`` and noted).
        progress : bool
            Show a progress bar for corpora of 50 documents or more.

        Returns
        -------
        CodedCorpus

        Examples
        --------
        >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "community": ["纺机社区", "粮站社区"],
        ...                      "text": ["网格员分工入户巡查安全隐患。\\n\\n今天天气很好。", "社区开展义诊。"]})
        >>> cc = ThemeCoder().code(docs, unit="paragraph", progress=False)
        >>> cc.matrix()[["grid_coordination", "safety_emergency", "convenience_services"]]
                 grid_coordination  safety_emergency  convenience_services
        unit_id
        a#p1                     1                 1                     0
        a#p2                     0                 0                     0
        b#p1                     0                 0                     1
        """
        from civictools.coding.coded import CodedCorpus

        if unit not in UNITS:
            raise CodebookError(f"unit must be one of {UNITS}, not {unit!r}")
        docs = _as_corpus(corpus, text_col, id_col)
        n_in = len(docs)
        bad = docs[text_col].isna() | (docs[text_col].astype(str).str.strip() == "")
        n_dropped = int(bad.sum())
        if n_dropped:
            warnings.warn(f"{n_dropped} document(s) without text were not coded "
                          f"(ids: {', '.join(map(str, docs.loc[bad, id_col].head(5)))}…)",
                          DataDroppedWarning, stacklevel=2)
            docs = docs.loc[~bad]
        meta_cols = [c for c in docs.columns if c not in (text_col,)]
        # units as columns, filled a document at a time (lists: one row tuple per unit and
        # a per-unit loop cost more than the coding of most units)
        uid: list = []
        udoc: list = []
        uno: list = []
        utext: list[str] = []
        ustart: list[int] = []
        uend: list[int] = []
        upos: list[int] = []  # row of the unit's document in docs
        unit_masks: list[list[tuple[int, int]] | None] = []
        n_header_units = 0
        fallback: list[str] = []
        prefix = _PREFIX[unit]
        doc_texts = docs[text_col].tolist()
        doc_ids = docs[id_col].tolist()
        kinds = docs["kind"].tolist() if "kind" in docs.columns else [""] * len(docs)
        bar = _progress(len(doc_texts), progress)
        hit_parts: list[dict] = []
        rej_parts: list[dict] = []
        done = 0  # units already coded
        chunk_chars = 0
        chunk_docs = 0
        last = len(doc_texts) - 1
        doc_str = True  # all document ids of units are str: their columns are built in Arrow
        for i, (text, doc_id, kind) in enumerate(zip(doc_texts, doc_ids, kinds)):
            text = str(text)
            masked: list[tuple[int, int]] = []
            spans: list[tuple[int, int]]
            is_minutes = str(kind).lower() == "minutes"
            minutes = self._minutes(text, doc_id) if is_minutes else None
            if minutes is not None:
                masked = minutes[0]
            if unit == "document":
                spans = [(0, len(text))]
            elif unit == "sentence":
                spans = _sentence_spans(text)
            elif unit == "agenda_item" and minutes is not None and minutes[1]:
                spans = minutes[1]
            else:
                if unit == "agenda_item":
                    fallback.append(str(doc_id))
                spans = _paragraph_spans(text)
            nos: Iterable[int] = range(1, len(spans) + 1)
            if masked:
                kept = [(no, s, e) for no, (s, e) in enumerate(spans, start=1)
                        if not any(ms <= s and e <= me for ms, me in masked)]
                n_header_units += len(spans) - len(kept)
                nos = [k[0] for k in kept]
                spans = [k[1:] for k in kept]
                unit_masks.extend([[(max(ms, s) - s, min(me, e) - s) for ms, me in masked if ms < e and s < me]
                                   for s, e in spans])
            else:
                unit_masks.extend([None] * len(spans))
            n = len(spans)
            if n and not isinstance(doc_id, str):
                doc_str = False
            uid.extend([f"{doc_id}#{prefix}{no}" for no in nos])
            udoc.extend([doc_id] * n)
            uno.extend(nos)
            utext.extend([text[s:e] for s, e in spans])
            ustart.extend([s for s, _ in spans])
            uend.extend([e for _, e in spans])
            upos.extend([i] * n)
            chunk_chars += len(text)
            chunk_docs += 1
            # code in chunks: one batch pass per ~250k characters keeps the progress bar moving
            if chunk_chars >= _CHUNK_CHARS or i == last:
                hits, rejected = self._scan_units(utext, unit_masks, done)
                hit_parts.append(hits)
                rej_parts.append(rejected)
                done = len(utext)
                bar.update(chunk_docs)
                chunk_chars = chunk_docs = 0
        bar.close()
        col = _str_columns()
        uid_a = np.array(uid, dtype=object)
        udoc_a = np.empty(len(udoc), dtype=object)
        udoc_a[:] = udoc
        if uid:  # string columns straight to Arrow (what pandas infers from the lists, faster)
            utext_a = np.empty(len(utext), dtype=object)
            utext_a[:] = utext
            units = pd.DataFrame({"unit_id": col(uid_a), "doc_id": col(udoc_a, None, doc_str), "unit_no": uno,
                                  "text": col(utext_a), "start": ustart, "end": uend})
        else:
            units = pd.DataFrame({"unit_id": uid, "doc_id": udoc, "unit_no": uno, "text": utext,
                                  "start": ustart, "end": uend})
        units = _with_meta(units, docs, meta_cols, id_col, upos)
        ids = np.array(self._compiled.theme_ids, dtype=object)
        ustart_a = np.array(ustart, dtype=np.int64)
        hit_cols = ["doc_id", "unit_id", "theme", "term", "rule", "start", "end", "doc_start", "doc_end", "weight"]
        rej_cols = ["doc_id", "unit_id", "theme", "term", "reason", "start", "end"]
        h = {k: np.concatenate([p[k] for p in hit_parts]) for k in _batch.HIT_COLUMNS} if hit_parts else None
        r = {k: np.concatenate([p[k] for p in rej_parts]) for k in _batch.REJECTED_COLUMNS} if rej_parts else None
        if h is not None and len(h["unit"]):
            u = h["unit"]
            hits_df = pd.DataFrame({
                "doc_id": col(udoc_a, u, doc_str), "unit_id": col(uid_a, u), "theme": col(ids, h["theme"]),
                "term": col(h["term"]), "rule": col(h["rule"]), "start": h["start"], "end": h["end"],
                "doc_start": ustart_a[u] + h["start"], "doc_end": ustart_a[u] + h["end"], "weight": h["weight"]})
        else:
            hits_df = pd.DataFrame([], columns=hit_cols)
            hits_df["theme"] = hits_df["theme"].astype(object)
        if r is not None and len(r["unit"]):
            u = r["unit"]
            rej_df = pd.DataFrame({
                "doc_id": col(udoc_a, u, doc_str), "unit_id": col(uid_a, u), "theme": col(ids, r["theme"]),
                "term": col(r["term"]), "reason": col(r["reason"]), "start": r["start"], "end": r["end"]})
        else:
            rej_df = pd.DataFrame([], columns=rej_cols)
            rej_df["theme"] = rej_df["theme"].astype(object)
        notes = []
        if fallback:
            notes.append(f"{len(fallback)} document(s) are not minutes (or have no agenda): "
                         "coded by paragraph instead of agenda item")
        if n_header_units:
            notes.append(f"{n_header_units} header/attendance unit(s) of minutes were not coded")
        return CodedCorpus(
            units=units, hits=hits_df, rejected=rej_df, codebook=self.codebook, match=self.match,
            unit=unit, texts=pd.Series(docs[text_col].astype(str).array, index=docs[id_col].to_numpy(), name="text"),
            n_docs=n_in, n_dropped_docs=n_dropped, n_header_units=n_header_units,
            n_fallback_docs=len(fallback), notes=tuple(notes),
        )


def _with_meta(units: pd.DataFrame, docs: pd.DataFrame, meta_cols: list, id_col: str,
               upos: list[int]) -> pd.DataFrame:
    """``units`` with the metadata columns of each unit's document, as a many-to-one left
    merge on doc_id gives them, by taking rows (document ids are unique: a merge would
    hash and join 10,000 keys for the same result)."""
    names = [("doc_id" if c == id_col else c) for c in meta_cols]
    extra = [c for c in meta_cols if c != id_col]
    if (names.count("doc_id") != 1 or set(extra) & set(units.columns)
            or docs[id_col].dtype != units["doc_id"].dtype):  # merge would cast the key
        meta = docs[meta_cols].drop_duplicates(subset=[id_col]).rename(columns={id_col: "doc_id"})
        return units.merge(meta, on="doc_id", how="left", validate="many_to_one")
    pos = np.asarray(upos, dtype=np.intp)
    cols = {c: docs[c].take(pos).reset_index(drop=True) for c in extra}
    return pd.concat([units, pd.DataFrame(cols, index=units.index)], axis=1) if cols else units


def _str_columns():
    """A function (values, codes=None, is_str=True) -> column data equal to what pandas
    makes of ``values[codes].tolist()``. Where pandas keeps strings in Arrow (its default
    with pyarrow), string columns are built in Arrow directly (``take``): several times
    faster on many rows."""
    try:
        import pyarrow as pa

        want = pd.StringDtype("pyarrow", na_value=np.nan)
        arrow = pd.Series(["a"]).dtype == want
    except (ImportError, TypeError, ValueError):  # pragma: no cover - older pandas or no pyarrow
        arrow = False

    def column(values: np.ndarray, codes: np.ndarray | None = None, is_str: bool = True):
        if not (arrow and is_str):
            return (values if codes is None else values[codes]).tolist()
        data = pa.array(values, type=pa.large_string())
        return pd.array(data if codes is None else data.take(pa.array(codes)), dtype=want)

    return column


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise CodebookError(f"expected a str, got {type(text).__name__}")
    return text


def _as_corpus(corpus: Any, text_col: str, id_col: str) -> pd.DataFrame:
    if isinstance(corpus, pd.Series):
        corpus = corpus.to_frame(text_col)
    if isinstance(corpus, pd.DataFrame):
        if text_col not in corpus.columns:
            raise CodebookError(f"corpus has no {text_col!r} column (columns: {list(corpus.columns)}); "
                                "pass text_col=")
        df = corpus.copy()
        if id_col not in df.columns:
            df.insert(0, id_col, [f"doc{i + 1}" for i in range(len(df))])
        if df[id_col].duplicated().any():
            dup = df.loc[df[id_col].duplicated(), id_col].iloc[0]
            raise CodebookError(f"duplicate document id {dup!r} in column {id_col!r}; ids must be unique")
        return df.reset_index(drop=True)
    if isinstance(corpus, str):
        corpus = [corpus]
    if isinstance(corpus, Iterable):
        texts = list(corpus)
        return pd.DataFrame({id_col: [f"doc{i + 1}" for i in range(len(texts))], text_col: texts})
    raise CodebookError(f"corpus must be a DataFrame or a list of texts, not {type(corpus).__name__}")


def _parse(text: str, doc_id: Any):
    from civictools.corpus import parse_minutes

    try:
        return parse_minutes(text)
    except CivictoolsError as exc:
        warnings.warn(f"minutes {doc_id!r} could not be parsed ({exc}); its header is coded like the body",
                      CivictoolsWarning, stacklevel=3)
        return None


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    from civictools.text import paragraph_spans

    return [tuple(s) for s in paragraph_spans(text)] or [(0, len(text))]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    from civictools.text import sentence_spans

    return [tuple(s) for s in sentence_spans(text)] or [(0, len(text))]


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, progress: bool):
    if not progress or total < 50:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="coding", unit="doc", leave=False)


