"""Code many units at once: the batch twin of :meth:`CompiledCodebook.scan`.

One Aho–Corasick pass runs over all units joined by a separator that no pattern contains,
so the automaton restarts at every unit and reports, unit by unit, the matches ``scan``
would report, in the same order; the same pass finds context literals and negation cues.
Token boundaries of all units go into one boolean array over the joined text (with
rjieba, from one cut of the runs of Han/Latin/digit characters that hold a candidate's
end, joined by the separator); boundary modes, header masks, traps, context rules, nested
matches and ``min_hits`` are array operations (a between trap's left literal, which must end a
token in token mode, is asked about with the candidates), and negation runs scan's check only on
candidates with a cue in reach. Regex includes and traps run in one loop over the joined
text (windows and literal runs clipped to their unit); traps between two literals and
roll-up to parent themes run scan's own code, in the units where their literals occur
and could matter (or, for roll-up, a child theme was coded).
Units with a term of a proximity rule or a text containing the separator are handed to
``scan`` whole.

The result equals calling ``scan`` unit by unit: the same hits in the same order and the
same rejected rows in the same order (tests/test_coding_batch.py checks it on the demo
corpus at every unit and on codebooks that use every rule).
"""

from __future__ import annotations

import gc
import re
from itertools import chain
from typing import Any, Callable, Sequence

import numpy as np

from civictools.coding._matcher import (
    _ANCHORED,
    _AT_LITERAL,
    _BET_L,
    _BET_R,
    _INC,
    _PROX_A,
    _REQ,
    _RULE_NAMES,
    _TRAP,
    CompiledCodebook,
    _automaton,
    _between_pair,
    _context_hit,
    _negated,
    _prefilter,
)

HIT_COLUMNS = ("unit", "theme", "term", "rule", "start", "end", "weight")
REJECTED_COLUMNS = ("unit", "theme", "term", "reason", "start", "end")
_SEPARATORS = ("\x00", "\x1f", "\x1e", "\ufffe", "\uffff")
# phases of the rejected rows of a unit, in the order scan appends them
_PH_BOUNDARY, _PH_RULE, _PH_NESTED, _PH_MIN = 0, 1, 3, 4
_REASONS = np.array(["header", "trap", "context", "negation"], dtype=object)


class _Tables:
    """Per-codebook arrays for the batch path (built once per CompiledCodebook)."""

    def __init__(self, cc: CompiledCodebook):
        entries = cc._entries
        counts = np.fromiter((len(e) for e in entries), dtype=np.int64, count=len(entries))
        self.e_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.e_cnt = counts
        flat = [x for e in entries for x in e]
        self.kind = np.array([x[0] for x in flat], dtype=np.int8)
        self.ti = np.array([x[1] for x in flat], dtype=np.int64)
        self.k = np.array([x[2] for x in flat], dtype=np.int64)
        self.mode = np.array([x[4] for x in flat], dtype=np.int8)
        self.w = np.array([x[5] for x in flat], dtype=np.float64)
        self.one = bool((counts == 1).all())
        self.patterns = np.array(cc._patterns + [""], dtype=object)
        # include entries whose (theme, term) has context rules that apply to it
        ctx = np.zeros(len(flat), dtype=bool)
        for i, x in enumerate(flat):
            if x[0] == _INC and cc._has_context[x[1]]:
                ctx[i] = bool(cc._ctx_by_term[x[1]].get(x[3], cc._ctx_any[x[1]]))
        self.ctx = ctx
        self.neg_theme = np.array([n is not None for n in cc.negation], dtype=bool)
        self.neg_window = np.array([n.window if n is not None else 0 for n in cc.negation], dtype=np.int64)
        self.min_hits = np.array(cc._min_hits, dtype=np.float64)
        child = np.zeros(len(cc.themes), dtype=bool)
        for kids in cc.children.values():
            child[kids] = True
        self.child = child
        self.rule_names = np.array([_RULE_NAMES[i] for i in range(5)], dtype=object)
        # a regex without a required literal runs on every unit: hand everything to scan
        self.regex_everywhere = any(r[4] < 0 for r in cc.regex_inc)
        self.regex_trap_everywhere = any(r[2] < 0 for r in cc.regex_trap)
        literals: list[str] = list(cc._patterns)
        ctx_lits = sorted({x for rules in cc.context for ex in rules for x in (*ex.left, *ex.right)})
        cues = sorted({c for n in cc.negation if n is not None for c in n.cues})
        literals += ctx_lits + cues
        self.sep = next((s for s in _SEPARATORS if not any(s in p for p in literals)), None)
        self.within = np.array([b.within for _, b in cc.between] + [0], dtype=np.int64)
        self.max_within = int(self.within.max())
        # the longest match of each regex trap (-1: unbounded)
        self.trap_reach = [_max_width(rx.pattern) for _, rx, _, _ in cc.regex_trap]
        # one pass finds the codebook's literals, context literals and negation cues
        index = {p: i for i, p in enumerate(cc._patterns)}
        lits = list(cc._patterns)
        for x in ctx_lits + cues:
            if x and x not in index:
                index[x] = len(lits)
                lits.append(x)
        self.n_pat = len(cc._patterns)
        self.is_ctx = np.zeros(len(lits), dtype=bool)
        self.is_ctx[[index[x] for x in ctx_lits if x]] = True
        self.is_cue = np.zeros(len(lits), dtype=bool)
        self.is_cue[[index[x] for x in cues if x]] = True
        self.find_all = _automaton(lits, dfa=True) if lits else None
        # context rules as a table: (rules id, literal, side) -> the widest window, so that a
        # literal occurrence decides a candidate without running the rules
        self.ctx_python = "" in ctx_lits  # an empty literal is in every window: run the rules
        rules_id: dict[int, int] = {}
        self.rules_list: list[tuple] = []
        entry_rules = np.full(len(flat), -1, dtype=np.int64)
        for i, x in enumerate(flat):
            if ctx[i]:
                rules = cc._ctx_by_term[x[1]].get(x[3], cc._ctx_any[x[1]])
                if id(rules) not in rules_id:
                    rules_id[id(rules)] = len(self.rules_list)
                    self.rules_list.append(rules)
                entry_rules[i] = rules_id[id(rules)]
        self.entry_rules = entry_rules
        self._rules_id = rules_id
        self.n_lits = len(lits)
        win: dict[int, int] = {}
        for rid, rules in enumerate(self.rules_list):
            for ex in rules:
                for side, group in ((0, ex.left), (1, ex.right)):
                    for x in group:
                        if not x:
                            continue
                        key = (rid * self.n_lits + index[x]) * 2 + side
                        win[key] = max(win.get(key, -1), ex.window)
        keys = sorted(win)
        self.win_keys = np.array(keys, dtype=np.int64)
        self.win_vals = np.array([win[k] for k in keys], dtype=np.int64)
        self.rules_window = np.array([max((ex.window for ex in rules), default=0) for rules in self.rules_list],
                                     dtype=np.int64)

    def rules_of(self, cc: CompiledCodebook, ti: int, term: str) -> int:
        """Rules id of a regex candidate (-1: no context rule applies), registering new ones."""
        if not cc._has_context[ti]:
            return -1
        rules = cc._ctx_by_term[ti].get(term, cc._ctx_any[ti])
        if not rules:
            return -1
        return self._rules_id.get(id(rules), -2)  # -2: checked by running the rules


