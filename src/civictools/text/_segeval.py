"""Scoring segmentations against the gold sentences (used by tests and benchmarks).

Span F1 is the SIGHAN bakeoff measure: a predicted word counts as correct
when its ``(start, end)`` character span equals a gold word's span.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

GOLD_DIR = Path(__file__).resolve().parent.parent / "data" / "gold" / "segmentation"
GOLD_STYLES = ("news", "minutes", "policy")


def load_gold(
    styles: Sequence[str] = GOLD_STYLES, annotator: str = "a"
) -> list[tuple[str, list[str], str]]:
    """Gold sentences as ``(text, tokens, style)``; the files hold one space-separated sentence a line.

    ``annotator="a"`` is the gold (written with the standard and the lexicon);
    ``annotator="b"`` is an independent second segmentation of the same sentences
    by someone who saw only the written standard (``annotator_b/``).
    """
    if annotator not in ("a", "b"):
        raise ValueError(f"annotator must be 'a' or 'b', not {annotator!r}")
    folder = GOLD_DIR if annotator == "a" else GOLD_DIR / "annotator_b"
    out = []
    for style in styles:
        for line in (folder / f"{style}.txt").read_text(encoding="utf-8").splitlines():
            toks = line.split()
            if toks:
                out.append(("".join(toks), toks, style))
    return out


def spans(tokens: Iterable[str]) -> set[tuple[int, int]]:
    """Character spans of non-white-space tokens laid end to end."""
    out = set()
    pos = 0
    for tok in tokens:
        if not tok.isspace():
            out.add((pos, pos + len(tok)))
        pos += len(tok)
    return out


def span_prf(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 of predicted spans against gold spans.

    >>> span_prf([["社工站", "揭牌"]], [["社工", "站", "揭牌"]])
    (0.3333333333333333, 0.5, 0.4)
    """
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred):
        if "".join(g) != "".join(p):
            raise ValueError(f"texts differ: {''.join(g)!r} vs {''.join(p)!r}")
        gs, ps = spans(g), spans(p)
        tp += len(gs & ps)
        n_gold += len(gs)
        n_pred += len(ps)
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def term_occurrences(text: str, automaton: object) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping occurrences of dictionary terms in ``text``."""
    out = []
    for end_idx, term in automaton.iter_long(text):  # type: ignore[attr-defined]
        out.append((end_idx - len(term) + 1, end_idx + 1, term))
    return out


def make_automaton(terms: Iterable[str]) -> object:
    import ahocorasick

    auto = ahocorasick.Automaton()
    for t in terms:
        auto.add_word(t, t)
    auto.make_automaton()
    return auto


def wholeness(
    texts: Iterable[str], cut: Callable[[str], list[str]], terms: Iterable[str]
) -> tuple[int, int, dict[str, int]]:
    """How often governance terms come out whole: ``(n_whole, n_occurrences, split_counts)``.

    An occurrence is whole when no token boundary falls strictly inside it
    (a longer token that contains it also counts as whole).
    """
    auto = make_automaton(terms)
    whole = total = 0
    split: dict[str, int] = {}
    for text in texts:
        occ = term_occurrences(text, auto)
        if not occ:
            continue
        bounds = set()
        pos = 0
        for tok in cut(text):
            pos += len(tok)
            bounds.add(pos)
        for s, e, term in occ:
            total += 1
            if any(b in bounds for b in range(s + 1, e)):
                split[term] = split.get(term, 0) + 1
            else:
                whole += 1
    return whole, total, split
