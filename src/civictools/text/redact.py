"""Redaction of personal data: names, phones, ID numbers, e-mails, door numbers, plates.

:func:`redact` pseudonymises one text, :func:`redact_corpus` a whole corpus with
one consistent mapping. Names become 居民A, 居民B, … (after 居民Z: 居民AA, 居民AB, …);
other kinds become numbered labels such as ``[电话1]``, ``[身份证号1]``, ``[邮箱1]``,
``[门牌1]``, ``[车牌1]``. The same original always gets the same label; pass a
result's ``mapping`` back in to keep labels stable across calls. The mapping links
pseudonyms to real people: keep it apart from the shared data, or discard it with
``keep_mapping=False``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import pandas as pd

from civictools.errors import TextError
from civictools.text._redact_patterns import DETECTORS
from civictools.text._redact_person import find_persons, resolve_engine

__all__: list[str] = ["Redaction", "CorpusRedaction", "redact", "redact_corpus", "REDACT_KINDS"]

#: Kinds of personal data :func:`redact` knows, in the order overlaps are resolved.
REDACT_KINDS: tuple[str, ...] = ("person", "phone", "id_card", "email", "address_detail", "plate")
_PRIORITY = ("email", "id_card", "phone", "plate", "address_detail", "person")
_KIND_LABEL = {
    "phone": "电话",
    "id_card": "身份证号",
    "email": "邮箱",
    "address_detail": "门牌",
    "plate": "车牌",
}
_PERSON_PREFIX = "居民"
_LABEL_RE = re.compile(r"^\[(?P<zh>[^\d\]]+)(?P<n>\d+)\]$")
_PERSON_RE = re.compile(rf"^{_PERSON_PREFIX}(?P<letters>[A-Z]+)$")
_ENTITY_COLUMNS = ["kind", "original", "replacement", "start", "end", "redacted_start", "redacted_end"]
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# --------------------------------------------------------------------------- labels
def _letters(n: int) -> str:
    """Bijective base-26: 0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _letters_index(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _normalise(kind: str, original: str) -> str:
    """The mapping key: variants of the same number or plate share one label."""
    if kind == "phone":
        digits = re.sub(r"\D", "", original.translate(_FULLWIDTH_DIGITS))
        if len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
            digits = digits[2:]
        return digits
    if kind == "id_card":
        return original.upper()
    if kind == "email":
        return original.lower()
    if kind == "plate":
        return re.sub(r"[\s·•・.\-]", "", original).upper()
    if kind == "address_detail":
        return re.sub(r"\s", "", original.translate(_FULLWIDTH_DIGITS))
    return original


class _Labeller:
    """Hands out consistent labels, continuing any mapping passed in."""

    def __init__(self, mapping: Mapping[str, str] | None):
        self.mapping: dict[str, str] = {}
        self.next_person = 0
        self.next_kind = {k: 1 for k in _KIND_LABEL}
        zh_to_kind = {v: k for k, v in _KIND_LABEL.items()}
        for key, label in (mapping or {}).items():
            if not isinstance(key, str) or not isinstance(label, str):
                raise TextError(
                    "mapping must map original strings to label strings "
                    f"(got {key!r}: {label!r}); pass the .mapping of an earlier result"
                )
            self.mapping[key] = label
            pm = _PERSON_RE.match(label)
            km = _LABEL_RE.match(label)
            if pm:
                self.next_person = max(self.next_person, _letters_index(pm.group("letters")) + 1)
            elif km and km.group("zh") in zh_to_kind:
                kind = zh_to_kind[km.group("zh")]
                self.next_kind[kind] = max(self.next_kind[kind], int(km.group("n")) + 1)

    def person_names(self) -> tuple[str, ...]:
        """Names (2+ characters) already in the mapping: redacted wherever they recur."""
        return tuple(k for k, v in self.mapping.items() if len(k) >= 2 and _PERSON_RE.match(v))

    def label(self, kind: str, original: str) -> str:
        key = _normalise(kind, original)
        if key not in self.mapping:
            if kind == "person":
                self.mapping[key] = _PERSON_PREFIX + _letters(self.next_person)
                self.next_person += 1
            else:
                self.mapping[key] = f"[{_KIND_LABEL[kind]}{self.next_kind[kind]}]"
                self.next_kind[kind] += 1
        return self.mapping[key]


# --------------------------------------------------------------------------- detection
def _check_kinds(kinds) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in REDACT_KINDS]
    if unknown:
        raise TextError(f"unknown redaction kind(s) {unknown}; choose from {list(REDACT_KINDS)}")
    if not kinds:
        raise TextError(f"kinds is empty; choose one or more of {list(REDACT_KINDS)}")
    return kinds