def _max_width(pattern: str) -> int:
    from civictools.coding._safe_regex import _sre_c, _sre_parse

    hi = _sre_parse.parse(pattern).getwidth()[1]
    return int(hi) if hi < _sre_c.MAXREPEAT else -1


def _tables(cc: CompiledCodebook) -> _Tables:
    t = cc.__dict__.get("_batch_tables")
    if t is None:
        t = cc.__dict__["_batch_tables"] = _Tables(cc)
    return t


def _matches(find, text: str) -> np.ndarray:
    found = find(text)
    if not found:
        return np.zeros((0, 3), dtype=np.int64)
    return np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * len(found)).reshape(-1, 3)


def _ask_boundaries(texts, starts, n, bounds, c_unit, c_s, c_e) -> np.ndarray:
    """Boundary marks at the candidates' ends only, from on-demand boundaries per unit."""
    marks = np.zeros(n + 1, dtype=bool)
    lo_a = np.flatnonzero(np.concatenate([[True], c_unit[1:] != c_unit[:-1]]))
    hi_a = np.concatenate([lo_a[1:], [len(c_unit)]])
    cs, ce = c_s.tolist(), c_e.tolist()
    for u, lo, hi in zip(c_unit[lo_a].tolist(), lo_a.tolist(), hi_a.tolist()):
        off = int(starts[u])
        b = bounds(texts[u])
        for p in set(cs[lo:hi] + ce[lo:hi]):
            if p - off in b:
                marks[p] = True
    return marks


def _mark_boundaries(texts, units: np.ndarray, starts: np.ndarray, n: int, bounds,
                     sep: str | None = None) -> np.ndarray:
    """A boolean array over the joined text: True at every token boundary of ``units``,
    the offsets ``bounds(text)`` gives (see ``boundary_function``)."""
    marks = np.zeros(n + 1, dtype=bool)
    if not len(units):
        return marks
    cut = getattr(bounds, "cut", None)
    from_words = getattr(bounds, "from_words", None)
    if sep is not None and getattr(bounds, "joinable", None) is not None and bounds.joinable(sep):
        if _joined_marks(texts, units, starts, marks, cut, sep):
            return marks
    ulist = units.tolist()
    if cut is None or from_words is None:  # a rule we only know as a function: ask it
        for u in ulist:
            b = bounds(texts[u])
            marks[starts[u] + np.fromiter(iter(b), dtype=np.int64)] = True
        return marks
    words = [cut(texts[u]) for u in ulist]
    counts = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    lens = np.fromiter(map(len, chain.from_iterable(words)), dtype=np.int64, count=int(counts.sum()))
    csum = np.concatenate([[0], np.cumsum(lens)])
    last = np.cumsum(counts)
    first = last - counts
    total = csum[last] - csum[first]
    tlen = np.fromiter((len(texts[u]) for u in ulist), dtype=np.int64, count=len(ulist))
    word_unit = np.repeat(np.arange(len(ulist)), counts)
    nonpos = np.bincount(word_unit, weights=(lens <= 0), minlength=len(ulist))
    # words that cover the text: boundaries are running sums of word lengths; the other
    # units (white space left out) go through the same rule as scan
    covered = (total == tlen) & (nonpos == 0)
    ok = covered[word_unit]
    pos = starts[units][word_unit] + csum[1:] - csum[first][word_unit]
    marks[pos[ok]] = True
    marks[starts[units[covered]]] = True
    for k in np.flatnonzero(~covered).tolist():
        u = ulist[k]
        b = from_words(texts[u], words[k])
        marks[starts[u] + np.fromiter(b, dtype=np.int64, count=len(b))] = True
    return marks


_WS = re.compile(r"\s")  # \s is str.isspace (checked over all code points in the tests)


def _joined_marks(texts, units: np.ndarray, starts: np.ndarray, marks: np.ndarray, cut, sep: str) -> bool:
    """Mark the boundaries of ``units`` from one ``cut`` of the units joined by ``sep``.

    Only for segmenters whose cut of the joined text is the units' cuts with ``sep`` as a
    word between them (``bounds.joinable(sep)``, see ``boundary_function``): one call
    instead of thousands saves the per-call overhead (a third of cutting paragraphs one
    by one). ``cut`` leaves white space out, and ``_bounds_from_words`` then places words
    by search: a word starts where the previous one ended plus the white space after it,
    which is what running sums over the text without its white space, mapped back, give.
    Returns False (marks untouched) when the word lengths do not add up to the text
    without white space or a word runs across units; the caller then cuts unit by unit.
    """
    ulist = units.tolist()
    parts = [texts[u] for u in ulist]
    big = sep.join(parts)
    words = cut(big)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    ws = np.array([m.start() for m in _WS.finditer(big)], dtype=np.int64)
    if len(lens) and lens.min() <= 0:
        return False
    # the words must cover the text without its white space (cut returns substrings in
    # order: only their lengths matter) and every separator must be a word of its own
    if int(lens.sum()) != len(big) - len(ws) or words.count(sep) != len(parts) - 1:
        return False
    ends = np.cumsum(lens)
    begins = ends - lens
    if len(ws):
        # compressed offset -> offset in ``big``: add the white space before it
        squeezed = ws - np.arange(len(ws))
        begins = begins + np.searchsorted(squeezed, begins, "right")
        ends = ends + np.searchsorted(squeezed, ends - 1, "right")
    ulen = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    _place_words(marks, begins, ends, ulen, starts[units])
    marks[starts[units]] = True
    marks[starts[units] + ulen] = True
    return True


