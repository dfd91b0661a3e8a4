"""Sentence and paragraph splitting for Chinese governance text.

Rules (see the text README for the reasons):

* a sentence ends at 。！？；… (and the half-width ``! ? ;``) or at a line break;
  runs such as ``！？`` or ``……`` count as one end;
* a half-width ``.`` ends a sentence only when it is not between two digits or
  letters and is followed by a space, a line break, the end of the text, a
  CJK character or a closing quote (so ``3.5万``, ``v2.1`` and
  ``www.example.com`` stay whole);
* closing quotes and brackets right after the end mark stay with their sentence;
* nothing splits inside a URL or a book title ``《…》``;
* a paragraph is a run of non-blank lines separated by line breaks.

Spans are ``(start, end)`` character offsets into the original text with
surrounding white space trimmed, so ``text[start:end]`` is the sentence.
"""

from __future__ import annotations

import re

__all__ = ["sentence_spans", "split_sentences", "paragraph_spans", "split_paragraphs"]

_FULL_ENDS = "。！？；…"
_HALF_ENDS = "!?;"
_CLOSERS = "”’」』）)】》〉\"'］]"
_URL = re.compile(r"(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: a non-blank line without its leading and trailing white space
_PARAGRAPH = re.compile(r"[^\S\r\n]*(\S(?:[^\r\n]*\S)?)")


def _protected_mask(text: str) -> bytearray:
    """Mark characters inside URLs, e-mail addresses and 《book titles》."""
    mask = bytearray(len(text))
    for rx in (_URL, _EMAIL):
        for m in rx.finditer(text):
            end = m.end()
            # a URL at the end of a sentence swallows the final half-width stop
            while end > m.start() and text[end - 1] in ".,;!?)":
                end -= 1
            mask[m.start() : end] = b"\x01" * (end - m.start())
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                mask[start : i + 1] = b"\x01" * (i + 1 - start)
        elif ch == "\n" and depth:
            # an unclosed 《 must not swallow the rest of the document
            depth = 0
    return mask


def _is_end_dot(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
        return False
    if nxt == "" or nxt.isspace() or nxt in _CLOSERS or _CJK.match(nxt):
        return bool(prev) and not prev.isspace()
    return False


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences in ``text``.

    Parameters
    ----------
    text : str
        Any text; full- and half-width punctuation are both understood.

    Returns
    -------
    list of tuple of int
        Offsets with white space trimmed; ``text[s:e]`` is a sentence.

    Examples
    --------
    >>> t = "居民说：“加装电梯很方便。”共投入3.5万元！详见《青禾区社区议事规则（试行）》。"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['居民说：“加装电梯很方便。”', '共投入3.5万元！', '详见《青禾区社区议事规则（试行）》。']
    """
    if not isinstance(text, str):
        from civictools.errors import TextError

        raise TextError(f"sentence_spans() needs a str, got {type(text).__name__}")
    mask = _protected_mask(text)
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n" or ch == "\r":
            span = _trimmed(text, start, i)
            if span:
                spans.append(span)
            start = i + 1
            i += 1
            continue
        is_end = False
        if not mask[i]:
            if ch in _FULL_ENDS or ch in _HALF_ENDS:
                is_end = True
            elif ch == "." and _is_end_dot(text, i):
                is_end = True
        if not is_end:
            i += 1
            continue
        j = i + 1
        # a run of end marks (。。, ！？, ……, ?!, ...) ends one sentence
        while j < n and (text[j] in _FULL_ENDS or text[j] in _HALF_ENDS or text[j] == "."):
            j += 1
        while j < n and text[j] in _CLOSERS:
            j += 1
        span = _trimmed(text, start, j)
        if span:
            spans.append(span)
        start = j
        i = j
    span = _trimmed(text, start, n)
    if span:
        spans.append(span)
    return spans


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (see :func:`sentence_spans` for the rules).

    Examples
    --------
    >>> split_sentences("社工站揭牌了！居民很高兴。网址是www.qinghe.example.cn。")
    ['社工站揭牌了！', '居民很高兴。', '网址是www.qinghe.example.cn。']
    """
    return [text[s:e] for s, e in sentence_spans(text)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the paragraphs (non-blank lines) in ``text``.

    Examples
    --------
    >>> t = "一、工作目标\\n\\n  推进五社联动。\\n建成社工站。"
    >>> [t[s:e] for s, e in paragraph_spans(t)]
    ['一、工作目标', '推进五社联动。', '建成社工站。']
    """
    if not isinstance(text, str):
        from civictools.errors import TextError

        raise TextError(f"paragraph_spans() needs a str, got {type(text).__name__}")
    # one regex pass instead of a Python loop per line: theme coding splits every
    # document this way; sre's \s is str.isspace, so the trimming is the same
    return [m.span(1) for m in _PARAGRAPH.finditer(text)]


def split_paragraphs(text: str) -> list[str]:
    """Split ``text`` into paragraphs (non-blank lines, white space trimmed).

    Examples
    --------
    >>> split_paragraphs("第一段。\\r\\n\\r\\n第二段。")
    ['第一段。', '第二段。']
    """
    return [text[s:e] for s, e in paragraph_spans(text)]
