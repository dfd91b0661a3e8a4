"""Reading content-analysis dictionaries (quanteda/WordStat YAML, LIWC ``.dic``) as codebooks.

Glob patterns are translated: a trailing ``*`` becomes a prefix match (start on a token
boundary, any ending), other ``*``/``?`` wildcards become a bounded regular expression.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from civictools.coding.codebook import PALETTE, Codebook, _build
from civictools.errors import CodebookError

__all__ = ["read_yaml_dictionary", "read_liwc"]


def _read(p: Path, what: str, to_simplified: bool) -> str:
    """The text of a dictionary file in whatever encoding it comes (UTF-8 with or without BOM,
    UTF-16, GB18030/GBK, Big5: Chinese LIWC dictionaries are often GBK or Big5)."""
    from civictools.corpus._encoding import DecodeFailure, decode

    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CodebookError(f"{p}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        text, _ = decode(data)
    except DecodeFailure as exc:
        raise CodebookError(f"{p}: {exc}; save the {what} as UTF-8") from None
    if to_simplified:
        from civictools.corpus.read import _t2s

        text = _t2s().convert(text)
    return text


def _term(pattern: str) -> Any:
    p = pattern.strip()
    if not p:
        return None
    if "*" not in p and "?" not in p:
        return p
    if p.endswith("*") and "*" not in p[:-1] and "?" not in p:
        return {"term": p[:-1], "match": "prefix"}
    rx = "".join(r"\w{0,10}" if ch == "*" else r"\w" if ch == "?" else re.escape(ch) for ch in p)
    return {"regex": rx}


def _slug(name: str, used: set[str], n: int) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    if not s or not s[0].isalpha():
        s = f"cat_{n:02d}"
    base, k = s, 2
    while s in used:
        s = f"{base}_{k}"
        k += 1
    used.add(s)
    return s


def _theme(name: str, tid: str, parent: str | None, terms: list[Any], i: int) -> dict[str, Any]:
    label = str(name)
    t: dict[str, Any] = {"id": tid, "color": PALETTE[i % len(PALETTE)]}
    if label.isascii():
        t["label_en"] = label
    else:
        t["label_zh"] = label
    if parent:
        t["parent"] = parent
    terms = [x for x in terms if x is not None]
    if terms:
        t["terms"] = terms
    return t


def read_yaml_dictionary(path: str | Path, name: str | None = None, *, to_simplified: bool = False) -> Codebook:
    """Read a quanteda / WordStat-style YAML dictionary (nested keys, lists of words).

    Keys become themes (nested keys become child themes); words with a trailing ``*`` match
    as prefixes. The encoding is detected (UTF-8 with or without BOM, UTF-16, GB18030/GBK,
    Big5); ``to_simplified=True`` converts a traditional-character dictionary to simplified
    characters (OpenCC ``t2s``) for coding simplified text.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> p = os.path.join(d, "dict.yml")
    >>> _ = open(p, "w", encoding="utf-8").write("elderly:\\n  - 老年人\\n  - 养老*\\n")
    >>> cb = read_yaml_dictionary(p)
    >>> cb.theme_ids, cb.themes["elderly"].terms[1].match
    (['elderly'], 'prefix')
    """
    p = Path(path)
    text = _read(p, "YAML dictionary", to_simplified)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{p}: cannot read YAML dictionary ({exc})") from None
    if not isinstance(data, dict) or not data:
        raise CodebookError(f"{p}: a YAML dictionary must map category names to word lists")
    themes: list[dict[str, Any]] = []
    used: set[str] = set()

    def walk(node: dict, parent: str | None) -> None:
        for key, val in node.items():
            tid = _slug(key, used, len(themes) + 1)
            if isinstance(val, dict):
                themes.append(_theme(key, tid, parent, [], len(themes)))
                walk(val, tid)
            elif isinstance(val, (list, str)):
                words = [val] if isinstance(val, str) else val
                themes.append(_theme(key, tid, parent, [_term(str(w)) for w in words], len(themes)))
            else:
                raise CodebookError(f"{p}: category {key!r} must hold a list of words or sub-categories")

    walk(data, None)
    return _build({"codebook": name or _name(p), "themes": themes}, {}, source=str(p), strict=False)


def read_liwc(path: str | Path, name: str | None = None, *, to_simplified: bool = False) -> Codebook:
    """Read a LIWC ``.dic`` dictionary (category table between ``%`` lines, then words).

    The encoding is detected (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5: Chinese
    LIWC dictionaries often come in GBK or Big5); ``to_simplified=True`` converts a
    traditional-character dictionary to simplified characters (OpenCC ``t2s``).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "mini.dic")
    >>> _ = open(p, "w", encoding="utf-8").write("%\\n1\\tfamily\\n2\\t邻里\\n%\\n亲子\\t1\\n邻居*\\t2\\n")
    >>> cb = read_liwc(p)
    >>> cb.theme_ids, [t.pattern for t in cb.themes["cat_02"].terms]
    (['family', 'cat_02'], ['邻居'])
    >>> _ = open(p, "wb").write("%\\n1\\t鄰里\\n%\\n鄰居*\\t1\\n".encode("big5"))
    >>> [t.pattern for t in read_liwc(p, to_simplified=True).themes["cat_01"].terms]
    ['邻居']
    """
    p = Path(path)
    lines = _read(p, "LIWC dictionary", to_simplified).splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == "%"]
    if len(marks) < 2:
        raise CodebookError(f"{p}: a LIWC .dic needs the category table between two '%' lines")
    cats: dict[str, str] = {}
    for ln in range(marks[0] + 1, marks[1]):
        line = lines[ln].strip()
        if not line:
            continue
        parts = re.split(r"\s+", line, maxsplit=1)
        if len(parts) != 2:
            raise CodebookError(f"{p}: line {ln + 1}: expected '<number> <category>'")
        cats[parts[0]] = parts[1].strip()
    words: dict[str, list[Any]] = {k: [] for k in cats}
    for ln in range(marks[1] + 1, len(lines)):
        line = lines[ln].rstrip()
        if not line.strip():
            continue
        if "\t" in line:
            fields = [f for f in line.split("\t") if f.strip()]
            word, nums = fields[0].strip(), [x for f in fields[1:] for x in f.split()]
        else:
            fields = line.split()
            k = len(fields)
            while k > 1 and fields[k - 1].isdigit():
                k -= 1
            word, nums = " ".join(fields[:k]), fields[k:]
        for n in nums:
            if n not in cats:
                raise CodebookError(f"{p}: line {ln + 1}: category {n!r} of {word!r} is not in the table")
            words[n].append(_term(word))
    used: set[str] = set()
    themes = [_theme(label, _slug(label, used, i + 1), None, words[num], i)
              for i, (num, label) in enumerate(cats.items())]
    return _build({"codebook": name or _name(p), "themes": themes}, {}, source=str(p), strict=False)


def _name(p: Path) -> str:
    s = re.sub(r"[^A-Za-z0-9_\-]", "_", p.stem) or "dictionary"
    return s if s[0].isalpha() else "d_" + s