def _place_words(marks: np.ndarray, begins: np.ndarray, ends: np.ndarray, plen: np.ndarray,
                 at: np.ndarray) -> None:
    """Mark the ends of words found in parts of lengths ``plen`` joined by a one-character
    separator, at the parts' places ``at`` in the batch's joined text. A word belongs to
    the part it begins in; a separator word's end is clipped to its part's end (a
    boundary anyway)."""
    big_starts = np.concatenate([[0], np.cumsum(plen + 1)[:-1]])
    k = np.searchsorted(big_starts, begins, "right") - 1
    shift = at[k] - big_starts[k]
    marks[begins + shift] = True
    marks[np.minimum(ends, big_starts[k] + plen[k]) + shift] = True


def _run_marks(texts, units: np.ndarray, starts, tlen, joined: str, c_s, c_e, bounds, sep: str):
    """Boundary marks over the joined text, right at the positions ``c_s`` and ``c_e``
    (the candidates' ends), segmenting only the runs that hold one of them; None to fall
    back to ``_mark_boundaries``.

    The engine cuts each run of Han/Latin/digit characters on its own and emits every
    other character as a word of its own (white space left out by ``cut``);
    ``bounds.runs`` is a lookup table over code points of a superset of those run
    characters (a wider run is cut by the engine into the same words). So a position
    strictly inside a run is a boundary exactly where the run's words meet, and any other
    position is a boundary unless white space lies on both sides (``_bounds_from_words``
    places words, never splits white space). The runs are cut in one call, joined by the
    separator. Units with a protected word (matched across runs before segmenting) are
    cut whole as in ``_joined_marks``. About half of the text of the units is cut.
    """
    run_lut, ws_lut, protected = bounds.runs
    n = len(joined)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    run = np.zeros(n + 2, dtype=bool)  # padded: the text's ends are never inside a run
    run[1:n + 1] = run_lut[cp]
    ws = np.zeros(n + 2, dtype=bool)
    ws[1:n + 1] = ws_lut[np.minimum(cp, len(ws_lut) - 1)]
    marks = np.zeros(n + 1, dtype=bool)
    marks[c_s] = True  # the asked positions, sorted and unique (a scatter, not a sort)
    marks[c_e] = True
    pos = np.flatnonzero(marks)
    marks[pos] = False
    # units with a protected word: their positions come from the whole-unit cut
    whole = np.zeros(len(tlen), dtype=bool)
    for w in protected:
        i = joined.find(w)
        while i >= 0:
            whole[np.searchsorted(starts, i, "right") - 1] = True
            i = joined.find(w, i + 1)
    if whole.any():
        wu = units[whole[units]]
        if not _joined_marks(texts, wu, starts, marks, bounds.cut, sep):
            return None
        pos = pos[~whole[np.searchsorted(starts, pos, "right") - 1]]
    inside = run[pos] & run[pos + 1]  # characters pos - 1 and pos, padded indices
    out = pos[~inside]
    marks[out] = ~(ws[out] & ws[out + 1])
    pos = pos[inside]
    if not len(pos):
        return marks
    # the runs holding them: [first, end) over the joined text
    edge = np.flatnonzero(run[1:] != run[:-1])  # padded index i: run changes between i-1 and i
    r_first, r_end = edge[0::2], edge[1::2]  # text offsets (padding shifts by one)
    k = np.searchsorted(r_first, pos, "right") - 1
    need = k[np.concatenate([[True], k[1:] != k[:-1]])]
    a, b = r_first[need], r_end[need]
    parts = [joined[x:y] for x, y in zip(a.tolist(), b.tolist())]
    big = sep.join(parts)
    words = bounds.cut(big)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    # runs hold no white space: the words cover the joined runs, each separator a word
    if int(lens.sum()) != len(big) or words.count(sep) != len(parts) - 1 or (len(lens) and lens.min() <= 0):
        return None
    ends = np.cumsum(lens)
    inner = np.zeros(n + 1, dtype=bool)
    _place_words(inner, ends - lens, ends, b - a, a)
    marks[pos] = inner[pos]
    return marks


