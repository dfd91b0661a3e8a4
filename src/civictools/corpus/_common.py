"""Small text helpers shared by the corpus parsers: numerals, dates, lines.

Everything here works on positions in the *given* text, so callers can report
character offsets that point back into the document a user passed in.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Iterator, NamedTuple

# Full-width digits, colon and slash map one-to-one onto ASCII, so a translated
# copy keeps every character offset of the original.
_WIDTH_TABLE = str.maketrans(
    "０１２３４５６７８９：／－．　",
    "0123456789:/-. ",
)

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

CN_NUM = "〇零一二三四五六七八九十两"


def halfwidth_digits(text: str) -> str:
    """Return ``text`` with full-width digits and date punctuation made ASCII.

    The result has the same length as the input, so offsets stay valid.

    >>> halfwidth_digits("２０２３年３月５日　１４：３０")
    '2023年3月5日 14:30'
    """
    return text.translate(_WIDTH_TABLE)


def cn_to_int(token: str) -> int | None:
    """Convert a small Chinese or Arabic numeral (up to 99) to ``int``.

    >>> [cn_to_int(t) for t in ["三", "十", "十二", "二十", "二十三", "7", "x"]]
    [3, 10, 12, 20, 23, 7, None]
    """
    token = halfwidth_digits(token.strip())
    if token.isdigit():
        return int(token)
    if not token or any(ch not in CN_NUM for ch in token):
        return None
    if "十" not in token:
        if len(token) == 1:
            return _CN_DIGITS[token]
        # Year-style digit strings: 二〇二三 -> 2023.
        return int("".join(str(_CN_DIGITS[ch]) for ch in token))
    tens, _, units = token.partition("十")
    value = (_CN_DIGITS.get(tens, 1) if tens else 1) * 10
    if units:
        if units not in _CN_DIGITS:
            return None
        value += _CN_DIGITS[units]
    return value


_CN_NUMERAL = r"[〇零○一二两三四五六七八九十]"
_DATE_RE = re.compile(
    r"(?P<y>\d{4}|" + _CN_NUMERAL + r"{4})\s*(?:年|[-/.])\s*"
    r"(?P<m>\d{1,2}|" + _CN_NUMERAL + r"{1,3})\s*(?:月|[-/.])\s*"
    r"(?P<d>\d{1,2}|" + _CN_NUMERAL + r"{1,3})(?!\d)\s*[日号]?"
)
_TIME_RE = re.compile(
    r"\s*(?:[（(][^）)]{0,6}[）)])?\s*[,，]?\s*"
    r"(?P<ampm>上午|下午|晚上|中午|早上|早晨|傍晚|凌晨|晚)?\s*"
    r"(?P<h>\d{1,2}|" + _CN_NUMERAL + r"{1,3})\s*(?P<sep>[:：时点])\s*"
    r"(?:(?P<mi>\d{1,2}|" + _CN_NUMERAL + r"{1,3})\s*分?|(?P<half>半))?"
)
_PM_WORDS = {"下午", "晚上", "傍晚", "晚"}


def find_datetime(text: str) -> tuple[datetime, int, int] | None:
    """Find the first full date (with its time, when given) in ``text``.

    Returns ``(value, start, end)`` or None. Recognised dates: ``2023年3月5日``,
    ``2023-03-05``, ``2023/3/5``, ``2023.3.5`` and ``二〇二三年三月五日``; a time
    may follow (``14:30``, ``下午2:30``, ``14时30分``, ``下午三点半``).

    >>> find_datetime("时间：2023年3月5日（星期日）下午2:30")[0]
    datetime.datetime(2023, 3, 5, 14, 30)
    >>> find_datetime("发布时间:2023-02-23 12:37:00")[0]
    datetime.datetime(2023, 2, 23, 12, 37)
    >>> find_datetime("no date here") is None
    True
    """
    norm = halfwidth_digits(text)
    for match in _DATE_RE.finditer(norm):
        year, month, day = (cn_to_int(match.group(k)) for k in ("y", "m", "d"))
        if year is None or month is None or day is None:
            continue
        try:
            value = datetime(year, month, day)
        except ValueError:
            continue
        end = match.end()
        tmatch = _TIME_RE.match(norm, end)
        if tmatch:
            hour = cn_to_int(tmatch.group("h"))
            minute = 30 if tmatch.group("half") else cn_to_int(tmatch.group("mi") or "0")
            # A bare number followed by 点/时 needs the word to be a time; a
            # colon needs minutes.
            ok = hour is not None and minute is not None and hour < 24 and minute < 60
            if ok and tmatch.group("sep") in ":：" and tmatch.group("mi") is None:
                ok = False
            if ok:
                if tmatch.group("ampm") in _PM_WORDS and hour < 12:
                    hour += 12
                value = value.replace(hour=hour, minute=minute)
                end = tmatch.end()
        return value, match.start(), end
    return None


def parse_datetime(text: str | None) -> datetime | None:
    """Return the first date-time in ``text`` or None.

    >>> parse_datetime("二〇二三年三月五日上午九点")
    datetime.datetime(2023, 3, 5, 9, 0)
    """
    if not text:
        return None
    found = find_datetime(text)
    return found[0] if found else None


class Line(NamedTuple):
    """One line of a text with its offsets (``end`` excludes the newline)."""

    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    def span(self) -> tuple[int, int]:
        """Offsets of the line without its surrounding whitespace."""
        lead = len(self.text) - len(self.text.lstrip())
        trail = len(self.text) - len(self.text.rstrip())
        return self.start + lead, self.end - trail


def iter_lines(text: str) -> Iterator[Line]:
    """Yield the lines of ``text`` with character offsets.

    >>> [tuple(x) for x in iter_lines("ab\\ncd")]
    [(0, 2, 'ab'), (3, 5, 'cd')]
    """
    pos = 0
    for raw in text.split("\n"):
        yield Line(pos, pos + len(raw), raw)
        pos += len(raw) + 1


def text_or_path(obj: str | Path) -> tuple[str, Path | None]:
    """Return ``(text, path)`` for an argument that is a text or a file path.

    A ``Path``, or a one-line string naming an existing file, is read with
    :func:`civictools.corpus.read_text`; anything else is taken as the text.
    """
    if isinstance(obj, Path) or (
        isinstance(obj, str) and "\n" not in obj and len(obj) < 1024 and _is_file(obj)
    ):
        from civictools.corpus.read import read_text

        path = Path(obj)
        return read_text(path), path
    if not isinstance(obj, str):
        raise TypeError(f"expected a text (str) or a path, got {type(obj).__name__}")
    return obj, None


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def split_top(value: str, seps: str) -> list[str]:
    """Split ``value`` on any of ``seps`` outside brackets; keep empty parts out.

    >>> split_top("刘海（代表，住院），王丽", "，,")
    ['刘海（代表，住院）', '王丽']
    """
    out: list[str] = []
    depth = 0
    buf: list[str] = []
    for ch in value:
        if ch in "（(【[":
            depth += 1
        elif ch in "）)】]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in seps:
            token = "".join(buf).strip()
            if token:
                out.append(token)
            buf = []
            continue
        buf.append(ch)
    token = "".join(buf).strip()
    if token:
        out.append(token)
    return out


def split_names(value: str) -> list[str]:
    """Split a list of people on Chinese and ASCII separators, keeping brackets whole.

    >>> split_names("王丽（书记、主任）、张强, 李秀英 赵建国")
    ['王丽（书记、主任）', '张强', '李秀英', '赵建国']
    """
    return split_top(value, "、，,；;/／ \t\u3000")
