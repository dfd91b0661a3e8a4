"""Codebooks: loading, validating (with YAML line numbers), merging, diffing, rendering.

A codebook is a validated, immutable data object. Its YAML format is documented by
the JSON Schema shipped as ``civictools/data/codebooks/codebook.schema.json``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import yaml
from yaml.constructor import SafeConstructor

from civictools.coding._safe_regex import check_regex
from civictools.errors import CodebookError

__all__ = [
    "Term",
    "Exclusion",
    "Between",
    "Proximity",
    "Negation",
    "Theme",
    "Codebook",
    "load_codebook",
    "list_codebooks",
    "codebook_schema",
]

_DATA = "civictools.data.codebooks"

# 22+ distinguishable colours (tab20 plus two) so the default themes never share one.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
    "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5", "#393b79",
    "#637939", "#8c6d31", "#843c39",
)

DEFAULT_NEGATION_CUES = ("未", "没有", "尚未", "不再", "并未", "从未", "暂未", "无需")


@dataclass(frozen=True)
class Term:
    """One include pattern: a literal (``kind="term"``) or a regular expression."""

    pattern: str
    kind: str = "term"
    match: str | None = None
    weight: float = 1.0
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Between:
    """A trap from a ``left`` literal to a ``right`` literal at most ``within`` chars later."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    within: int
    contains: tuple[str, ...] = ()
    gap: str = "cjk"


@dataclass(frozen=True)
class Exclusion:
    """A trap (pattern, regex or between-span; cancels overlapping hits) or a left/right context rule."""

    pattern: str | None = None
    kind: str = "term"
    terms: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    window: int = 4
    note: str = ""
    between: Between | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def is_trap(self) -> bool:
        """True for a pattern that cancels the hits it overlaps."""
        return self.pattern is not None or self.between is not None