def scan_many(cc: CompiledCodebook, texts: Sequence[str], masks: Sequence[Any] | None = None,
              segmenter: Any = None, bounds: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """Code ``texts`` (one per unit) at once; exactly ``cc.scan(text, None, mask, bounds)`` each.

    Parameters
    ----------
    cc : CompiledCodebook
    texts : sequence of str
    masks : sequence of lists of (start, end) or None, optional
        Spans of each unit that are not coded (minutes headers), unit-local offsets.
    segmenter : object, optional
        The segmenter behind ``bounds``; with the jieba engine its on-demand boundaries are
        asked only about the candidates' ends, as ``scan`` does.
    bounds : callable text -> token-boundary offsets, optional
        As for ``scan`` (``boundary_function(segmenter)``); without it, or in substring mode,
        no boundary checks. When it segments with ``cut``, all units are cut here in one
        loop and the boundaries are running sums of word lengths.

    Returns
    -------
    dict
        ``"hits"``: columns ``HIT_COLUMNS`` (numpy arrays; ``unit`` indexes ``texts``; start
        and end unit-local), ``"rejected"``: columns ``REJECTED_COLUMNS``, rows of a unit
        in ``scan``'s order, units in input order; ``"n_fallback"``: units handed to
        ``scan`` whole.

    Examples
    --------
    >>> from civictools.coding import load_codebook
    >>> cc = CompiledCodebook(load_codebook("default"), "substring")
    >>> out = scan_many(cc, ["社区开展义诊。", "", "网格员入户巡查。"])
    >>> [cc.theme_ids[t] for t in out["hits"]["theme"]] == [cc.theme_ids[h[0]] for x in
    ...     ["社区开展义诊。", "", "网格员入户巡查。"] for h in cc.scan(x)[0]]
    True
    """
    # The batch allocates many small acyclic objects (word lists, row lists); the cyclic
    # collector would walk the growing heap again and again for nothing (15-20 % of
    # ThemeCoder.code on 1 MB), so it pauses for the call.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan_many(cc, texts, masks, segmenter, bounds)
    finally:
        if enabled:
            gc.enable()


def _scan_many(cc, texts, masks, segmenter, bounds) -> dict[str, Any]:
    n_units = len(texts)
    texts = list(texts)
    masks = list(masks) if masks is not None else [None] * n_units
    tb = _tables(cc)
    check = bounds is not None and cc.needs_tokens
    fb = np.zeros(n_units, dtype=bool)
    if cc._find is None or tb.regex_everywhere or tb.sep is None:
        fb[:] = True
        return _finish(cc, texts, masks, bounds, fb, None, None)
    sep = tb.sep
    joined = sep.join(texts)
    if joined.count(sep) != max(n_units - 1, 0):  # some unit contains the separator
        for i, t in enumerate(texts):
            if sep in t:
                fb[i] = True
        joined = sep.join([("" if fb[i] else t) for i, t in enumerate(texts)])
    tlen = np.fromiter(map(len, texts), dtype=np.int64, count=n_units)
    tlen[fb] = 0
    starts = np.concatenate([[0], np.cumsum(tlen + 1)[:-1]]).astype(np.int64)
    allm = _matches(tb.find_all, joined)
    if len(allm) > 1:
        # scan's order: by end, the longest match first at equal ends
        a_s, a_e = allm[:, 1], allm[:, 2]
        if not np.all((a_e[1:] > a_e[:-1]) | ((a_e[1:] == a_e[:-1]) & (a_s[1:] < a_s[:-1]))):
            allm = allm[np.lexsort((a_s, a_e))]
    m = allm[allm[:, 0] < tb.n_pat]
    pidx, ms, me = m[:, 0], m[:, 1], m[:, 2]
    # one row per automaton entry of each match, in scan's order
    if tb.one:
        eid = tb.e_ptr[pidx]
        seq = np.arange(len(pidx), dtype=np.int64)
    else:
        cnt = tb.e_cnt[pidx]
        row = np.repeat(np.arange(len(pidx)), cnt)
        within = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        eid = tb.e_ptr[pidx][row] + within
        pidx, ms, me = pidx[row], ms[row], me[row]
        seq = np.arange(len(row), dtype=np.int64)
    n_rows = len(seq)  # regex candidates get sequence numbers after every automaton row
    unit = np.searchsorted(starts, ms, side="right") - 1
    kind = tb.kind[eid]
    ti = tb.ti[eid]
    fb[unit[kind == _PROX_A]] = True
    inc = kind == _INC
    if tb.regex_trap_everywhere:
        fb[unit[inc]] = True
    keep = ~fb[unit]
    pidx, ms, me, eid, seq, unit, kind, ti = (a[keep] for a in (pidx, ms, me, eid, seq, unit, kind, ti))
    inc = kind == _INC
    mode = tb.mode[eid]

    rej_parts: list[tuple] = []  # (unit, theme, term, reason, start, end, phase, seq)
    # -- include candidates and boundary checks
    c_sel = np.flatnonzero(inc)
    c_unit, c_ti, c_s, c_e, c_mode, c_seq, c_eid = (a[c_sel] for a in (unit, ti, ms, me, mode, seq, eid))
    c_term = tb.patterns[pidx[c_sel]]

    # -- per-unit extras, exactly as scan: regex includes, traps between literals, regex
    # traps; each runs only in the units where its literals occur (and could matter)
    extra_c: list[tuple] = []  # (unit, theme, term, s, e, weight) global offsets
    extra_t: list[tuple] = []  # (unit, theme, s, e)
    # literal starts of each regex's prefilter id: rows grouped by id, then unit, in
    # automaton order inside a unit (scan's order of req[rid])
    r_sel = np.flatnonzero(kind == _REQ)
    r_unit, r_rid = unit[r_sel], tb.k[eid[r_sel]]
    order = np.argsort(r_rid * n_units + r_unit, kind="stable")
    lit = _Literals(r_unit[order], ms[r_sel][order], r_rid[order], starts, tlen)
    for rti, _pattern, rx, weight, rid, width in cc.regex_inc:
        for u, s, e in _run_regex(rx, width, lit.of(rid), joined, texts, starts):
            extra_c.append((u, rti, joined[s:e], s, e, weight))

    # left literals of between traps that must end a token, in units with a candidate
    # (scan checks them only there): their ends are asked with the candidates' ends
    l_sel = np.zeros(0, dtype=np.int64)
    if check and cc.titles_end_tokens:
        l_sel = np.flatnonzero(kind == _BET_L)
        if len(l_sel):
            with_c = np.zeros(n_units, dtype=bool)
            with_c[c_unit] = True
            with_c[[x[0] for x in extra_c]] = True
            l_sel = l_sel[with_c[unit[l_sel]]]
    if check and (len(c_sel) or len(l_sel)):
        need = c_mode != 1
        q_unit, q_s, q_e = c_unit[need], c_s[need], c_e[need]  # in unit order (text order)
        if len(l_sel):
            q_unit, q_s, q_e = (np.concatenate([a, b]) for a, b in
                                ((q_unit, unit[l_sel]), (q_s, me[l_sel]), (q_e, me[l_sel])))
            order = np.argsort(q_unit, kind="stable")
            q_unit, q_s, q_e = q_unit[order], q_s[order], q_e[order]
        seg_units = q_unit[np.concatenate([[True], q_unit[1:] != q_unit[:-1]])] if len(q_unit) else q_unit
        if segmenter is not None and bounds == getattr(segmenter, "boundaries", None):
            # boundaries segmented on demand (jieba engine, see boundary_function): ask
            # them only about the candidates' ends, as scan does
            marks = _ask_boundaries(texts, starts, len(joined), bounds, q_unit, q_s, q_e)
        else:
            marks = None
            if getattr(bounds, "runs", None) is not None and bounds.joinable(sep):
                marks = _run_marks(texts, seg_units, starts, tlen, joined, q_s, q_e, bounds, sep)
            if marks is None:
                marks = _mark_boundaries(texts, seg_units, starts, len(joined), bounds, sep)
        if len(l_sel):
            kind[l_sel[~marks[me[l_sel]]]] = -1  # not a title: drop it from the traps
        sb, eb = marks[c_s], marks[c_e]
        ok = np.where(c_mode == 0, sb & eb, np.where(c_mode == 2, sb, np.where(c_mode == 3, eb, sb | eb)))
        ok |= ~need
        bad = ~ok
        if bad.any():
            rej_parts.append((c_unit[bad], c_ti[bad], c_term[bad], np.full(int(bad.sum()), "boundary", dtype=object),
                              c_s[bad], c_e[bad], np.full(int(bad.sum()), _PH_BOUNDARY), c_seq[bad]))
            c_unit, c_ti, c_s, c_e, c_mode, c_seq, c_eid, c_term = (
                a[ok] for a in (c_unit, c_ti, c_s, c_e, c_mode, c_seq, c_eid, c_term))
    c_w = tb.w[c_eid]
    c_rules = tb.entry_rules[c_eid]

    # -- traps from the automaton
    t_sel = kind == _TRAP
    tr_unit, tr_ti, tr_s, tr_e = unit[t_sel], ti[t_sel], ms[t_sel], me[t_sel]

    if extra_c:
        xu, xt, xterm, xs, xe, xw = zip(*extra_c)
        n0 = n_rows
        c_unit = np.concatenate([c_unit, np.array(xu, dtype=np.int64)])
        c_ti = np.concatenate([c_ti, np.array(xt, dtype=np.int64)])
        c_term = np.concatenate([c_term, np.array(xterm + ("",), dtype=object)[:-1]])
        c_s = np.concatenate([c_s, np.array(xs, dtype=np.int64)])
        c_e = np.concatenate([c_e, np.array(xe, dtype=np.int64)])
        c_mode = np.concatenate([c_mode, np.ones(len(xu), dtype=np.int8)])
        c_w = np.concatenate([c_w, np.array(xw, dtype=np.float64)])
        # context rules of a regex hit depend on the matched text
        xrules = [tb.rules_of(cc, t, term) for t, term in zip(xt, xterm)]
        c_rules = np.concatenate([c_rules, np.array(xrules, dtype=np.int64)])
        c_seq = np.concatenate([c_seq, n0 + np.arange(len(xu), dtype=np.int64)])
        order = np.lexsort((c_seq, c_unit))
        c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, c_rules, c_seq = (
            a[order] for a in (c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, c_rules, c_seq))
    bl = np.flatnonzero(kind == _BET_L)
    if len(bl) and len(c_unit):
        extra_t.extend(_between_traps(cc, tb, texts, starts, joined, n_units, unit, kind, eid, ms, me, c_unit))
    if cc.regex_trap and len(lit.rid) and len(c_unit):
        extra_t.extend(_regex_traps(cc, tb, texts, starts, joined, lit, c_unit, c_s, c_e))
    if extra_t:
        xu, xt, xs, xe = (np.array(v, dtype=np.int64) for v in zip(*extra_t))
        tr_unit = np.concatenate([tr_unit, xu])
        tr_ti = np.concatenate([tr_ti, xt])
        tr_s = np.concatenate([tr_s, xs])
        tr_e = np.concatenate([tr_e, xe])

    # -- rules: header, trap, context, negation (the first that applies is the reason)
    nc = len(c_unit)
    reason = np.full(nc, -1, dtype=np.int64)
    if nc:
        has_c = np.zeros(n_units, dtype=bool)
        has_c[c_unit] = True
        masked_units = np.array([i for i, m in enumerate(masks) if m], dtype=np.int64)
        for u in masked_units[has_c[masked_units]].tolist():
            lo, hi = np.searchsorted(c_unit, [u, u + 1])
            off = int(starts[u])
            spans = masks[u]
            for i in range(lo, hi):
                s, t = int(c_s[i]) - off, int(c_e[i]) - off
                if any(s < me_ and ms_ < t for ms_, me_ in spans):
                    reason[i] = 0
        if len(tr_unit):
            lo = np.searchsorted(c_unit, tr_unit, side="left")
            hi = np.searchsorted(c_unit, tr_unit, side="right")
            cnt = hi - lo
            tj = np.repeat(np.arange(len(tr_unit)), cnt)
            ci = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
            ts, te, tt = tr_s[tj], tr_e[tj], tr_ti[tj]
            s, t = c_s[ci], c_e[ci]
            hit = (ts < t) & (s < te) & ((tt == c_ti[ci]) | (tt == -1)) & ~((s <= ts) & (te <= t))
            trapped = np.zeros(nc, dtype=bool)
            trapped[ci[hit]] = True
            reason[(reason < 0) & trapped] = 1
        open_ = reason < 0
        want = open_ & (c_rules != -1)
        if want.any():
            reason[_context(cc, tb, texts, starts, tlen, allm, want, c_rules, c_unit, c_ti, c_term, c_s, c_e)] = 2
        want = (reason < 0) & tb.neg_theme[c_ti]
        if want.any():
            qe = np.sort(allm[tb.is_cue[allm[:, 0]], 2])
            idx = np.flatnonzero(want)
            s = c_s[idx]
            near = np.searchsorted(qe, s, "right") > np.searchsorted(qe, s - tb.neg_window[c_ti[idx]], "left")
            for i in idx[near].tolist():
                u, th = int(c_unit[i]), int(c_ti[i])
                if _negated(texts[u], int(c_s[i]) - int(starts[u]), cc.negation[th]):
                    reason[i] = 3
        bad = reason >= 0
        if bad.any():
            rej_parts.append((c_unit[bad], c_ti[bad], c_term[bad], _REASONS[reason[bad]], c_s[bad], c_e[bad],
                              np.full(int(bad.sum()), _PH_RULE), c_seq[bad]))
            ok = ~bad
            c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w = (a[ok] for a in (c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w))

    # -- nested matches within a theme: group by theme in order of first appearance, then
    # (start, longest first), keep a match only if it ends after every earlier one
    nv = len(c_unit)
    if nv:
        n_th = len(cc.themes)
        gid = c_unit * n_th + c_ti
        _, first, inv = np.unique(gid, return_index=True, return_inverse=True)
        fa = first[inv.reshape(-1)]
        order = np.lexsort((np.arange(nv), c_s - c_e, c_s, fa))
        c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, fa = (
            a[order] for a in (c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, fa))
        newgrp = np.concatenate([[True], fa[1:] != fa[:-1]])
        grank = np.cumsum(newgrp)
        big = len(joined) + 2
        val = grank * big + c_e
        prev = np.concatenate([[-1], np.maximum.accumulate(val)[:-1]])
        kept = val > prev
        pos = np.arange(nv)
        if not kept.all():
            bad = ~kept
            rej_parts.append((c_unit[bad], c_ti[bad], c_term[bad], np.full(int(bad.sum()), "nested", dtype=object),
                              c_s[bad], c_e[bad], np.full(int(bad.sum()), _PH_NESTED), pos[bad]))
            c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, grank = (
                a[kept] for a in (c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w, grank))
        # min hits on summed weights (summed in the same order as scan)
        score = np.bincount(grank - 1, weights=c_w)
        okm = score[grank - 1] + 1e-9 >= tb.min_hits[c_ti]
        if not okm.all():
            bad = ~okm
            rej_parts.append((c_unit[bad], c_ti[bad], c_term[bad], np.full(int(bad.sum()), "min_hits", dtype=object),
                              c_s[bad], c_e[bad], np.full(int(bad.sum()), _PH_MIN), np.arange(len(c_unit))[bad]))
            c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w = (
                a[okm] for a in (c_unit, c_ti, c_term, c_s, c_e, c_mode, c_w))
        loc = starts[c_unit]
        hits = (c_unit, c_ti, c_term, tb.rule_names[c_mode], c_s - loc, c_e - loc, c_w)
        if tb.child.any():
            hits = _roll_up(cc, tb, hits)
    else:
        hits = _empty_hits()
    rejected = _concat_rejected(rej_parts, starts)
    return _finish(cc, texts, masks, bounds, fb, hits, rejected)


def _context(cc, tb, texts, starts, tlen, allm, want, c_rules, c_unit, c_ti, c_term, c_s, c_e) -> np.ndarray:
    """Indices of the candidates in ``want`` that a left/right context rule cancels."""
    idx = np.flatnonzero(want)
    slow = idx[(c_rules[idx] == -2) | tb.ctx_python]
    idx = idx[(c_rules[idx] >= 0) & (not tb.ctx_python)]
    out = []
    if len(idx):
        occ = allm[tb.is_ctx[allm[:, 0]]]
        occ = occ[np.argsort(occ[:, 1], kind="stable")]
        o_p, o_s, o_e = occ[:, 0], occ[:, 1], occ[:, 2]
        s, t = c_s[idx], c_e[idx]
        W = tb.rules_window[c_rules[idx]]  # the widest window of the candidate's rules
        lo = np.searchsorted(o_s, s - W, "left")
        hi = np.searchsorted(o_s, t + W, "right")
        cnt = hi - lo
        ci = np.repeat(idx, cnt)
        oj = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
        u = c_unit[ci]
        us, ue = starts[u], starts[u] + tlen[u]
        base = (c_rules[ci] * tb.n_lits + o_p[oj]) * 2
        ok = np.zeros(len(ci), dtype=bool)
        for side in (0, 1):
            key = base + side
            pos = np.searchsorted(tb.win_keys, key).clip(max=max(len(tb.win_keys) - 1, 0))
            found = tb.win_keys[pos] == key if len(tb.win_keys) else np.zeros(len(key), dtype=bool)
            w = np.where(found, tb.win_vals[pos] if len(tb.win_vals) else 0, -1)
            if side == 0:  # x in text[max(0, s - window):s]
                cond = found & (o_e[oj] <= c_s[ci]) & (o_s[oj] >= np.maximum(us, c_s[ci] - w))
            else:  # x in text[t:t + window]
                cond = found & (o_s[oj] >= c_e[ci]) & (o_e[oj] <= np.minimum(ue, c_e[ci] + w))
            ok |= cond
        out.append(np.unique(ci[ok]))
    hit_slow = []
    for i in slow.tolist():
        u, th, term = int(c_unit[i]), int(c_ti[i]), c_term[i]
        rules = cc._ctx_by_term[th].get(term, cc._ctx_any[th])
        off = int(starts[u])
        if rules and _context_hit(rules, texts[u], term, int(c_s[i]) - off, int(c_e[i]) - off):
            hit_slow.append(i)
    out.append(np.array(hit_slow, dtype=np.int64))
    return np.concatenate(out)


def _between_traps(cc, tb, texts, starts, joined, n_units, unit, kind, eid, ms, me, c_unit) -> list[tuple]:
    """Traps between a left and a right literal, computed by scan's own code in the units
    with a candidate and a left and right literal that pass the rule's tests."""
    is_l, is_r = kind == _BET_L, kind == _BET_R
    has_cand = np.zeros(n_units, dtype=bool)
    has_cand[c_unit] = True
    units = _between_units(cc, tb, joined, unit, eid, ms, me, np.flatnonzero(is_l),
                           np.flatnonzero(is_r & has_cand[unit]))
    if not len(units):
        return []
    sel = np.flatnonzero(is_l | is_r)
    b_unit = unit[sel]
    lo_a = np.searchsorted(b_unit, units, "left").tolist()
    hi_a = np.searchsorted(b_unit, units, "right").tolist()
    b_l = is_l[sel].tolist()
    b_k = tb.k[eid[sel]].tolist()
    b_s, b_e = ms[sel].tolist(), me[sel].tolist()
    out = []
    for u, lo, hi in zip(units.tolist(), lo_a, hi_a):
        off = int(starts[u])
        bet: list[tuple] | None = None
        for i in range(lo, hi):
            if b_l[i]:
                if bet is None:
                    bet = []
                bet.append((_BET_L, b_k[i], b_s[i] - off, b_e[i] - off))
            elif bet is not None:  # a right literal only matters after a left one
                bet.append((_BET_R, b_k[i], b_s[i] - off, b_e[i] - off))
        if bet is not None:
            out.extend((u, bti, s + off, e + off) for bti, s, e in cc._between_spans(texts[u], bet))
    return out


def _between_units(cc, tb, joined: str, unit, eid, ms, me, l_idx, r_idx) -> np.ndarray:
    """Units with a left and a right literal of one rule that pass the tests of
    ``_between_spans`` (right after left, at most ``within`` apart, the gap, ``contains``):
    it finds no trap elsewhere (chaining only widens a trap it found). On the demo corpus
    this leaves 724 of the 1,742 units with a right literal near a left one (698 have a trap)."""
    if not len(l_idx) or not len(r_idx):
        return np.zeros(0, dtype=np.int64)
    big = len(joined) + 2 * tb.max_within + 4
    lb = tb.k[eid[l_idx]]
    lkey = lb * big + me[l_idx]
    order = np.argsort(lkey, kind="stable")
    lkey, l_idx = lkey[order], l_idx[order]
    rb = tb.k[eid[r_idx]]
    rkey = rb * big + ms[r_idx]
    lo = np.searchsorted(lkey, rkey - tb.within[rb], "left")
    hi = np.searchsorted(lkey, rkey, "right")
    cnt = hi - lo
    pr = np.repeat(r_idx, cnt)
    pl = l_idx[np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)]
    same = unit[pl] == unit[pr]
    pl, pr = pl[same], pr[same]
    ok_units: set[int] = set()
    for u, b, ls, le, rs, re_ in zip(unit[pr].tolist(), tb.k[eid[pr]].tolist(), ms[pl].tolist(), me[pl].tolist(),
                                     ms[pr].tolist(), me[pr].tolist()):
        if u not in ok_units and _between_pair(cc.between[b][1], joined, ls, le, rs, re_):
            ok_units.add(u)
    return np.array(sorted(ok_units), dtype=np.int64)


