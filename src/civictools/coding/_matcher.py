"""The matching engine: one Aho–Corasick pass per unit, then boundary checks and rules.

All literal patterns of a codebook (include terms, trap patterns, proximity terms and the
literals a regex cannot match without) go into one automaton, so a unit is scanned once
whatever the number of themes. Regexes only run on units where their required literal
occurs. Token boundaries are computed lazily, only for units with a hit that needs them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, Callable, Iterable

from civictools.coding._safe_regex import _REPEATS as _REPEAT_OPS
from civictools.coding._safe_regex import _sre_c, _sre_parse, check_regex
from civictools.coding.codebook import Codebook, Negation

try:  # Python >= 3.11 moved the compiler (as _safe_regex imports the parser)
    import re._compiler as _sre_compiler  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compiler  # type: ignore[no-redef]

# hit tuple layout: (theme, term, rule, start, end, weight)
Hit = tuple
_PUNCT_BREAK = set("。！？!?；;\n")


# entry kinds in the automaton's values
_INC, _TRAP, _PROX_A, _PROX_B, _REQ, _BET_L, _BET_R = range(7)
_ANCHORED = -2  # width marker: a pattern anchored at the start of the unit
_AT_LITERAL = -3  # width marker: matches start at a required literal
_MODES = {"token": 0, "substring": 1, "prefix": 2, "suffix": 3, "affix": 4}


class CompiledCodebook:
    """A codebook compiled for one match mode (``"token"`` or ``"substring"``)."""

    def __init__(self, codebook: Codebook, match: str = "token"):
        if match not in {"token", "substring"}:
            from civictools.errors import CodebookError

            raise CodebookError(f"match must be 'token' or 'substring', not {match!r}")
        self.codebook = codebook
        self.match = match
        self.theme_ids = codebook.theme_ids
        self.themes = list(codebook.themes_)
        table: dict[str, list[tuple]] = {}

        def add(key: str, entry: tuple) -> None:
            table.setdefault(key, []).append(entry)

        self._add = add
        # (theme, pattern, compiled, weight, req id, max width)
        self.regex_inc: list[tuple] = []
        self.regex_trap: list[tuple] = []
        self.between: list[tuple[int, object]] = []  # (theme, Between)
        self._n_req = 0
        self.context: list[list] = [[] for _ in self.themes]
        self.negation: list[Negation | None] = []
        self.proximity: list[list] = [[] for _ in self.themes]
        self.children: dict[int, list[int]] = {}
        index = {t: i for i, t in enumerate(self.theme_ids)}
        for ti, theme in enumerate(self.themes):
            if theme.parent is not None:
                self.children.setdefault(index[theme.parent], []).append(ti)
            for k, term in enumerate(theme.terms):
                if term.kind == "regex":
                    rid, width = self._register_required(term.pattern)
                    self.regex_inc.append((ti, term.pattern, check_regex(term.pattern), term.weight, rid, width))
                else:
                    mode = "substring" if match == "substring" else (term.match or codebook.match)
                    add(term.pattern, (_INC, ti, k, term.pattern, _MODES[mode], term.weight))
            for k, ex in enumerate(theme.exclude):
                self._add_exclusion(ti, k, ex)
            for k, rule in enumerate(theme.proximity):
                mode = _MODES["substring" if match == "substring" else codebook.match]
                for a in rule.a:
                    add(a, (_PROX_A, ti, k, a, mode, rule.weight))
                for b in rule.b:
                    add(b, (_PROX_B, ti, k, b, mode, 0.0))
                self.proximity[ti].append(rule)
            neg = theme.negation if theme.negation is not None else codebook.negation
            self.negation.append(neg if neg.enabled else None)
        for k, ex in enumerate(codebook.exclude):
            self._add_exclusion(-1, k, ex)
        self._empty = not table
        self._patterns = list(table)
        self._entries = [tuple(table[key]) for key in self._patterns]
        self._find = _automaton(self._patterns) if table else None
        self._inc_only = [e[0][1:2] + e[0][3:] if len(e) == 1 and e[0][0] == _INC else None
                          for e in self._entries]
        self._min_hits = [t.min_hits for t in self.themes]
        self._has_context = [bool(c) for c in self.context]
        # context rules by term, so that a hit on a term without rules costs one dict lookup
        self._ctx_any: list[tuple] = []
        self._ctx_by_term: list[dict[str, tuple]] = []
        for rules in self.context:
            generic = tuple(ex for ex in rules if not ex.terms)
            by_term: dict[str, list] = {}
            for ex in rules:
                for term in ex.terms or ():
                    by_term.setdefault(term, [])
            for term, lst in by_term.items():
                lst.extend(ex for ex in rules if not ex.terms or term in ex.terms)
            self._ctx_any.append(generic)
            self._ctx_by_term.append({k: tuple(v) for k, v in by_term.items()})
        self._has_rules = any(self._has_context) or any(n is not None for n in self.negation)
        self.needs_tokens = match == "token"
        # a between trap's left literal (a title) counts only where a token ends with it:
        # in token mode 社工 inside 社工站 is no title
        self.titles_end_tokens = match == "token" and codebook.match == "token"

    def _add_exclusion(self, ti: int, k: int, ex) -> None:
        if ex.between is not None:
            bid = len(self.between)
            self.between.append((ti, ex.between))
            for lit in ex.between.left:
                self._add(lit, (_BET_L, ti, bid, lit, 1, 0.0))
            for lit in ex.between.right:
                self._add(lit, (_BET_R, ti, bid, lit, 1, 0.0))
            return
        if ex.pattern is None:
            if ti >= 0:
                self.context[ti].append(ex)
            else:
                for lst in self.context:
                    lst.append(ex)
            return
        if ex.kind == "regex":
            rid, width = self._register_required(ex.pattern)
            self.regex_trap.append((ti, check_regex(ex.pattern), rid, width))
        else:
            self._add(ex.pattern, (_TRAP, ti, k, ex.pattern, 1, 0.0))

    def _register_required(self, pattern: str) -> tuple[int, int]:
        """Give the regex a prefilter id (-1: none) and its maximum match width (-1: unbounded;
        ``_ANCHORED``: one attempt at the start of the unit, ``_AT_LITERAL``: matches start at
        a required literal)."""
        parsed = _sre_parse.parse(pattern)
        anchored = pattern.startswith("^") and "|" not in pattern.split("(", 1)[0]
        lits, first = _required(pattern)
        lo_hi = parsed.getwidth()
        width = int(lo_hi[1]) if lo_hi[1] < _sre_c.MAXREPEAT and not _has_anchor(parsed) else -1
        if anchored:
            width = _ANCHORED
        if not lits:
            if not anchored:
                import warnings

                from civictools.errors import CivictoolsWarning

                # one such regex sends every unit with a candidate down the unit-by-unit
                # path: a codebook of the default's size codes 2-3x slower
                warnings.warn(
                    f"regex {pattern!r} has no literal that every match must contain (outside "
                    "look-arounds and optional parts), so it is tried at every position of every "
                    "unit and coding runs unit by unit, several times slower; put a required "
                    "literal outside any (?=...) or (?<=...)", CivictoolsWarning, stacklevel=4)
            return -1, width
        rid = self._n_req
        self._n_req += 1
        if first and width >= 0:
            width = _AT_LITERAL  # every match starts at a required literal: try only there
        for lit in lits:
            self._add(lit, (_REQ, -1, rid, lit, 1, 0.0))
        return rid, width

    # ------------------------------------------------------------------------------------
    def scan(self, text: str, tokenize: Callable[[str], Iterable] | None = None,
             masked: list[tuple[int, int]] | None = None,
             bounds: Callable[[str], set[int]] | None = None) -> tuple[list[Hit], list[tuple]]:
        """Return (hits, rejected) for one unit of text.

        ``hits`` rows: (theme index, term, rule, start, end, weight); ``rejected`` rows:
        (theme index, term, reason, start, end). ``self.theme_ids[i]`` is the theme id.
        Token boundaries come from ``bounds(text)`` (see :func:`boundary_function`) or, failing
        that, from ``tokenize(text)`` rows ``(token, start, end)``.
        """
        if bounds is None and tokenize is not None:
            bounds = partial(_boundaries, tokenize=tokenize)
        cands: list[tuple] = []  # (theme, term, rule, s, e, w, mode)
        traps: list[tuple[int, int, int]] = []
        prox_a: list[tuple] = []
        prox_b: list[tuple] = []
        req: dict[int, list[int]] = {}
        bet: list[tuple] | None = None
        rejected: list[tuple] = []
        bset: set[int] | None = None
        check = bounds is not None and self.needs_tokens
        if self._find is not None and text:
            entries_of = self._entries
            inc_only = self._inc_only
            for pi, start, end in self._find(text):
                one = inc_only[pi]
                if one is not None:  # the common case: a pattern that is one include term
                    ti, pat, mode, w = one
                    if check and mode != 1:
                        if bset is None:
                            bset = bounds(text)
                        if not ((start in bset and end in bset) if mode == 0 else _aligned(bset, start, end, mode)):
                            rejected.append((ti, pat, "boundary", start, end))
                            continue
                    cands.append((ti, pat, mode, start, end, w))
                    continue
                for kind, ti, k, pat, mode, w in entries_of[pi]:
                    if kind == 0:
                        if check and mode != 1:
                            # boundaries first: most rejected candidates stop here
                            if bset is None:
                                bset = bounds(text)
                            if not _aligned(bset, start, end, mode):
                                rejected.append((ti, pat, "boundary", start, end))
                                continue
                        cands.append((ti, pat, mode, start, end, w))
                    elif kind == 1:
                        traps.append((ti, start, end))
                    elif kind == 4:
                        req.setdefault(k, []).append(start)
                    elif kind == 6:
                        if bet is not None:  # a right literal only matters after a left one
                            bet.append((kind, k, start, end))
                    elif kind == 5:
                        if bet is None:
                            bet = []
                        bet.append((kind, k, start, end))
                    elif kind == 2:
                        prox_a.append((ti, k, pat, start, end, w, mode))
                    else:
                        prox_b.append((ti, k, start, end, mode))
        for ti, pattern, rx, weight, rid, width in self.regex_inc:
            if rid >= 0 and rid not in req:
                continue
            for s, e in _regex_spans(rx, text, rid, width, req):
                cands.append((ti, text[s:e], 1, s, e, weight))
        if not cands and not prox_a:
            return [], rejected
        if bet is not None:
            if check and self.titles_end_tokens:
                # checked only now: most units with a left literal have no candidate and
                # returned above without segmenting
                if bset is None:
                    bset = bounds(text)
                bet = [b for b in bet if b[0] != _BET_L or b[3] in bset]
            traps.extend(self._between_spans(text, bet))
        if self.regex_trap:
            near = None
            for ti, rx, rid, width in self.regex_trap:
                if rid >= 0 and rid not in req:
                    continue
                if near is None:
                    near = sorted([c[3] for c in cands] + [c[3] for c in prox_a])
                for s, e in _regex_spans(rx, text, rid, width, req, near):
                    traps.append((ti, s, e))
        if check and bset is None:
            bset = bounds(text)
        has_context = self._has_context
        negation = self.negation
        has_rules = self._has_rules
        rule_names = _RULE_NAMES
        ctx_by_term, ctx_any = self._ctx_by_term, self._ctx_any
        if not masked and not traps and not has_rules:
            valid = [(ti, term, rule_names[mode], s, t, w) for ti, term, mode, s, t, w in cands]
        else:
            valid = []
            if traps:
                t_lo = min(x[1] for x in traps)
                t_hi = max(x[2] for x in traps)
            for ti, term, mode, s, t, w in cands:
                reason = None
                if masked and any(s < me and ms < t for ms, me in masked):
                    reason = "header"
                elif traps and s < t_hi and t_lo < t and _trapped(traps, ti, s, t):
                    reason = "trap"
                elif has_rules:
                    rules = ctx_by_term[ti].get(term, ctx_any[ti]) if has_context[ti] else None
                    if rules and _context_hit(rules, text, term, s, t):
                        reason = "context"
                    elif negation[ti] is not None and _negated(text, s, negation[ti]):
                        reason = "negation"
                if reason is None:
                    valid.append((ti, term, rule_names[mode], s, t, w))
                else:
                    rejected.append((ti, term, reason, s, t))
        if prox_a:
            self._proximity(text, prox_a, prox_b, bset, masked, traps, valid, rejected)
        if len(valid) > 1 and len({h[0] for h in valid}) < len(valid):
            valid = _drop_nested(valid, rejected)
        # min hits: a threshold on summed weights per theme
        score: dict[int, float] = {}
        for h in valid:
            score[h[0]] = score.get(h[0], 0.0) + h[5]
        mins = self._min_hits
        hits = [h for h in valid if score[h[0]] + 1e-9 >= mins[h[0]]]
        if len(hits) < len(valid):
            rejected.extend((h[0], h[1], "min_hits", h[3], h[4]) for h in valid
                            if score[h[0]] + 1e-9 < mins[h[0]])
        if self.children and hits:
            hits.extend(self._roll_up(hits))
        # Theme indices, not ids: callers map them in bulk. Order: Aho–Corasick order (by end
        # position), then regex, proximity and roll-up hits.
        return hits, rejected

    def _between_spans(self, text: str, found: list[tuple]) -> list[tuple[int, int, int]]:
        lefts: dict[int, list[tuple[int, int]]] = {}
        rights: dict[int, list[tuple[int, int]]] = {}
        for kind, bid, s, e in found:
            (lefts if kind == _BET_L else rights).setdefault(bid, []).append((s, e))
        out = []
        for bid, rs in rights.items():
            ls = lefts.get(bid)
            if not ls:
                continue
            ti, rule = self.between[bid]
            spans = []
            for rs_, re_ in rs:
                best = None
                for ls_, le_ in ls:
                    if (le_ <= rs_ and rs_ - le_ <= rule.within and (best is None or ls_ < best)
                            and _between_pair(rule, text, ls_, le_, rs_, re_)):
                        best = ls_
                if best is not None:
                    spans.append([best, re_])
            # chained titles (社区党委书记、居委会主任某某说): extend over adjacent left literals
            for sp in spans:
                changed = True
                while changed:
                    changed = False
                    for ls_, le_ in ls:
                        if ls_ < sp[0] and (le_ == sp[0] or (le_ == sp[0] - 1 and text[le_] == "、")):
                            sp[0] = ls_
                            changed = True
                out.append((ti, sp[0], sp[1]))
        return out

    def _proximity(self, text, prox_a, prox_b, bset, masked, traps, valid, rejected) -> None:
        def aligned(s, t, mode):
            return bset is None or mode == 1 or _aligned(bset, s, t, mode)

        # token distances need every boundary between the two terms: list them only
        # when a rule counts tokens (this segments the whole unit)
        bounds = None if bset is None or all(
            r.unit == "chars" for rules in self.proximity for r in rules
        ) else sorted(bset)
        ok_b: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for ti, k, s, t, mode in prox_b:
            if aligned(s, t, mode):
                ok_b.setdefault((ti, k), []).append((s, t))
        for ti, k, term, s, t, w, mode in prox_a:
            rule = self.proximity[ti][k]
            partners = ok_b.get((ti, k), [])
            if not any(_distance(s, t, b1, b2, rule.unit, bounds) <= rule.within for b1, b2 in partners):
                rejected.append((ti, term, "proximity", s, t))
                continue
            reason = None
            if masked and any(s < me and ms < t for ms, me in masked):
                reason = "header"
            elif not aligned(s, t, mode):
                reason = "boundary"
            elif traps and _trapped(traps, ti, s, t):
                reason = "trap"
            elif self.context[ti] and _context_hit(self.context[ti], text, term, s, t):
                reason = "context"
            elif self.negation[ti] is not None and _negated(text, s, self.negation[ti]):
                reason = "negation"
            if reason is None:
                valid.append((ti, term, "proximity", s, t, w))
            else:
                rejected.append((ti, term, reason, s, t))

    def _roll_up(self, hits: list[Hit]) -> list[Hit]:
        coded = {h[0] for h in hits}
        first: dict[int, Hit] = {}
        for h in hits:
            first.setdefault(h[0], h)
        extra: list[Hit] = []
        changed = True
        while changed:
            changed = False
            for parent, kids in self.children.items():
                if parent in coded:
                    continue
                kid = next((k for k in kids if k in coded), None)
                if kid is not None:
                    h = first[kid]
                    new = (parent, h[1], f"child:{self.theme_ids[kid]}", h[3], h[4], 0.0)
                    extra.append(new)
                    first[parent] = new
                    coded.add(parent)
                    changed = True
        return extra


def _automaton(patterns: list[str], dfa: bool = False) -> Callable[[str], list[tuple[int, int, int]]]:
    """A function text -> [(pattern index, start, end), ...], all overlapping matches.

    Order: by end position, the longest pattern first at equal ends (as the automaton reports
    them). ahocorasick_rs (compiled, returns the whole list in one call) when installed, else
    pyahocorasick. ``dfa=True`` builds ahocorasick_rs's DFA for up to 20,000 patterns: about
    twice as fast on long texts (the batch matcher's joined units), slower to build.
    """
    try:
        import ahocorasick_rs
    except ImportError:
        ahocorasick_rs = None
    if ahocorasick_rs is not None:
        kw = {"implementation": ahocorasick_rs.Implementation.DFA} if dfa and len(patterns) <= 20_000 else {}
        ac = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard, **kw)
        return partial(ac.find_matches_as_indexes, overlapping=True)
    import ahocorasick

    auto = ahocorasick.Automaton()
    for i, p in enumerate(patterns):
        auto.add_word(p, (i, len(p)))
    auto.make_automaton()

    def find(text: str) -> list[tuple[int, int, int]]:
        return [(i, e + 1 - n, e + 1) for e, (i, n) in auto.iter(text)]

    return find


def boundary_function(segmenter) -> Callable[[str], Any]:
    """A function text -> token-boundary offsets (a set or set-like) for ``segmenter``.

    A civictools :class:`~civictools.text.Segmenter` with the pure-Python jieba engine
    answers with :meth:`~civictools.text.Segmenter.boundaries`, which segments only the
    runs of text where a term matched (exactly the offsets ``tokenize`` gives, tested
    position by position on the demo corpus): 18 % less time than segmenting everything
    (benchmarks/bench_coding.py). With rjieba one call per unit is cheaper than one call
    per run, so there, as for other segmenters: ``cut`` with running sums of word
    lengths when the words cover the text, else ``tokenize``. The batch matcher
    (``_batch.py``) does better with civictools' rjieba Segmenter: it cuts only the runs
    around candidates, of all units in one call (``.runs``, ``.joinable``).

    >>> from civictools.text import Segmenter
    >>> sorted(boundary_function(Segmenter())("社区自治区"))
    [0, 2, 5]
    """
    lazy = getattr(segmenter, "boundaries", None)
    if callable(lazy) and getattr(segmenter, "engine", None) == "jieba":
        return lazy
    tokenize = segmenter.tokenize
    cut = getattr(segmenter, "cut", None)
    if cut is None:
        return partial(_boundaries, tokenize=tokenize)

    def bounds(text: str) -> set[int]:
        return _bounds_from_words(text, cut(text), tokenize)

    # the batch matcher (_batch.py) cuts many units itself and applies the same rule
    bounds.cut = cut  # type: ignore[attr-defined]
    bounds.from_words = partial(_bounds_from_words, tokenize=tokenize)  # type: ignore[attr-defined]
    bounds.joinable = _joinable(segmenter)  # type: ignore[attr-defined]
    # rjieba: the batch matcher may segment only the runs around candidates (_batch._run_marks)
    bounds.runs = _run_tables(segmenter) if bounds.joinable is not None else None  # type: ignore[attr-defined]
    return bounds


_LUTS: list = []


def _run_tables(segmenter) -> tuple | None:
    """(run characters, white space, protected words) for ``_batch._run_marks``: lookup
    tables over code points. Runs: a superset of the characters rjieba keeps in one block
    (jieba-rs's RE_HAN_DEFAULT: CJK blocks and [a-zA-Z0-9+#&._%-]), as text's
    TokenBoundaries uses them. Only for the rjieba engine (jieba uses TokenBoundaries)."""
    if getattr(segmenter, "engine", None) != "rjieba":
        return None
    if not _LUTS:
        import numpy as np

        run = np.zeros(0x110000, dtype=bool)
        for lo, hi in ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)):
            run[lo:hi + 1] = True
        run[[ord(c) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-"]] = True
        ws = np.array([chr(c).isspace() for c in range(0x3002)], dtype=bool)  # none above U+3000
        _LUTS.extend([run, ws])
    return _LUTS[0], _LUTS[1], tuple(getattr(segmenter, "protected_words", ()))


def _joinable(segmenter) -> Callable[[str], bool] | None:
    """For civictools' own Segmenter: a function sep -> whether cutting units joined by
    ``sep`` gives each unit's words with ``sep`` as one word between them (else None).

    Both engines split text into runs of Han and Latin/digit characters (jieba's
    re_han_default) and segment each run on its own; a separator outside those runs and
    not white space is a word of its own and ends the run. The only step that looks
    across runs is the protected-word pass (Aho–Corasick over words the engine cannot
    keep whole), which cannot match across a separator none of those words contains.
    tests/test_coding_batch.py checks the equality on the demo corpus.
    """
    from civictools.text import Segmenter

    if type(segmenter) is not Segmenter or getattr(segmenter, "engine", None) not in ("rjieba", "jieba"):
        return None
    protected = tuple(getattr(segmenter, "protected_words", ()))

    def joinable(sep: str) -> bool:
        return len(sep) == 1 and not sep.isspace() and not _HAN_RUN.match(sep) and not any(
            sep in w for w in protected)

    return joinable


# a character jieba may put inside a run (its re_han_default, widened): never a separator
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9+#&._%\-]")


def _bounds_from_words(text: str, words: list[str], tokenize) -> set[int]:
    b = set(accumulate(map(len, words), initial=0))
    if len(text) in b and len(b) == len(words) + 1:
        return b
    # white space was left out: place the words by search (the skipped text is white
    # space, which no word contains, so each word is found where the segmenter put it)
    b = {0, len(text)}
    pos = 0
    find = text.find
    for w in words:
        i = find(w, pos)
        if i < 0:  # pragma: no cover - a segmenter that rewrites text
            return _boundaries(text, tokenize)
        pos = i + len(w)
        b.add(i)
        b.add(pos)
    return b


_RULE_NAMES = {0: "token", 1: "substring", 2: "prefix", 3: "suffix", 4: "affix"}
_START = itemgetter(1)


def _boundaries(text: str, tokenize) -> set[int]:
    toks = tokenize(text)
    bset = set(map(_START, toks))
    bset.update(map(_END, toks))
    bset.add(0)
    bset.add(len(text))
    return bset


def _aligned(bset: set[int], s: int, t: int, mode: int) -> bool:
    if mode == 0:
        return s in bset and t in bset
    if mode == 2:
        return s in bset
    if mode == 3:
        return t in bset
    return s in bset or t in bset

_END = itemgetter(2)


def _trapped(traps: list[tuple[int, int, int]], ti: int, s: int, t: int) -> bool:
    # a trap cancels the hits it overlaps, except a hit that covers the whole trap
    # (a longer term is not a look-alike of a shorter trap inside it)
    for tti, ts, te in traps:
        if ts < t and s < te and (tti == ti or tti == -1) and not (s <= ts and te <= t):
            return True
    return False


def _drop_nested(valid: list[tuple], rejected: list[tuple]) -> list[tuple]:
    """Within a theme keep the longest match: 党员 inside 在职党员 is one hit, not two."""
    by_theme: dict[int, list[tuple]] = {}
    for h in valid:
        by_theme.setdefault(h[0], []).append(h)
    out = []
    for hs in by_theme.values():
        if len(hs) == 1:
            out.append(hs[0])
            continue
        hs.sort(key=lambda h: (h[3], -(h[4] - h[3])))
        last_end = -1
        for h in hs:
            if h[4] <= last_end:
                rejected.append((h[0], h[1], "nested", h[3], h[4]))
            else:
                out.append(h)
                last_end = h[4]
    return out


def _regex_spans(rx, text: str, rid: int, width: int, req: dict[int, list[int]],
                 near: list[int] | None = None):
    if width == _ANCHORED:
        m = rx.match(text)
        if m is not None and m.end() > m.start():
            yield m.start(), m.end()
        return
    if rid != -1:
        starts = req.get(rid)
        if not starts:
            return
        if width == _AT_LITERAL:
            last = -1
            for p in starts:
                if p < last:
                    continue
                m = rx.match(text, p)
                if m is not None and m.end() > m.start():
                    yield m.start(), m.end()
                    last = m.end()
            return
        if width >= 0:
            # any match contains a required literal, so it lies within `width` of one; search
            # the union of those windows (merged, so that a match spanning two windows is not
            # cut). A trap only matters if it can overlap a candidate hit (starts in `near`).
            n = len(text)
            lo = hi = -1
            pre = _prefilter(rx)
            for p in starts:
                if near is not None:
                    i = bisect_left(near, p - 2 * width)
                    if i == len(near) or near[i] > p + width:
                        continue
                a, b = max(0, p - width), min(n, p + width)
                if a <= hi:
                    hi = max(hi, b)
                    continue
                if hi > lo and (pre is None or pre.search(text, lo, hi) is not None):
                    yield from _spans(rx.finditer(text, lo, hi))
                lo, hi = a, b
            if hi > lo and (pre is None or pre.search(text, lo, hi) is not None):
                yield from _spans(rx.finditer(text, lo, hi))
            return
    pre = _prefilter(rx)
    if pre is not None and pre.search(text) is None:
        return
    for m in rx.finditer(text):
        if m.end() > m.start():
            yield m.start(), m.end()


_PREFILTERS: dict[Any, Any] = {}


def _prefilter(rx):
    """``rx`` without its leading repeats (``[^。]{0,50}`` before a keyword), or None.

    Every match of ``rx`` contains a match of this rest, so where the rest finds nothing
    ``rx`` finds nothing either; the rest is searched in linear time, while ``rx`` tries
    every start with every length of the leading repeats (a trap like
    ``[^。]{0,50}[^。]{0,50}(?:电话|微信)[0-9]{11}`` tried ~2,500 ways per start: 0.2 s on
    1 MB). Where the rest is found, ``rx`` itself runs, so the results do not change.
    """
    try:
        return _PREFILTERS[rx]
    except KeyError:
        pass
    pre = None
    parsed = _sre_parse.parse(rx.pattern, rx.flags)
    items = list(parsed)
    k = 0
    while k < len(items) and items[k][0] in _REPEAT_OPS:
        k += 1
    if 0 < k < len(items):
        rest = _sre_parse.SubPattern(parsed.state, items[k:])
        pre = _sre_compiler.compile(rest, rx.flags)
    _PREFILTERS[rx] = pre
    return pre


def _spans(matches):
    for m in matches:
        if m.end() > m.start():
            yield m.start(), m.end()


def _context_hit(rules, text: str, term: str, s: int, t: int) -> bool:
    for ex in rules:
        if ex.terms and term not in ex.terms:
            continue
        if ex.left and any(x in text[max(0, s - ex.window):s] for x in ex.left):
            return True
        if ex.right and any(x in text[t:t + ex.window] for x in ex.right):
            return True
    return False


def _between_pair(rule, text: str, ls: int, le: int, rs: int, re_: int) -> bool:
    """The tests of a ``between`` trap on a left literal ``[ls, le)`` and a right one
    ``[rs, re_)`` after it besides distance: the gap (only CJK characters, or no line
    break) and, if the rule has any, one of its ``contains`` literals inside the span.
    Offsets index ``text``: a unit's text (scan) or the batch's joined text."""
    if rule.gap == "cjk":
        if _CJK_GAP.fullmatch(text, le, rs) is None:
            return False
    elif text.find("\n", le, rs) >= 0:
        return False
    return not rule.contains or any(text.find(c, ls, re_) >= 0 for c in rule.contains)


_CJK_GAP = re.compile("[\u4e00-\u9fff]*")


def _distance(s1: int, e1: int, s2: int, e2: int, unit: str, bounds: list[int] | None) -> int:
    lo, hi = (e1, s2) if e1 <= s2 else (e2, s1)
    if hi <= lo:
        return 0
    if unit == "chars" or bounds is None:
        return hi - lo
    # tokens strictly between the two spans
    return max(0, bisect_right(bounds, hi) - bisect_left(bounds, lo) - 1)


def _negated(text: str, s: int, neg: Negation) -> bool:
    longest = max((len(c) for c in neg.cues), default=0)
    lo = max(0, s - neg.window - longest)
    ctx = text[lo:s]
    for cue in neg.cues:
        idx = ctx.rfind(cue)
        if idx >= 0:
            tail = ctx[idx + len(cue):]
            if len(tail) <= neg.window and not (set(tail) & _PUNCT_BREAK) and "，" not in tail and "," not in tail:
                return True
    return False


def required_literals(pattern: str) -> list[str] | None:
    """Literal strings of which at least one must occur for ``pattern`` to match.

    Returns ``None`` when no such set can be derived (the regex then runs on every unit).

    >>> required_literals("(?:党委|支部)书记[一-龥]{1,3}说")
    ['党委', '支部']
    >>> required_literals("议题[一二三]")
    ['议题一', '议题二', '议题三']
    >>> required_literals("社工[室站]")
    ['社工室', '社工站']
    >>> required_literals("[^。]{0,50}(?:手机号?|电话)[0-9]{11}")
    ['手机', '电话']
    """
    return _required(pattern)[0]


def _required(pattern: str) -> tuple[list[str] | None, bool]:
    """(required literals, True when every match starts with one of them)."""
    parsed = _sre_parse.parse(pattern)
    best: list[str] | None = None
    best_len = 0
    best_first = False

    def consider(cands: list[str] | None, first: bool) -> None:
        nonlocal best, best_len, best_first
        if cands and all(cands):
            m = min(len(c) for c in cands)
            if m > best_len or (m == best_len and first and not best_first):
                best, best_len, best_first = cands, m, first

    runs = [""]
    run_first = True
    for i, (op, av) in enumerate(parsed):
        if op is _sre_c.LITERAL:
            runs = [r + chr(av) for r in runs]
            continue
        small = _small_class(op, av)
        if small is not None and len(runs) * len(small) <= 8:
            # 社工[室站] requires 社工室 or 社工站: rarer literals than 社工 alone
            runs = [r + c for r in runs for c in small]
            continue
        consider(runs if runs[0] else None, run_first)
        runs, run_first = [""], False
        if op is _sre_c.SUBPATTERN:
            consider(_literal_alternatives(av[-1]), i == 0)
        elif op is _sre_c.BRANCH:
            consider(_branch_literals(av[1]), i == 0)
    consider(runs if runs[0] else None, run_first)
    return best, best_first


def _small_class(op, av) -> list[str] | None:
    """The characters of a class like [室站] (at most 4 literals), else None."""
    if op is not _sre_c.IN or len(av) > 4 or any(o is not _sre_c.LITERAL for o, _ in av):
        return None
    return [chr(a) for _, a in av]


_LOOK = (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT)


def _has_anchor(parsed) -> bool:
    """True if the parsed pattern contains ^, $, \\A, \\Z, \\b or a look-around anywhere
    (a match could then depend on text outside a search window)."""
    stack = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)) or type(node).__name__ == "SubPattern":
            for item in node:
                if isinstance(item, tuple) and len(item) == 2 and item[0] in _LOOK:
                    return True
                stack.append(item)
    return False


def _literal_alternatives(items) -> list[str] | None:
    """The literal every match of ``items`` starts with (an alternative's leading run of
    literals: 手机 for 手机号?), or the alternatives' literals of a lone branch."""
    if len(items) == 1 and items[0][0] is _sre_c.BRANCH:
        return _branch_literals(items[0][1][1])
    s = ""
    for op, av in items:
        if op is not _sre_c.LITERAL:
            break
        s += chr(av)
    return [s] if s else None


def _branch_literals(branches) -> list[str] | None:
    out = []
    for b in branches:
        lits = _literal_alternatives(list(b))
        if not lits:
            return None
        out.extend(lits)
    return out