@dataclass(frozen=True)
class Proximity:
    """Code the theme when a term of ``a`` occurs within ``within`` chars/tokens of one of ``b``."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    within: int
    unit: str = "chars"
    weight: float = 1.0
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Negation:
    """Negation cues (``未``, ``没有`` …) ending at most ``window`` chars before a term cancel it."""

    enabled: bool = True
    cues: tuple[str, ...] = DEFAULT_NEGATION_CUES
    window: int = 3


@dataclass(frozen=True)
class Theme:
    """A theme of a codebook with its terms and rules."""

    id: str
    label_zh: str = ""
    label_en: str = ""
    definition: str = ""
    parent: str | None = None
    color: str = "#7f7f7f"
    terms: tuple[Term, ...] = ()
    exclude: tuple[Exclusion, ...] = ()
    proximity: tuple[Proximity, ...] = ()
    negation: Negation | None = None
    min_hits: float = 1.0
    examples: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """Chinese label if any, else English, else the id."""
        return self.label_zh or self.label_en or self.id


@dataclass(frozen=True, eq=False)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`.

    Examples
    --------
    >>> cb = load_codebook("default")
    >>> len(cb.theme_ids), cb.theme_ids[0]
    (22, 'party_leadership')
    >>> cb.themes["elderly_care"].label_zh
    '为老服务'
    """

    name: str
    themes_: tuple[Theme, ...]
    match: str = "token"
    negation: Negation = Negation()
    exclude: tuple[Exclusion, ...] = ()
    version: str = ""
    title: str = ""
    description: str = ""
    references: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    @property
    def themes(self) -> Mapping[str, Theme]:
        """Read-only mapping theme id -> :class:`Theme`, in codebook order."""
        return MappingProxyType({t.id: t for t in self.themes_})

    @property
    def theme_ids(self) -> list[str]:
        """Theme ids in codebook order."""
        return [t.id for t in self.themes_]

    def children(self, theme_id: str) -> list[str]:
        """Ids of the direct children of ``theme_id``."""
        return [t.id for t in self.themes_ if t.parent == theme_id]

    def colors(self) -> dict[str, str]:
        """Theme id -> colour ``#RRGGBB``."""
        return {t.id: t.color for t in self.themes_}

    def __len__(self) -> int:
        return len(self.themes_)

    def __repr__(self) -> str:
        return f"Codebook(name={self.name!r}, themes={len(self.themes_)}, match={self.match!r})"

    # -- derived tables --------------------------------------------------------------
    def tidy(self):
        """One row per rule: theme, kind (term/regex/exclude/proximity), pattern, match, weight, line."""
        import pandas as pd

        rows = []
        for t in self.themes_:
            for term in t.terms:
                rows.append((t.id, term.kind, term.pattern, term.match or self.match, term.weight, term.line))
            for ex in t.exclude:
                rows.append((t.id, "exclude", _exclusion_text(ex), None, None, ex.line))
            for p in t.proximity:
                rows.append((t.id, "proximity", _proximity_text(p), None, p.weight, p.line))
        for ex in self.exclude:
            rows.append(("*", "exclude", _exclusion_text(ex), None, None, ex.line))
        return pd.DataFrame(rows, columns=["theme", "kind", "pattern", "match", "weight", "line"])

    def summary(self) -> str:
        """A short plain-text description (no dates, deterministic)."""
        n_terms = sum(len(t.terms) for t in self.themes_)
        n_ex = sum(len(t.exclude) for t in self.themes_) + len(self.exclude)
        n_px = sum(len(t.proximity) for t in self.themes_)
        lines = [
            f"Codebook {self.name!r}: {len(self.themes_)} themes, {n_terms} include terms, "
            f"{n_ex} exclusions, {n_px} proximity rules; default match {self.match!r}; "
            f"negation {'on' if self.negation.enabled else 'off'} (window {self.negation.window})",
        ]
        for t in self.themes_:
            lines.append(f"  {t.id:<26} {t.label_zh} / {t.label_en} ({len(t.terms)} terms)")
        return "\n".join(lines)

    # -- rendering ---------------------------------------------------------------------
    def to_markdown(self) -> str:
        """Render the codebook as Markdown (for a paper's appendix).

        >>> md = load_codebook("default").to_markdown()
        >>> md.splitlines()[0]
        '# Codebook: default'
        """
        out = [f"# Codebook: {self.name}", ""]
        if self.title:
            out += [self.title, ""]
        if self.description:
            out += [self.description.strip(), ""]
        out += [
            f"Default match mode: `{self.match}`. Negation cues ({'on' if self.negation.enabled else 'off'}, "
            f"window {self.negation.window} characters): {'、'.join(self.negation.cues)}.",
            "",
        ]
        if self.exclude:
            out += ["Exclusions applied to every theme:", ""]
            out += [f"- {_md_escape(_exclusion_text(ex))}" for ex in self.exclude]
            out.append("")
        out += ["| id | 中文 | English | parent | definition | include terms | exclusions / rules |",
                "|---|---|---|---|---|---|---|"]
        for t in self.themes_:
            terms = "、".join(_term_text(x) for x in t.terms)
            rules = [_exclusion_text(x) for x in t.exclude] + [_proximity_text(p) for p in t.proximity]
            if t.min_hits != 1:
                rules.append(f"min hits {t.min_hits:g}")
            out.append("| " + " | ".join(_md_escape(x) for x in (
                t.id, t.label_zh, t.label_en, t.parent or "", t.definition, terms, "; ".join(rules))) + " |")
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        """Render the codebook as an HTML table (escaped)."""
        e = html.escape
        rows = []
        for t in self.themes_:
            terms = "、".join(_term_text(x) for x in t.terms)
            rules = [_exclusion_text(x) for x in t.exclude] + [_proximity_text(p) for p in t.proximity]
            rows.append(
                "<tr>"
                f"<td><span style='display:inline-block;width:0.9em;height:0.9em;background:{e(t.color)}'></span> "
                f"<code>{e(t.id)}</code></td><td>{e(t.label_zh)}</td><td>{e(t.label_en)}</td>"
                f"<td>{e(t.parent or '')}</td><td>{e(t.definition)}</td><td>{e(terms)}</td>"
                f"<td>{e('; '.join(rules))}</td></tr>"
            )
        head = ("<tr><th>id</th><th>中文</th><th>English</th><th>parent</th><th>definition</th>"
                "<th>include terms</th><th>exclusions / rules</th></tr>")
        return (f"<div><h4>Codebook {e(self.name)} ({len(self.themes_)} themes, match {e(self.match)})</h4>"
                f"<table>{head}{''.join(rows)}</table></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_dict(self) -> dict[str, Any]:
        """A plain dict in the YAML format (round-trips through :func:`load_codebook`)."""
        d: dict[str, Any] = {"codebook": self.name}
        if self.version:
            d["version"] = self.version
        if self.title:
            d["title"] = self.title
        if self.description:
            d["description"] = self.description
        d["match"] = self.match
        d["negation"] = {"enabled": self.negation.enabled, "cues": list(self.negation.cues),
                         "window": self.negation.window}
        if self.exclude:
            d["exclude"] = [_exclusion_dict(x) for x in self.exclude]
        d["themes"] = [_theme_dict(t) for t in self.themes_]
        return d

    def to_yaml(self, path: str | Path | None = None) -> str:
        """Write (if ``path``) and return the codebook as YAML."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # -- combination ---------------------------------------------------------------------
    def merge(self, other: "Codebook", *, on_conflict: str = "union", name: str | None = None) -> "Codebook":
        """Combine two codebooks into a new one (neither input changes).

        Parameters
        ----------
        other : Codebook
        on_conflict : {"union", "override", "error"}
            For a theme id present in both: ``"union"`` keeps this codebook's labels and adds
            the other's terms/rules not yet present; ``"override"`` takes the other theme
            whole; ``"error"`` raises :class:`CodebookError`.
        name : str, optional
            Name of the merged codebook (default ``"<a>+<b>"``).

        Examples
        --------
        >>> a = load_codebook("default")
        >>> b = load_codebook("policy_instruments")
        >>> len(a.merge(b)) == len(a) + len(b)
        True
        """
        if on_conflict not in {"union", "override", "error"}:
            raise CodebookError("on_conflict must be 'union', 'override' or 'error'")
        themes = {t.id: t for t in self.themes_}
        order = list(themes)
        for t in other.themes_:
            if t.id not in themes:
                themes[t.id] = t
                order.append(t.id)
            elif on_conflict == "error":
                raise CodebookError(f"theme {t.id!r} is in both codebooks {self.name!r} and {other.name!r}; "
                                    "pass on_conflict='union' or 'override'")
            elif on_conflict == "override":
                themes[t.id] = t
            else:
                mine = themes[t.id]
                themes[t.id] = replace(
                    mine,
                    terms=_union(mine.terms, t.terms),
                    exclude=_union(mine.exclude, t.exclude),
                    proximity=_union(mine.proximity, t.proximity),
                    examples=_union(mine.examples, t.examples),
                )
        merged = Codebook(
            name=name or f"{self.name}+{other.name}",
            themes_=tuple(themes[i] for i in order),
            match=self.match,
            negation=self.negation,
            exclude=_union(self.exclude, other.exclude),
            version=self.version,
            title=self.title,
            description=self.description,
        )
        _check_semantics(merged, {}, strict=False)
        return merged

    def diff(self, other: "Codebook"):
        """Differences between two codebooks as a tidy DataFrame.

        Columns: theme, change (``added_theme``, ``removed_theme``, ``added``, ``removed``,
        ``changed``), what (``theme``, ``term``, ``exclude``, ``proximity``, a field name), detail.

        >>> a = load_codebook("default")
        >>> a.diff(a).empty
        True
        """
        import pandas as pd

        rows = []
        mine, theirs = self.themes, other.themes
        for tid in mine:
            if tid not in theirs:
                rows.append((tid, "removed_theme", "theme", mine[tid].label))
        for tid in theirs:
            if tid not in mine:
                rows.append((tid, "added_theme", "theme", theirs[tid].label))
        for tid in mine:
            if tid not in theirs:
                continue
            a, b = mine[tid], theirs[tid]
            for fld in ("label_zh", "label_en", "definition", "parent", "min_hits", "negation"):
                if getattr(a, fld) != getattr(b, fld):
                    rows.append((tid, "changed", fld, f"{getattr(a, fld)!r} -> {getattr(b, fld)!r}"))
            for what, get, fmt in (("term", "terms", _term_text), ("exclude", "exclude", _exclusion_text),
                                   ("proximity", "proximity", _proximity_text)):
                sa = {fmt(x) for x in getattr(a, get)}
                sb = {fmt(x) for x in getattr(b, get)}
                for x in sorted(sa - sb):
                    rows.append((tid, "removed", what, x))
                for x in sorted(sb - sa):
                    rows.append((tid, "added", what, x))
        return pd.DataFrame(rows, columns=["theme", "change", "what", "detail"])


# ----------------------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------------------

def list_codebooks() -> list[str]:
    """Names of the built-in codebooks.

    >>> list_codebooks()
    ['default', 'policy_instruments']
    """
    files = resources.files(_DATA).iterdir()
    return sorted(p.name[:-4] for p in files if p.name.endswith(".yml"))


def codebook_schema() -> dict[str, Any]:
    """The JSON Schema of the codebook YAML format."""
    return json.loads(resources.files(_DATA).joinpath("codebook.schema.json").read_text(encoding="utf-8"))


def load_codebook(name_or_path: "str | Path | Codebook | Mapping[str, Any]") -> Codebook:
    """Load and validate a codebook.

    Parameters
    ----------
    name_or_path : str, Path, dict or Codebook
        A built-in name (``"default"``, ``"policy_instruments"``), a path to a YAML codebook,
        a REFI-QDA ``.qdc`` file, a quanteda/WordStat YAML dictionary or a LIWC ``.dic`` file,
        or a dict in the YAML format.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Naming the file and the YAML line of every problem found.

    Examples
    --------
    >>> cb = load_codebook("policy_instruments")
    >>> cb.themes["supply_talent"].parent
    'supply'
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return _build(dict(name_or_path), {}, source="<dict>")
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name in list_codebooks() and not path.exists():
        text = resources.files(_DATA).joinpath(f"{text_name}.yml").read_text(encoding="utf-8")
        return _from_yaml_text(text, source=f"<builtin {text_name}>")
    if not path.exists():
        raise CodebookError(f"codebook {text_name!r} not found: give a built-in name "
                            f"({', '.join(list_codebooks())}) or a path to a .yml/.qdc/.dic file")
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        from civictools.coding.refi import read_qdc

        return read_qdc(path)
    if suffix == ".dic":
        from civictools.coding.dictionaries import read_liwc

        return read_liwc(path)
    from civictools.coding.dictionaries import _read

    text = _read(path, "codebook", to_simplified=False)
    try:
        head = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        head = None  # reported with its line by _from_yaml_text
    if isinstance(head, dict) and "themes" not in head and "codebook" not in head:
        from civictools.coding.dictionaries import read_yaml_dictionary

        return read_yaml_dictionary(path)
    return _from_yaml_text(text, source=str(path))


def _from_yaml_text(text: str, source: str) -> Codebook:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise CodebookError(f"{source}:{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None:
        raise CodebookError(f"{source}: empty codebook file")
    lines: dict[tuple, int] = {}
    data = _node_to_py(node, (), lines, source)
    return _build(data, lines, source)


def _node_to_py(node, path: tuple, lines: dict[tuple, int], source: str):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for knode, vnode in node.value:
            key = knode.value
            if key in out:
                raise CodebookError(f"{source}: line {knode.start_mark.line + 1}: duplicate key {key!r}")
            out[key] = _node_to_py(vnode, path + (key,), lines, source)
            lines[path + (key,)] = knode.start_mark.line + 1 if not isinstance(
                vnode, (yaml.MappingNode, yaml.SequenceNode)) else vnode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_py(v, path + (i,), lines, source) for i, v in enumerate(node.value)]
    return SafeConstructor().construct_object(node, deep=True)


def _line_of(lines: dict[tuple, int], path: Iterable) -> int | None:
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _build(data: Any, lines: dict[tuple, int], source: str, strict: bool = True) -> Codebook:
    import jsonschema

    if not isinstance(data, dict):
        raise CodebookError(f"{source}: a codebook must be a mapping with 'codebook' and 'themes' keys")
    validator = jsonschema.Draft202012Validator(codebook_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (_line_of(lines, e.absolute_path) or 0))
    if errors:
        msgs = []
        for err in errors[:20]:
            path = tuple(err.absolute_path)
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                extra = [k for k in err.instance if k not in err.schema.get("properties", {})]
                if extra:
                    path = path + (extra[0],)
            line = _line_of(lines, path)
            where = "/".join(str(p) for p in err.absolute_path) or "<root>"
            msgs.append(f"{source}: line {line}: {where}: {_short_message(err)}")
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise CodebookError("invalid codebook (see the schema civictools/data/codebooks/codebook.schema.json):\n"
                            + "\n".join(msgs) + more)
    problems: list[str] = []
    default_neg = _negation(data.get("negation"), Negation())
    global_ex = tuple(_exclusion(x, lines, ("exclude", i), source, problems)
                      for i, x in enumerate(data.get("exclude", [])))
    themes = []
    for i, t in enumerate(data["themes"]):
        p = ("themes", i)
        terms = []
        for j, x in enumerate(t.get("terms", [])):
            terms.append(_term(x, lines, p + ("terms", j), source, problems))
        theme = Theme(
            id=t["id"],
            label_zh=t.get("label_zh", ""),
            label_en=t.get("label_en", ""),
            definition=(t.get("definition") or "").strip(),
            parent=t.get("parent"),
            color=t.get("color") or PALETTE[i % len(PALETTE)],
            terms=tuple(terms),
            exclude=tuple(_exclusion(x, lines, p + ("exclude", j), source, problems)
                          for j, x in enumerate(t.get("exclude", []))),
            proximity=tuple(
                Proximity(a=_as_tuple(x["a"]), b=_as_tuple(x["b"]), within=int(x["within"]),
                          unit=x.get("unit", "chars"), weight=float(x.get("weight", 1.0)),
                          line=_line_of(lines, p + ("proximity", j)))
                for j, x in enumerate(t.get("proximity", []))),
            negation=_negation(t["negation"], default_neg) if "negation" in t else None,
            min_hits=float(t.get("min_hits", 1)),
            examples=tuple(t.get("examples", [])),
            line=_line_of(lines, p),
        )
        themes.append(theme)
    cb = Codebook(
        name=data["codebook"],
        themes_=tuple(themes),
        match=data.get("match", "token"),
        negation=default_neg,
        exclude=global_ex,
        version=str(data.get("version", "")),
        title=data.get("title", ""),
        description=data.get("description", ""),
        references=tuple(data.get("references", [])),
        source=source,
    )
    _check_semantics(cb, lines, problems, source, strict=strict)
    return cb


def _check_semantics(cb: Codebook, lines: dict, problems: list[str] | None = None, source: str = "",
                     strict: bool = True) -> None:
    problems = list(problems or [])
    seen: dict[str, int | None] = {}
    for t in cb.themes_:
        if t.id in seen:
            problems.append(f"{source}: line {t.line}: duplicate theme id {t.id!r} (first at line {seen[t.id]})")
        seen[t.id] = t.line
    for t in cb.themes_:
        first: dict[tuple[str, str], int | None] = {}
        for term in t.terms:
            key = (term.kind, term.pattern)
            if key in first:
                # a repeated term would silently count twice towards min_hits
                problems.append(f"{source}: line {term.line}: theme {t.id!r} lists {term.pattern!r} twice "
                                f"(first at line {first[key]}); use weight= instead")
            first.setdefault(key, term.line)
        if t.parent is not None and t.parent not in seen:
            problems.append(f"{source}: line {t.line}: theme {t.id!r} has unknown parent {t.parent!r}")
        if strict and not t.terms and not t.proximity and not cb.children(t.id):
            problems.append(f"{source}: line {t.line}: theme {t.id!r} has no terms, proximity rules or children")
    parents = {t.id: t.parent for t in cb.themes_}
    for tid in parents:
        chain, cur = [tid], parents.get(tid)
        while cur is not None:
            if cur in chain:
                problems.append(f"{source}: parent cycle {' -> '.join(chain + [cur])}")
                break
            chain.append(cur)
            cur = parents.get(cur)
    if problems:
        raise CodebookError("invalid codebook:\n" + "\n".join(dict.fromkeys(problems)))


def _short_message(err) -> str:
    msg = err.message
    if err.validator in ("oneOf", "anyOf"):
        msg = f"{json.dumps(err.instance, ensure_ascii=False)[:80]} does not match any allowed form"
    return msg[:200]


def _as_tuple(x) -> tuple[str, ...]:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(str(v) for v in x)


def _term(x, lines, path, source, problems) -> Term:
    line = _line_of(lines, path)
    if isinstance(x, str):
        return Term(pattern=x, line=line)
    if "regex" in x:
        try:
            check_regex(x["regex"])
        except ValueError as exc:
            problems.append(f"{source}: line {line}: regex {x['regex']!r}: {exc}")
        return Term(pattern=x["regex"], kind="regex", match="substring",
                    weight=float(x.get("weight", 1.0)), line=line)
    return Term(pattern=x["term"], match=x.get("match"), weight=float(x.get("weight", 1.0)), line=line)


def _exclusion(x, lines, path, source, problems) -> Exclusion:
    line = _line_of(lines, path)
    if isinstance(x, str):
        return Exclusion(pattern=x, line=line)
    if "regex" in x:
        try:
            check_regex(x["regex"])
        except ValueError as exc:
            problems.append(f"{source}: line {line}: regex {x['regex']!r}: {exc}")
    kinds = sum(k in x for k in ("pattern", "regex", "between")) + bool("left" in x or "right" in x)
    if kinds > 1:
        problems.append(f"{source}: line {line}: an exclusion is either a trap (pattern/regex/between) "
                        "or a context rule (left/right), not both")
    window = int(x.get("window", 4))
    # a cue longer than its window can never lie inside it: the rule would be dead
    # without a word (the default codebook once had four such rules)
    for side in ("left", "right"):
        for cue in _as_tuple(x.get(side)):
            if len(cue) > window:
                problems.append(
                    f"{source}: line {line}: {side} cue {cue!r} has {len(cue)} characters but the "
                    f"window is {window}, so the rule can never fire; set window: {len(cue)} or more"
                )
    pattern = x.get("pattern", x.get("regex"))
    between = None
    if "between" in x:
        b = x["between"]
        between = Between(left=_as_tuple(b["left"]), right=_as_tuple(b["right"]), within=int(b["within"]),
                          contains=_as_tuple(b.get("contains")), gap=b.get("gap", "cjk"))
    return Exclusion(pattern=pattern, kind="regex" if "regex" in x else "term",
                     terms=_as_tuple(x.get("terms")), left=_as_tuple(x.get("left")),
                     right=_as_tuple(x.get("right")), window=window,
                     note=x.get("note", ""), between=between, line=line)


def _negation(x, base: Negation) -> Negation:
    if x is None:
        return base
    if isinstance(x, bool):
        return replace(base, enabled=x)
    return Negation(enabled=x.get("enabled", True), cues=tuple(x.get("cues", base.cues)),
                    window=int(x.get("window", base.window)))


def _union(a: tuple, b: tuple) -> tuple:
    return tuple(dict.fromkeys(a + b))


def _term_text(t: Term) -> str:
    if t.kind == "regex":
        return f"/{t.pattern}/"
    suffix = f" [{t.match}]" if t.match and t.match != "token" else ""
    w = f" ×{t.weight:g}" if t.weight != 1 else ""
    return f"{t.pattern}{suffix}{w}"


def _exclusion_text(x: Exclusion) -> str:
    if x.between is not None:
        b = x.between
        extra = f" containing {'|'.join(b.contains)}" if b.contains else ""
        return f"not {'|'.join(b.left)} … {'|'.join(b.right)} (within {b.within}{extra})"
    if x.pattern is not None:
        core = f"not /{x.pattern}/" if x.kind == "regex" else f"not {x.pattern}"
    else:
        parts = []
        if x.left:
            parts.append(f"after {'|'.join(x.left)}")
        if x.right:
            parts.append(f"before {'|'.join(x.right)}")
        who = '|'.join(x.terms) if x.terms else "any term"
        core = f"not {who} " + " or ".join(parts) + f" (within {x.window})"
    return core


def _proximity_text(p: Proximity) -> str:
    return f"{'|'.join(p.a)} within {p.within} {p.unit} of {'|'.join(p.b)}"


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _term_dict(t: Term):
    if t.kind == "regex":
        d = {"regex": t.pattern}
    elif t.match is None and t.weight == 1:
        return t.pattern
    else:
        d = {"term": t.pattern}
        if t.match:
            d["match"] = t.match
    if t.weight != 1:
        d["weight"] = t.weight
    return d


def _exclusion_dict(x: Exclusion):
    if x.pattern is not None and x.kind == "term" and not x.note:
        return x.pattern
    d: dict[str, Any] = {}
    if x.between is not None:
        b = x.between
        d["between"] = {"left": list(b.left), "right": list(b.right), "within": b.within}
        if b.contains:
            d["between"]["contains"] = list(b.contains)
        if b.gap != "cjk":
            d["between"]["gap"] = b.gap
    if x.pattern is not None:
        d["regex" if x.kind == "regex" else "pattern"] = x.pattern
    if x.terms:
        d["terms"] = list(x.terms)
    if x.left:
        d["left"] = list(x.left)
    if x.right:
        d["right"] = list(x.right)
    if x.left or x.right:
        d["window"] = x.window
    if x.note:
        d["note"] = x.note
    return d


def _theme_dict(t: Theme) -> dict[str, Any]:
    d: dict[str, Any] = {"id": t.id}
    for k in ("label_zh", "label_en", "definition"):
        if getattr(t, k):
            d[k] = getattr(t, k)
    if t.parent:
        d["parent"] = t.parent
    d["color"] = t.color
    if t.terms:
        d["terms"] = [_term_dict(x) for x in t.terms]
    if t.exclude:
        d["exclude"] = [_exclusion_dict(x) for x in t.exclude]
    if t.proximity:
        d["proximity"] = [{"a": list(p.a), "b": list(p.b), "within": p.within, "unit": p.unit,
                           **({"weight": p.weight} if p.weight != 1 else {})} for p in t.proximity]
    if t.negation is not None:
        d["negation"] = {"enabled": t.negation.enabled, "cues": list(t.negation.cues),
                         "window": t.negation.window}
    if t.min_hits != 1:
        d["min_hits"] = t.min_hits
    if t.examples:
        d["examples"] = list(t.examples)
    return d