def _check_names(names) -> tuple[str, ...]:
    if names is None:
        return ()
    if isinstance(names, str):
        names = (names,)
    out = []
    for n in names:
        if n is None or (isinstance(n, float) and n != n):
            continue
        if not isinstance(n, str):
            raise TextError(f"names must be strings; got {n!r} ({type(n).__name__})")
        n = n.strip()
        if len(n) >= 2:
            out.append(n)
    return tuple(dict.fromkeys(out))


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    full: bool = False


def _detect(text: str, kinds: tuple[str, ...], names: tuple[str, ...], engine: str) -> list[_Span]:
    taken = [False] * len(text)
    spans: list[_Span] = []
    for kind in _PRIORITY:
        if kind not in kinds:
            continue
        if kind == "person":
            for f in find_persons(text, taken, names, engine=engine):
                spans.append(_Span(f.start, f.end, "person", f.full))
            continue
        found = sorted(DETECTORS[kind](text), key=lambda s: (s[0], -(s[1] - s[0])))
        for s, e, k in found:
            if not any(taken[s:e]):
                taken[s:e] = [True] * (e - s)
                spans.append(_Span(s, e, k))
    return sorted(spans, key=lambda s: s.start)


def _add_known(text: str, spans: list[_Span], names: Iterable[str]) -> list[_Span]:
    """Add further mentions of names found elsewhere (corpus-wide propagation)."""
    taken = [False] * len(text)
    for sp in spans:
        taken[sp.start : sp.end] = [True] * (sp.end - sp.start)
    extra = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        start = 0
        while True:
            k = text.find(name, start)
            if k < 0:
                break
            if not any(taken[k : k + len(name)]):
                taken[k : k + len(name)] = [True] * len(name)
                extra.append(_Span(k, k + len(name), "person", True))
            start = k + 1
    return sorted(spans + extra, key=lambda s: s.start) if extra else spans