class _Literals:
    """Regex prefilter literals found in the joined text: unit, global start, id."""

    def __init__(self, u, p, rid, starts, tlen):
        self.u, self.p, self.rid = u, p, rid
        self.us = starts[u]
        self.ue = self.us + tlen[u]

    def of(self, rid: int, keep: np.ndarray | None = None) -> tuple:
        """(unit, start, unit start, unit end) of the literals of ``rid`` (``keep``: a mask
        over them)."""
        lo, hi = np.searchsorted(self.rid, [rid, rid + 1])
        cols = (self.u[lo:hi], self.p[lo:hi], self.us[lo:hi], self.ue[lo:hi])
        if keep is not None:
            cols = tuple(c[keep] for c in cols)
        return cols


def _run_regex(rx, width: int, lits: tuple, joined: str, texts, starts, skip: np.ndarray | None = None):
    """(unit, start, end) of the matches ``_regex_spans`` finds in each unit with literals,
    global offsets, units in order. Searches with a window or from a literal run on the
    joined text, clipped to the unit (``endpos``), in one loop over all units: without
    look-arounds or anchors (``width >= 0`` guarantees it) a regex sees the same text
    there. ``skip``: literals that open no window (a trap's literals with no candidate
    near, scan's ``near`` rule); they still count for the anchored and unbounded search.
    """
    u_a, p_a, us_a, ue_a = lits
    if not len(u_a):
        return
    if width == _ANCHORED or width < 0 and width != _AT_LITERAL:
        # one attempt at the unit's start, or a search of the whole unit: per unit, as
        # scan's _regex_spans (inlined: a thousand units call it per chunk)
        units = np.unique(u_a)
        pre = _prefilter(rx)
        for u, off in zip(units.tolist(), starts[units].tolist()):
            text = texts[u]
            if width == _ANCHORED:
                m = rx.match(text)
                if m is not None and m.end() > m.start():
                    yield u, m.start() + off, m.end() + off
                continue
            if pre is not None and pre.search(text) is None:
                continue
            for m in rx.finditer(text):
                if m.end() > m.start():
                    yield u, m.start() + off, m.end() + off
        return
    if width == _AT_LITERAL:
        match = rx.match
        last = -1  # a match ends inside its unit, so the next unit's literals all come after
        for u, p, ue in zip(u_a.tolist(), p_a.tolist(), ue_a.tolist()):
            if p < last:
                continue
            m = match(joined, p, ue)
            if m is not None and m.end() > m.start():
                yield u, m.start(), m.end()
                last = m.end()
        return
    # most windows hold no match: one search (of the rest, for a regex with leading
    # repeats) rules a window out before finditer runs
    pre = _prefilter(rx) or rx
    finditer = rx.finditer
    lo = hi = -1
    cur = -1
    keep = np.ones(len(u_a), dtype=bool) if skip is None else ~skip
    for u, p, us, ue, k in zip(u_a.tolist(), p_a.tolist(), us_a.tolist(), ue_a.tolist(), keep.tolist()):
        if not k:
            continue
        a, b = max(us, p - width), min(ue, p + width)
        if a <= hi:  # windows merge within a unit only: a unit's windows end before the next starts
            hi = max(hi, b)
            continue
        if hi > lo and pre.search(joined, lo, hi) is not None:
            for m in finditer(joined, lo, hi):
                if m.end() > m.start():
                    yield cur, m.start(), m.end()
        lo, hi, cur = a, b, u
    if hi > lo and pre.search(joined, lo, hi) is not None:
        for m in finditer(joined, lo, hi):
            if m.end() > m.start():
                yield cur, m.start(), m.end()


