"""Reading the governance lexicon, user dictionaries and stopword lists.

Dictionaries use jieba's format, one entry a line: ``word [freq] [pos]``.
civictools also accepts blank lines and ``#`` comment lines in user files
(jieba itself would read ``#`` as a word).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Union

from civictools.errors import TextError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "text"
LEXICON_FILES = {"governance": DATA_DIR / "governance.dict.txt"}
STOPWORD_FILES = {"default": DATA_DIR / "stopwords.txt"}

Entry = tuple[str, Union[int, None], Union[str, None]]

_POS = re.compile(r"^[a-z]{1,5}$")
_PATH_SUFFIXES = (".txt", ".dict", ".dic", ".csv", ".tsv")


def _parse_line(line: str, where: str) -> Entry | None:
    """Parse one dictionary line; ``None`` for blank and comment lines."""
    stripped = line.strip().lstrip("\ufeff")
    if not stripped or stripped.startswith("#"):
        return None
    parts = stripped.split()
    if len(parts) > 3:
        raise TextError(
            f"{where}: expected 'word [freq] [pos]', got {len(parts)} fields in {stripped!r}; "
            "a dictionary word cannot contain spaces"
        )
    word = parts[0]
    freq: int | None = None
    tag: str | None = None
    for extra in parts[1:]:
        if extra.isdigit() and freq is None and tag is None:
            freq = int(extra)
            if freq <= 0:
                raise TextError(f"{where}: frequency of {word!r} must be a positive integer")
        elif _POS.match(extra) and tag is None:
            tag = extra
        else:
            raise TextError(
                f"{where}: cannot read {extra!r} after {word!r}; the frequency must be a "
                "positive integer and the POS tag lower-case letters (e.g. '社区合伙人 800 n')"
            )
    return (word, freq, tag)


def parse_dict_lines(lines: Iterable[str], source: str) -> list[Entry]:
    """Parse dictionary lines, naming ``source`` and the line number on errors."""
    out = []
    for lineno, line in enumerate(lines, start=1):
        entry = _parse_line(line, f"{source}, line {lineno}")
        if entry is not None:
            out.append(entry)
    return out


def _read_dict_file(path: Path) -> list[Entry]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TextError(f"dictionary file not found: {path}") from None
    except OSError as exc:
        raise TextError(f"cannot read dictionary file {path}: {exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TextError(f"{path}, line {line}: not UTF-8; save the dictionary as UTF-8") from None
    return parse_dict_lines(text.splitlines(), str(path))


def _looks_like_path(item: object) -> bool:
    if isinstance(item, os.PathLike):
        return True
    if isinstance(item, str):
        if os.sep in item or "/" in item or item.lower().endswith(_PATH_SUFFIXES):
            return True
        return os.path.isfile(item)
    return False


def read_lexicon(lexicon: object) -> list[Entry]:
    """Entries of a built-in lexicon name, a file path, a list, or nothing (``None``)."""
    if lexicon is None or lexicon is False:
        return []
    if isinstance(lexicon, str) and lexicon in LEXICON_FILES:
        return _read_dict_file(LEXICON_FILES[lexicon])
    if _looks_like_path(lexicon):
        return _read_dict_file(Path(lexicon))  # type: ignore[arg-type]
    if isinstance(lexicon, str):
        raise TextError(
            f"unknown lexicon {lexicon!r}; use one of {sorted(LEXICON_FILES)}, a file path, "
            "a list of words, or None"
        )
    return read_user_dicts([lexicon])


def read_user_dicts(user_dicts: object) -> list[Entry]:
    """Entries of user dictionaries: file paths and/or lists of entries.

    Each item of ``user_dicts`` is a path (``str`` that names a file or ends in
    ``.txt``/``.dict``, or a ``Path``), a list of lines (``"word [freq] [pos]"``)
    or ``(word, freq, pos)`` tuples, or a single line that is not a path.
    """
    if user_dicts is None:
        return []
    if isinstance(user_dicts, (str, os.PathLike)):
        user_dicts = [user_dicts]
    out: list[Entry] = []
    for k, item in enumerate(user_dicts):  # type: ignore[union-attr]
        if _looks_like_path(item):
            out.extend(_read_dict_file(Path(item)))  # type: ignore[arg-type]
        elif isinstance(item, str):
            entry = _parse_line(item, f"user_dicts[{k}]")
            if entry:
                out.append(entry)
        elif isinstance(item, (list, tuple, set, frozenset)) or hasattr(item, "__iter__"):
            for j, sub in enumerate(item):  # type: ignore[union-attr]
                where = f"user_dicts[{k}], entry {j + 1}"
                if isinstance(sub, str):
                    entry = _parse_line(sub, where)
                    if entry:
                        out.append(entry)
                elif isinstance(sub, (tuple, list)) and 1 <= len(sub) <= 3:
                    line = " ".join("" if v is None else str(v) for v in sub)
                    entry = _parse_line(line, where)
                    if entry is None:
                        raise TextError(f"{where}: empty entry {sub!r}")
                    out.append(entry)
                else:
                    raise TextError(
                        f"{where}: expected a string 'word [freq] [pos]' or a (word, freq, pos) "
                        f"tuple, got {sub!r}"
                    )
        else:
            raise TextError(
                f"user_dicts[{k}]: expected a file path or a list of entries, got {type(item).__name__}"
            )
    return out


def read_stopwords(stopwords: object) -> frozenset[str]:
    """A stopword set from ``"default"``, ``None``, a file path or an iterable of words."""
    if stopwords is None or stopwords is False:
        return frozenset()
    if isinstance(stopwords, str) and stopwords in STOPWORD_FILES:
        path: Path | None = STOPWORD_FILES[stopwords]
    elif _looks_like_path(stopwords):
        path = Path(stopwords)  # type: ignore[arg-type]
    elif isinstance(stopwords, str):
        raise TextError(
            f"unknown stopword list {stopwords!r}; use 'default', a file path, a list of words or None"
        )
    else:
        path = None
    if path is not None:
        if not path.is_file():
            raise TextError(f"stopword file not found: {path}")
        words = path.read_text(encoding="utf-8-sig").splitlines()
    else:
        words = list(stopwords)  # type: ignore[call-overload]
    return frozenset(w.strip() for w in words if w.strip() and not w.strip().startswith("#"))
