"""Static safety checks for user-supplied regular expressions in codebooks.

Python's ``re`` has no timeout, so instead of interrupting a runaway match we
refuse, before compiling, the constructs that make backtracking explode:
nested unbounded repeats (``(a+)+``), unbounded repeats of alternations whose
branches can match the same text (``(a|ab)*``), two variable repeats of the
same pattern in a row (``[^。]{0,50}[^。]{0,50}``), back-references, and very
large bounded repeats (over 100). Patterns are also capped in length, and the coder only
ever runs them on one unit of text at a time.
"""

from __future__ import annotations

import re

try:  # Python >= 3.11 moved the parser
    import re._parser as _sre_parse  # type: ignore[import-not-found]
    import re._constants as _sre_c  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]
    import sre_constants as _sre_c  # type: ignore[no-redef]

MAX_PATTERN_LENGTH = 200
MAX_BOUNDED_REPEAT = 100

_REPEATS = {_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT}
_POSSESSIVE = getattr(_sre_c, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)
_MAXREPEAT = _sre_c.MAXREPEAT


def check_regex(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` after checking it cannot backtrack catastrophically.

    Parameters
    ----------
    pattern : str
        A Python regular expression.

    Returns
    -------
    re.Pattern
        The compiled pattern.

    Raises
    ------
    ValueError
        With the reason, if the pattern is too long, invalid or unsafe.

    Examples
    --------
    >>> check_regex("党(组织|支部)").pattern
    '党(组织|支部)'
    >>> check_regex("(社工+)+")
    Traceback (most recent call last):
    ...
    ValueError: nested unbounded repetition (catastrophic backtracking risk)
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"regex longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    _walk(parsed, inside_unbounded=False)
    return re.compile(pattern)


def _walk(items, inside_unbounded: bool) -> None:
    prev = None
    for op, av in items:
        if op in _REPEATS and prev is not None and prev[0] in _REPEATS:
            # X{0,50}X{0,50} tries every split of a run between the two (2,500 ways
            # at each start) where X{0,100} tries 100: the same matches, far more work
            (lo1, hi1, body1), (lo2, hi2, body2) = prev[1], av
            if lo1 < hi1 and lo2 < hi2 and list(body1) == list(body2):
                raise ValueError("two variable repeats of the same pattern in a row multiply "
                                 "backtracking; write one repeat (X{0,80} for X{0,50}X{0,30})")
        prev = (op, av)
        if op is _sre_c.GROUPREF or op is getattr(_sre_c, "GROUPREF_EXISTS", None):
            raise ValueError("back-references are not allowed in codebook regexes")
        if op in _REPEATS:
            low, high, body = av
            unbounded = high == _MAXREPEAT
            if not unbounded and high > MAX_BOUNDED_REPEAT:
                raise ValueError(f"bounded repeat larger than {MAX_BOUNDED_REPEAT}")
            if unbounded and inside_unbounded:
                raise ValueError("nested unbounded repetition (catastrophic backtracking risk)")
            if unbounded and _has_overlapping_branches(body):
                raise ValueError("unbounded repeat of overlapping alternatives "
                                 "(catastrophic backtracking risk)")
            _walk(body, inside_unbounded or unbounded)
        elif op is _sre_c.SUBPATTERN:
            _walk(av[-1], inside_unbounded)
        elif op is _sre_c.BRANCH:
            for branch in av[1]:
                _walk(branch, inside_unbounded)
        elif op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            _walk(av[1], inside_unbounded)
        elif op is getattr(_sre_c, "ATOMIC_GROUP", None):
            _walk(av, inside_unbounded)


def _has_overlapping_branches(body) -> bool:
    """True when an alternation inside ``body`` has branches sharing a first literal."""
    for op, av in body:
        if op is _sre_c.SUBPATTERN:
            if _has_overlapping_branches(av[-1]):
                return True
        elif op is _sre_c.BRANCH:
            firsts = []
            for branch in av[1]:
                first = _first_literal(branch)
                if first is None or first in firsts:
                    return True
                firsts.append(first)
    return False


def _first_literal(branch):
    for op, av in branch:
        if op is _sre_c.LITERAL:
            return av
        if op is _sre_c.SUBPATTERN:
            return _first_literal(av[-1])
        return None
    return ""