def _regex_traps(cc, tb, texts, starts, joined, lit, c_unit, c_s, c_e) -> list[tuple]:
    """Regex traps, found as scan finds them, in the units where their literal occurs and
    where a match could overlap a candidate (a trap only ever cancels candidates it
    overlaps)."""
    lo_c = np.searchsorted(c_unit, np.arange(len(texts) + 1), "left")
    has_cand = lo_c[1:] > lo_c[:-1]
    out: list[tuple] = []
    near_keys = None
    for (rti, rx, rid, width), reach in zip(cc.regex_trap, tb.trap_reach):
        ru, rs, _, _ = lit.of(rid)
        if not len(ru):
            continue
        sel = has_cand[ru]
        if reach >= 0 and width != -1 and sel.any():
            # where a match can lie: [0, reach) when anchored, [p, p + reach) when it starts
            # at a literal, [p - width, p + width] around a literal otherwise
            idx = np.flatnonzero(sel)
            iu, ip = ru[idx], rs[idx]
            if width == _ANCHORED:
                lo, hi = starts[iu], starts[iu] + reach
            elif width == _AT_LITERAL:
                lo, hi = ip, ip + reach
            else:
                lo, hi = ip - width, ip + width + 1
            hit_units = np.unique(iu[_overlap_any(iu, lo, hi, lo_c, c_s, c_e)])
            sel = np.isin(ru, hit_units)
        if not sel.any():
            continue
        lits = lit.of(rid, sel)  # sel is a mask of whole units: all their literals count
        skip = None
        if width >= 0:
            # scan's near rule: a literal opens a window only with a candidate start of its
            # unit in [p - 2 width, p + width] (unit-local keys, spaced so that ranges
            # never reach a neighbouring unit)
            if near_keys is None:
                big = len(joined) + 4 * max(w for *_, w in cc.regex_trap) + 4
                near_keys = np.sort(c_unit * big + (c_s - starts[c_unit]))
            key = lits[0] * big + (lits[1] - lits[2])
            skip = np.searchsorted(near_keys, key - 2 * width, "left") == np.searchsorted(
                near_keys, key + width, "right")
        out.extend((u, rti, s, e) for u, s, e in _run_regex(rx, width, lits, joined, texts, starts, skip))
    return out