def _names_in(names: set[str]):
    """A function returning which of ``names`` occur in a text (Aho-Corasick when available)."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - pyahocorasick is a declared dependency
        return lambda text: [n for n in names if n in text]
    automaton = ahocorasick.Automaton()
    for n in names:
        automaton.add_word(n, n)
    automaton.make_automaton()
    return lambda text: sorted({found for _, found in automaton.iter(text)})


def _apply(text: str, spans: list[_Span], labeller: _Labeller) -> tuple[str, list[dict]]:
    parts: list[str] = []
    rows: list[dict] = []
    pos = 0
    out_len = 0
    for sp in spans:
        chunk = text[pos : sp.start]
        parts.append(chunk)
        out_len += len(chunk)
        original = text[sp.start : sp.end]
        label = labeller.label(sp.kind, original)
        rows.append(
            {
                "kind": sp.kind,
                "original": original,
                "replacement": label,
                "start": sp.start,
                "end": sp.end,
                "redacted_start": out_len,
                "redacted_end": out_len + len(label),
            }
        )
        parts.append(label)
        out_len += len(label)
        pos = sp.end
    parts.append(text[pos:])
    return "".join(parts), rows


def _entities_frame(rows: list[dict], extra: Sequence[str] = ()) -> pd.DataFrame:
    cols = [*extra, *_ENTITY_COLUMNS]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("start", "end", "redacted_start", "redacted_end"):
        df[c] = df[c].astype("int64")
    return df


# --------------------------------------------------------------------------- summaries
class _Summary:
    """A plain summary table; ``as_text()`` / ``as_html()``, printed by ``print()``."""

    def __init__(self, title: str, table: pd.DataFrame, notes: Sequence[str] = ()):
        self.title = title
        self.table = table
        self.notes = list(notes)

    def as_text(self) -> str:
        body = self.table.to_string(index=False) if len(self.table) else "(nothing redacted)"
        return "\n".join([self.title, body, *self.notes])

    def as_html(self) -> str:
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<h4>{html.escape(self.title)}</h4>" + self.table.to_html(index=False) + notes

    def __str__(self) -> str:
        return self.as_text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.as_html()


def _count_table(entities: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for kind in REDACT_KINDS:
        sub = entities[entities["kind"] == kind]
        if len(sub):
            rows.append({"kind": kind, "mentions": len(sub), "distinct": sub["replacement"].nunique()})
    return pd.DataFrame(rows, columns=["kind", "mentions", "distinct"])


_COLOURS = {
    "person": "#ffe08a",
    "phone": "#b8e0ff",
    "id_card": "#ffb8b8",
    "email": "#c8f0c8",
    "address_detail": "#e0c8ff",
    "plate": "#ffd0a0",
}


def _highlight(text: str, entities: pd.DataFrame, limit: int = 5000) -> str:
    out = []
    pos = 0
    for row in entities.itertuples(index=False):
        s, e = int(row.redacted_start), int(row.redacted_end)
        if s >= limit:
            break
        out.append(html.escape(text[pos:s]))
        colour = _COLOURS.get(row.kind, "#ddd")
        out.append(
            f'<mark title="{html.escape(row.kind)}" style="background:{colour}">'
            f"{html.escape(text[s:e])}</mark>"
        )
        pos = e
    out.append(html.escape(text[pos:limit]))
    more = "…" if len(text) > limit else ""
    return '<div style="white-space:pre-wrap;line-height:1.6">' + "".join(out) + more + "</div>"


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Redaction:
    """The result of :func:`redact`.

    Attributes
    ----------
    text : str
        The redacted text.
    entities : pandas.DataFrame
        One row per redacted span: ``kind, original, replacement, start, end`` with
        ``start``/``end`` offsets into the *original* text, plus
        ``redacted_start``/``redacted_end`` into :attr:`text`. ``original`` is empty
        (NA) when the mapping was discarded.
    mapping : dict or None
        Original (normalised for numbers and plates) -> label, including any mapping
        passed in; ``None`` with ``keep_mapping=False``.
    kinds : tuple of str
        The kinds that were searched for.
    """

    text: str
    entities: pd.DataFrame = field(repr=False)
    mapping: dict | None = field(repr=False)
    kinds: tuple[str, ...] = REDACT_KINDS

    def tidy(self) -> pd.DataFrame:
        """The entity table (a copy)."""
        return self.entities.copy()

    def summary(self) -> _Summary:
        """Counts of redacted mentions and distinct labels per kind."""
        notes = [f"characters: {len(self.text)} after redaction; kinds searched: {', '.join(self.kinds)}"]
        if self.mapping is None:
            notes.append("mapping discarded (keep_mapping=False)")
        return _Summary("Redaction", _count_table(self.entities), notes)

    def __repr__(self) -> str:
        n = len(self.entities)
        preview = self.text if len(self.text) <= 60 else self.text[:60] + "…"
        return f"Redaction({n} span{'s' if n != 1 else ''}: {preview!r})"

    def _repr_html_(self) -> str:
        return _highlight(self.text, self.entities) + self.summary().as_html()


@dataclass(frozen=True)
class CorpusRedaction:
    """The result of :func:`redact_corpus`.

    Attributes
    ----------
    documents : pandas.DataFrame
        The input frame (a copy) with the text column redacted.
    entities : pandas.DataFrame
        The id column followed by ``kind, original, replacement, start, end,
        redacted_start, redacted_end`` (offsets per document).
    mapping : dict or None
        One mapping for the whole corpus (``None`` with ``keep_mapping=False``).
    n_missing_text : int
        Documents whose text was missing (left as is, nothing to redact).
    """

    documents: pd.DataFrame = field(repr=False)
    entities: pd.DataFrame = field(repr=False)
    mapping: dict | None = field(repr=False)
    kinds: tuple[str, ...] = REDACT_KINDS
    text_col: str = "text"
    id_col: str = "doc_id"
    n_missing_text: int = 0

    def tidy(self) -> pd.DataFrame:
        """The entity table (a copy)."""
        return self.entities.copy()

    def summary(self) -> _Summary:
        notes = [f"documents: {len(self.documents)}; kinds searched: {', '.join(self.kinds)}"]
        if self.n_missing_text:
            notes.append(f"documents with missing text (left as is): {self.n_missing_text}")
        if self.mapping is None:
            notes.append("mapping discarded (keep_mapping=False)")
        return _Summary("Corpus redaction", _count_table(self.entities), notes)

    def __repr__(self) -> str:
        return f"CorpusRedaction({len(self.documents)} documents, {len(self.entities)} spans)"

    def _repr_html_(self) -> str:
        parts = [self.summary().as_html()]
        for _, row in self.documents.head(3).iterrows():
            text = row[self.text_col]
            if not isinstance(text, str):
                continue
            ents = self.entities[self.entities[self.id_col] == row[self.id_col]]
            parts.append(f"<h5>{html.escape(str(row[self.id_col]))}</h5>" + _highlight(text, ents, 1000))
        return "".join(parts)

    def __iter__(self):
        # Allows ``docs, entities = redact_corpus(df)``.
        return iter((self.documents, self.entities))


# --------------------------------------------------------------------------- public API
def redact(
    text: str,
    kinds: Sequence[str] | str = REDACT_KINDS,
    *,
    mapping: Mapping[str, str] | None = None,
    keep_mapping: bool = True,
    names: Iterable[str] | None = None,
    engine: str = "auto",
) -> Redaction:
    """Replace personal data in ``text`` with consistent pseudonyms and labels.

    Parameters
    ----------
    text : str
        The text to redact.
    kinds : sequence of str, default all of :data:`REDACT_KINDS`
        Any of ``"person", "phone", "id_card", "email", "address_detail", "plate"``.
    mapping : dict, optional
        A mapping from an earlier result (``result.mapping``); known originals keep
        their labels, names in it are redacted wherever they recur (like ``names``),
        and new labels continue its numbering. It is not modified.
    keep_mapping : bool, default True
        With False the result holds no link back to the originals (``mapping`` is
        None and the ``original`` column is NA).
    names : iterable of str, optional
        Names known to be persons (e.g. an attendee list); always redacted.
    engine : {"auto", "rjieba", "jieba"}, default "auto"
        Part-of-speech tagger used as one piece of evidence for names: ``auto`` takes
        the Rust binding rjieba when installed (about 18x faster) and jieba otherwise.
        Both are private instances; jieba's global tokenizer is never touched.

    Returns
    -------
    Redaction

    Examples
    --------
    >>> r = redact("社区书记张建国说，请居民王秀英拨打13900001234，张建国会回电。")
    >>> r.text
    '社区书记居民A说，请居民居民B拨打[电话1]，居民A会回电。'
    >>> r.entities[["kind", "original", "start", "end"]].head(2)
         kind original  start  end
    0  person      张建国      4    7
    1  person      王秀英     12   15
    >>> redact("王秀英来了", mapping=r.mapping).text
    '居民B来了'
    """
    if not isinstance(text, str):
        raise TextError(f"redact() needs a str, got {type(text).__name__}; use redact_corpus() for a DataFrame")
    kinds = _check_kinds(kinds)
    names_t = _check_names(names)
    engine = resolve_engine(engine)
    labeller = _Labeller(mapping)
    spans = _detect(text, kinds, tuple(dict.fromkeys(names_t + labeller.person_names())), engine)
    out, rows = _apply(text, spans, labeller)
    entities = _entities_frame(rows)
    if not keep_mapping:
        entities["original"] = pd.array([pd.NA] * len(entities), dtype="string")
    return Redaction(out, entities, labeller.mapping if keep_mapping else None, kinds)


def redact_corpus(
    df: pd.DataFrame,
    text_col: str = "text",
    id_col: str = "doc_id",
    kinds: Sequence[str] | str = REDACT_KINDS,
    *,
    mapping: Mapping[str, str] | None = None,
    keep_mapping: bool = True,
    names: Iterable[str] | None = None,
    propagate: bool = True,
    progress: bool | None = None,
    engine: str = "auto",
) -> CorpusRedaction:
    """Redact every document of a corpus with one consistent mapping.

    A name accepted anywhere in the corpus is redacted at all its mentions in every
    document (``propagate=True``), and the same name gets the same label everywhere;
    labels are assigned in order of first appearance (document order, then offset).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per document.
    text_col, id_col : str
        Text and document-id columns; without ``id_col`` the index is used as id.
    kinds, mapping, keep_mapping, names, engine
        As in :func:`redact`.
    propagate : bool, default True
        Redact corpus-wide every further mention of names found in any document.
    progress : bool, optional
        Show a tqdm progress bar; by default only for corpora of 200+ documents.

    Returns
    -------
    CorpusRedaction
        ``documents``, ``entities``, ``mapping``; unpacks as ``(documents, entities)``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"],
    ...                      "text": ["居民王秀英说要加装电梯。", "王秀英又来了，网格员李强表示会跟进。"]})
    >>> res = redact_corpus(docs)
    >>> res.documents["text"].tolist()
    ['居民居民A说要加装电梯。', '居民A又来了，网格员居民B表示会跟进。']
    """
    if not isinstance(df, pd.DataFrame):
        raise TextError(f"redact_corpus() needs a pandas DataFrame, got {type(df).__name__}")
    if text_col not in df.columns:
        raise TextError(f"column {text_col!r} not found (columns: {list(df.columns)}); set text_col=")
    kinds = _check_kinds(kinds)
    names_t = _check_names(names)
    engine = resolve_engine(engine)
    ids = df[id_col].tolist() if id_col in df.columns else df.index.tolist()
    texts = df[text_col].tolist()
    missing = 0
    for row, t in enumerate(texts):
        if t is None or (isinstance(t, float) and t != t) or t is pd.NA:
            missing += 1
        elif not isinstance(t, str):
            raise TextError(
                f"row {row} (id {ids[row]!r}) of column {text_col!r} is {type(t).__name__}, not text; "
                "convert the column to str or drop the row"
            )
    if progress is None:
        progress = len(df) >= 200
    iterator = enumerate(texts)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, total=len(texts), desc="redact", unit="doc")
    all_spans: list[list[_Span] | None] = []
    labeller = _Labeller(mapping)
    names_t = tuple(dict.fromkeys(names_t + labeller.person_names()))
    corpus_names: set[str] = set(names_t)
    for _, t in iterator:
        if not isinstance(t, str):
            all_spans.append(None)
            continue
        spans = _detect(t, kinds, names_t, engine)
        all_spans.append(spans)
        if propagate:
            corpus_names.update(t[s.start : s.end] for s in spans if s.kind == "person" and s.full)
    out_texts: list = []
    rows: list[dict] = []
    names_in = _names_in(corpus_names) if propagate and "person" in kinds and corpus_names else None
    for doc_id, t, spans in zip(ids, texts, all_spans):
        if spans is None:
            out_texts.append(t)
            continue
        if names_in is not None:
            spans = _add_known(t, spans, names_in(t))
        out, doc_rows = _apply(t, spans, labeller)
        out_texts.append(out)
        for r in doc_rows:
            r[id_col] = doc_id
        rows.extend(doc_rows)
    documents = df.copy()
    documents[text_col] = out_texts
    entities = _entities_frame(rows, extra=(id_col,))
    if not keep_mapping:
        entities["original"] = pd.array([pd.NA] * len(entities), dtype="string")
    return CorpusRedaction(
        documents,
        entities,
        labeller.mapping if keep_mapping else None,
        kinds,
        text_col,
        id_col,
        missing,
    )