def _overlap_any(r_unit, r_lo, r_hi, lo_c, c_s, c_e) -> np.ndarray:
    """For each region, whether a candidate of its unit overlaps it."""
    lo, hi = lo_c[r_unit], lo_c[r_unit + 1]
    cnt = hi - lo
    rj = np.repeat(np.arange(len(r_unit)), cnt)
    ci = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
    hit = (c_s[ci] < r_hi[rj]) & (r_lo[rj] < c_e[ci])
    out = np.zeros(len(r_unit), dtype=bool)
    out[rj[hit]] = True
    return out


def _roll_up(cc: CompiledCodebook, tb: _Tables, hits: tuple) -> tuple:
    """Parent themes of coded child themes, by scan's own code, in the units with a child
    theme among their hits; the new rows go after the unit's other hits, as in scan."""
    h_unit, h_ti = hits[0], hits[1]
    units = np.unique(h_unit[tb.child[h_ti]])
    if not len(units):
        return hits
    lo_a = np.searchsorted(h_unit, units, "left").tolist()
    hi_a = np.searchsorted(h_unit, units, "right").tolist()
    extra: list[tuple] = []
    for u, lo, hi in zip(units.tolist(), lo_a, hi_a):
        rows = list(zip(*(c[lo:hi].tolist() for c in hits[1:])))
        extra.extend((u,) + r for r in cc._roll_up(rows))
    if not extra:
        return hits
    return _merge(hits, extra, (np.int64, np.int64, object, object, np.int64, np.int64, np.float64))


def _empty_hits() -> tuple:
    return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, object),
            np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))


def _empty_rejected() -> tuple:
    return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, object),
            np.zeros(0, np.int64), np.zeros(0, np.int64))


def _concat_rejected(parts: list[tuple], starts: np.ndarray) -> tuple:
    if not parts:
        return _empty_rejected()
    cols = [np.concatenate([p[i] for p in parts]) for i in range(8)]
    order = np.lexsort((cols[7], cols[6], cols[0]))
    u, th, term, reason, s, e = (c[order] for c in cols[:6])
    loc = starts[u]
    return (u, th, term, reason, s - loc, e - loc)


def _finish(cc, texts, masks, bounds, fb, hits, rejected) -> dict[str, Any]:
    """Add the units handed to ``scan`` and put every unit's rows in input order."""
    if hits is None:
        hits, rejected = _empty_hits(), _empty_rejected()
    fb_units = np.flatnonzero(fb).tolist()
    if fb_units:
        h_rows: list[tuple] = []
        r_rows: list[tuple] = []
        scan = cc.scan
        for u in fb_units:
            hs, rs = scan(texts[u], None, masks[u] or None, bounds)
            h_rows.extend((u,) + h for h in hs)
            r_rows.extend((u,) + r for r in rs)
        hits = _merge(hits, h_rows, (np.int64, np.int64, object, object, np.int64, np.int64, np.float64))
        rejected = _merge(rejected, r_rows, (np.int64, np.int64, object, object, np.int64, np.int64))
    return {"hits": dict(zip(HIT_COLUMNS, hits)), "rejected": dict(zip(REJECTED_COLUMNS, rejected)),
            "n_fallback": len(fb_units)}


def scan_each(cc: CompiledCodebook, texts: Sequence[str], masks: Sequence[Any] | None = None,
              bounds: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """The result of :func:`scan_many`, computed by calling ``scan`` unit by unit."""
    texts = list(texts)
    masks = list(masks) if masks is not None else [None] * len(texts)
    return _finish(cc, texts, masks, bounds, np.ones(len(texts), dtype=bool), None, None)


def _merge(cols: tuple, rows: list[tuple], dtypes: tuple) -> tuple:
    if not rows:
        return cols
    extra = list(zip(*rows))
    merged = []
    for c, x, dt in zip(cols, extra, dtypes):
        xa = np.empty(len(x), dtype=dt)
        xa[:] = x
        merged.append(np.concatenate([c, xa]))
    order = np.argsort(merged[0], kind="stable")
    return tuple(m[order] for m in merged)


def scan_many_lists(cc: CompiledCodebook, texts: Sequence[str], masks: Sequence[Any] | None = None,
                    segmenter: Any = None, bounds: Callable[[str], Any] | None = None) -> list[tuple]:
    """``scan_many`` as a list of ``(hits, rejected)`` per unit, with ``scan``'s row tuples."""
    out = scan_many(cc, texts, masks, segmenter, bounds)
    res: list[tuple[list, list]] = [([], []) for _ in texts]
    h = out["hits"]
    for u, t, term, rule, s, e, w in zip(*(h[c].tolist() for c in HIT_COLUMNS)):
        res[u][0].append((t, term, rule, s, e, w))
    r = out["rejected"]
    for u, t, term, reason, s, e in zip(*(r[c].tolist() for c in REJECTED_COLUMNS)):
        res[u][1].append((t, term, reason, s, e))
    return res
