"""REFI-QDA exchange: codebooks (``.qdc``) and projects (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA.

Export is strict (the files validate against the REFI-QDA 1.0 XSDs) and byte-stable: GUIDs are
UUID5s derived from theme ids, document ids and units, and no dates are written. Import is
lenient: namespace variants (``urn:QDA-XML:codebook:1:0``), upper-case GUIDs and GUIDs in
braces are accepted.
"""

from __future__ import annotations

import re
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from civictools.coding.codebook import PALETTE, Codebook, _build
from civictools.errors import CodebookError, DataDroppedWarning

__all__ = ["write_qdc", "read_qdc", "export_qdpx", "theme_guid", "read_qdpx", "QdaProject"]

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://civictools.invalid/refi-qda")
_META = re.compile(r"^(id|label_en|terms|parent):\s?(.*)$")


def theme_guid(theme_id: str) -> str:
    """Deterministic GUID of a theme (UUID5 of its id), identical in every export.

    >>> theme_guid("elderly_care") == theme_guid("elderly_care")
    True
    >>> len(theme_guid("elderly_care"))
    36
    """
    return str(uuid.uuid5(_NAMESPACE, f"code:{theme_id}"))


def _guid(*parts: Any) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def _description(theme) -> str:
    lines = [theme.definition] if theme.definition else []
    lines.append(f"id: {theme.id}")
    if theme.label_en:
        lines.append(f"label_en: {theme.label_en}")
    lits = [t.pattern for t in theme.terms if t.kind == "term"]
    if lits:
        lines.append("terms: " + "; ".join(lits))
    return "\n".join(lines)


def _codes_element(parent: ET.Element, codebook: Codebook, ns: str) -> None:
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    elements: dict[str, ET.Element] = {}
    for t in codebook.themes_:
        holder = elements[t.parent] if t.parent in elements else codes
        codable = bool(t.terms or t.proximity)
        el = ET.SubElement(holder, f"{{{ns}}}Code", {
            "guid": theme_guid(t.id), "name": t.label_zh or t.label_en or t.id,
            "isCodable": "true" if codable or not codebook.children(t.id) else "false", "color": t.color})
        desc = ET.SubElement(el, f"{{{ns}}}Description")
        desc.text = _description(t)
        elements[t.id] = el
    # XSD order inside Code: Description first, then child Codes (already true: desc added first)


def _to_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_qdc(codebook: Codebook, path: str | Path | None = None) -> bytes:
    """Write a codebook as a REFI-QDA ``.qdc`` file; return the bytes.

    Each theme becomes a ``Code`` (nested under its parent) whose Description carries the
    definition and the id, English label and literal terms, so :func:`read_qdc` restores them.

    Examples
    --------
    >>> from civictools.coding import load_codebook
    >>> data = write_qdc(load_codebook("default"))
    >>> data[:38]
    b"<?xml version='1.0' encoding='utf-8'?>"
    >>> read_qdc(data).theme_ids == load_codebook("default").theme_ids
    True
    """
    root = ET.Element(f"{{{NS_CODEBOOK}}}CodeBook", {"origin": "civictools"})
    _codes_element(root, codebook, NS_CODEBOOK)
    data = _to_bytes(root, NS_CODEBOOK)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.split(":")[-1]


def _norm_guid(g: str | None) -> str:
    return (g or "").strip().strip("{}").lower()


def read_qdc(source: str | Path | bytes) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``, or the CodeBook of a ``project.qde``) leniently.

    Themes get their civictools id from the Description (``id: …``) when present, else a slug
    of the code name, else ``code_<guid prefix>``. Codes without terms are kept (they code
    nothing automatically until terms are added).
    """
    if isinstance(source, (bytes, bytearray)):
        data, where = bytes(source), "<bytes>"
    else:
        p = Path(source)
        if not p.exists():
            raise CodebookError(f"{p}: no such file")
        data, where = p.read_bytes(), str(p)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CodebookError(f"{where}: not well-formed XML ({exc})") from None
    codes_parent = None
    for el in root.iter():
        if _local(el.tag) == "Codes":
            codes_parent = el
            break
    if codes_parent is None:
        raise CodebookError(f"{where}: no <Codes> element; is this a REFI-QDA codebook?")
    themes: list[dict[str, Any]] = []
    used: set[str] = set()

    def walk(el: ET.Element, parent: str | None) -> None:
        for code in el:
            if _local(code.tag) != "Code":
                continue
            attrs = {_local(k): v for k, v in code.attrib.items()}
            guid = _norm_guid(attrs.get("guid"))
            if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", guid):
                raise CodebookError(f"{where}: code {attrs.get('name')!r} has an invalid guid {attrs.get('guid')!r}")
            name = attrs.get("name", "").strip()
            desc_el = next((c for c in code if _local(c.tag) == "Description"), None)
            meta, definition = _parse_description(desc_el.text if desc_el is not None else "")
            tid = meta.get("id") or _slug(name) or f"code_{guid[:8]}"
            if not re.fullmatch(r"[a-z][a-z0-9_]*", tid) or tid in used:
                tid = f"code_{guid[:8]}"
            used.add(tid)
            color = attrs.get("color")
            if color and re.fullmatch(r"#[0-9A-Fa-f]{3}", color):
                color = "#" + "".join(ch * 2 for ch in color[1:])
            if not color or not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
                color = PALETTE[len(themes) % len(PALETTE)]
            is_ascii_name = name.isascii()
            t: dict[str, Any] = {"id": tid, "label_zh": "" if is_ascii_name else name,
                                 "label_en": meta.get("label_en", name if is_ascii_name else ""),
                                 "definition": definition, "color": color}
            if parent:
                t["parent"] = parent
            if meta.get("terms"):
                t["terms"] = [x.strip() for x in meta["terms"].split(";") if x.strip()]
            themes.append(t)
            walk(code, tid)

    walk(codes_parent, None)
    if not themes:
        raise CodebookError(f"{where}: the codebook has no codes")
    stem = Path(where).stem if where != "<bytes>" else "qdc"
    name = re.sub(r"[^A-Za-z0-9_\-]", "_", stem) or "qdc"
    if not name[0].isalpha():
        name = "qdc_" + name
    return _build({"codebook": name, "themes": themes}, {}, source=where, strict=False)


def _parse_description(text: str | None) -> tuple[dict[str, str], str]:
    meta: dict[str, str] = {}
    rest = []
    for line in (text or "").splitlines():
        m = _META.match(line.strip())
        if m:
            meta[m.group(1)] = m.group(2).strip()
        else:
            rest.append(line)
    return meta, "\n".join(rest).strip()


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return s if s and s[0].isalpha() else ""


def export_qdpx(coded: Any, path: str | Path, *, name: str | None = None, selection: str = "unit") -> Path:
    """Export a coded corpus as a REFI-QDA project (``.qdpx``: ``project.qde`` plus text sources).

    Parameters
    ----------
    coded : CodedCorpus
    path : str or Path
        The ``.qdpx`` file to write.
    selection : {"unit", "hit"}
        ``"unit"``: one coded selection per (unit, theme), spanning the unit (what a human coder
        would mark); ``"hit"``: one per matched term.

    Notes
    -----
    ``PlainTextSelection`` positions are 0-based Unicode code-point offsets into the UTF-8 source
    text, which is stored byte-for-byte as the documents were coded (line breaks included).
    """
    if selection not in ("unit", "hit"):
        raise CodebookError("selection must be 'unit' or 'hit'")
    texts = coded.texts
    cb = coded.codebook
    user = _guid("user", "civictools")
    proj = ET.Element(f"{{{NS_PROJECT}}}Project", {"name": name or f"civictools {cb.name}",
                                                    "origin": "civictools", "creatingUserGUID": user})
    users = ET.SubElement(proj, f"{{{NS_PROJECT}}}Users")
    ET.SubElement(users, f"{{{NS_PROJECT}}}User", {"guid": user, "name": "civictools", "id": "civictools"})
    book = ET.SubElement(proj, f"{{{NS_PROJECT}}}CodeBook")
    _codes_element(book, cb, NS_PROJECT)
    sources = ET.SubElement(proj, f"{{{NS_PROJECT}}}Sources")
    files: dict[str, bytes] = {}
    hits = coded.hits
    units = coded.units.set_index("unit_id")
    by_doc = {d: g for d, g in hits.groupby("doc_id", sort=False)} if len(hits) else {}
    for doc_id, text in texts.items():
        sguid = _guid("source", doc_id)
        src = ET.SubElement(sources, f"{{{NS_PROJECT}}}TextSource", {
            "guid": sguid, "name": str(doc_id), "plainTextPath": f"internal://{sguid}.txt"})
        files[f"sources/{sguid}.txt"] = text.encode("utf-8")
        g = by_doc.get(doc_id)
        if g is None:
            continue
        if selection == "unit":
            for (uid, theme), sub in g.groupby(["unit_id", "theme"], sort=False):
                s, e = int(units.at[uid, "start"]), int(units.at[uid, "end"])
                _selection(src, ("unit", doc_id, uid, theme), s, e, theme, user,
                           "terms: " + "; ".join(dict.fromkeys(sub["term"])))
        else:
            for r in g.itertuples(index=False):
                _selection(src, ("hit", doc_id, r.unit_id, r.theme, r.doc_start, r.doc_end),
                           int(r.doc_start), int(r.doc_end), r.theme, user, f"term: {r.term} ({r.rule})")
    data = _to_bytes(proj, NS_PROJECT)
    out = Path(path)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arc, payload in [("project.qde", data), *sorted(files.items())]:
            info = zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, payload)
    return out


def _selection(src: ET.Element, key: tuple, start: int, end: int, theme: str, user: str, desc: str) -> None:
    sel = ET.SubElement(src, f"{{{NS_PROJECT}}}PlainTextSelection", {
        "guid": _guid("selection", *key), "name": theme, "startPosition": str(start),
        "endPosition": str(end), "creatingUser": user})
    d = ET.SubElement(sel, f"{{{NS_PROJECT}}}Description")
    d.text = desc
    coding = ET.SubElement(sel, f"{{{NS_PROJECT}}}Coding", {"guid": _guid("coding", *key), "creatingUser": user})
    ET.SubElement(coding, f"{{{NS_PROJECT}}}CodeRef", {"targetGUID": theme_guid(theme)})


# ----------------------------------------------------------------- reading projects back
_SKIPPED_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass(frozen=True, eq=False)
class QdaProject:
    """The codings of a REFI-QDA project (``.qdpx``), as :func:`read_qdpx` returns them.

    Attributes
    ----------
    codings : DataFrame
        One row per coding of a text selection: source (the TextSource name; civictools exports
        name sources by ``doc_id``), start, end (0-based code-point offsets into the source
        text), theme (the civictools theme id of the code), code (the code's name), coder (the
        creating user's name, else its GUID, else ``""``), text (the selected text).
    sources : Series
        Source name -> plain text.
    codebook : Codebook or None
        The project's codebook (as :func:`read_qdc` reads it); None when it has none.
    n_skipped : int
        Codings left out (warned): on picture, PDF, audio or video sources, with a reference to
        no code of the codebook, or with positions outside their source text.
    """

    codings: pd.DataFrame
    sources: pd.Series
    codebook: Codebook | None
    n_skipped: int = 0
    notes: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        return self.codings.copy()

    @property
    def coders(self) -> list[str]:
        return sorted(set(self.codings["coder"]))

    def unit_codes(self, coded: Any, coders: Sequence[str] | None = None) -> pd.DataFrame:
        """Codes per unit of ``coded`` and coder: a selection codes every unit it overlaps.

        Returns one row per unit of ``coded`` whose document is a source of the project, with
        ``unit_id``, ``doc_id`` and one column per coder holding the set of theme ids (empty
        where the coder coded nothing), the input :func:`civictools.agreement` and
        :func:`civictools.evaluate_coding` (``gold_col=<coder>``) take. A source whose text is
        not the document's text in ``coded`` is left out with a warning (offsets would not line
        up), and so are sources that are not documents of ``coded``.
        """
        coders = list(coders) if coders is not None else self.coders
        unknown = sorted(set(coders) - set(self.coders))
        if unknown:
            raise CodebookError(f"no codings by {unknown}; coders in the project: {self.coders}")
        texts = {str(k): v for k, v in coded.texts.items()}
        keep, missing, changed = [], [], []
        for name, text in self.sources.items():
            if name not in texts:
                missing.append(name)
            elif texts[name] != text:
                changed.append(name)
            else:
                keep.append(name)
        lost = self.codings["source"].isin(missing + changed)
        if lost.any():
            why = []
            if missing:
                why.append(f"{len(missing)} source(s) not among the documents of the coded corpus "
                           f"(first: {missing[0]!r})")
            if changed:
                why.append(f"{len(changed)} source(s) whose text differs from the coded document "
                           f"(first: {changed[0]!r}), so offsets would not line up")
            warnings.warn(f"{int(lost.sum())} coding(s) left out: " + "; ".join(why),
                          DataDroppedWarning, stacklevel=2)
        units = coded.units
        units = units[units["doc_id"].astype(str).isin(keep)]
        out = pd.DataFrame({"unit_id": units["unit_id"].to_numpy(), "doc_id": units["doc_id"].to_numpy()})
        c = self.codings[~lost & self.codings["coder"].isin(coders)]
        by_doc = {d: g for d, g in units.groupby(units["doc_id"].astype(str), sort=False)}
        cells: dict[tuple[Any, str], set[str]] = {}
        for src, s, e, theme, coder in zip(c["source"], c["start"], c["end"], c["theme"], c["coder"]):
            g = by_doc.get(src)
            if g is None:
                continue
            hit = g[(g["start"] < e) & (s < g["end"])] if e > s else g[(g["start"] <= s) & (s < g["end"])]
            for uid in hit["unit_id"]:
                cells.setdefault((uid, coder), set()).add(theme)
        for coder in coders:
            out[coder] = [frozenset(cells.get((u, coder), ())) for u in out["unit_id"]]
        return out

    def summary(self):
        from civictools.coding.coded import Summary

        lines = [f"{len(self.codings)} codings of {self.codings['theme'].nunique()} codes on "
                 f"{len(self.sources)} text sources by {len(self.coders)} coder(s): {', '.join(self.coders)}"]
        lines += list(self.notes)
        table = (self.codings.groupby(["coder", "theme"]).size().rename("codings").reset_index()
                 if len(self.codings) else None)
        return Summary("REFI-QDA project", lines, table)

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def __repr__(self) -> str:
        return f"QdaProject(codings={len(self.codings)}, sources={len(self.sources)}, coders={self.coders})"


def read_qdpx(path: str | Path, *, codebook: Any = None) -> QdaProject:
    """Read the codings of a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA
    or :func:`export_qdpx`: for instance the automatic coding after review by human coders.

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file (a zip with ``project.qde`` and the text sources).
    codebook : Codebook or name, optional
        Codes are given civictools theme ids from their description (``id: …``, as
        :func:`export_qdpx` writes it) or their GUID (:func:`theme_guid`); with ``codebook``,
        codes named like one of its themes (id, ``label_zh`` or ``label_en``) get that id too.
        Other codes keep the id :func:`read_qdc` gives them.

    Returns
    -------
    QdaProject
        ``.codings`` (tidy), ``.sources``, ``.codebook``; ``.unit_codes(coded)`` turns the
        codings into sets of themes per unit and coder, for :func:`civictools.agreement` and
        :func:`civictools.evaluate_coding`.

    Notes
    -----
    Reading is lenient like :func:`read_qdc` (namespace variants, upper-case or braced GUIDs).
    Source texts come from ``PlainTextContent`` or from ``plainTextPath`` (``internal://`` files
    inside the archive, in any of the encodings the corpus layer detects). Codings on picture,
    PDF, audio and video sources, codings that refer to no code, and selections outside their
    text are left out with a :class:`~civictools.errors.DataDroppedWarning` and counted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from civictools.coding import ThemeCoder
    >>> coded = ThemeCoder().code(["志愿者探访独居老人。"], unit="document", progress=False)
    >>> p = export_qdpx(coded, pathlib.Path(tempfile.mkdtemp()) / "review.qdpx")
    >>> proj = read_qdpx(p)
    >>> sorted(proj.codings["theme"]), proj.coders
    (['elderly_care', 'volunteering'], ['civictools'])
    """
    from civictools.corpus._encoding import DecodeFailure, decode

    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile) as exc:
        raise CodebookError(f"{p}: not a REFI-QDA project (.qdpx is a zip archive): {exc}") from None
    with zf:
        names = {n.lower(): n for n in zf.namelist()}
        qde = next((names[n] for n in names if n.endswith(".qde")), None)
        if qde is None:
            raise CodebookError(f"{p}: no project.qde inside; is this a .qdpx file?")
        data = zf.read(qde)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise CodebookError(f"{p}: {qde} is not well-formed XML ({exc})") from None
        try:
            book = read_qdc(data) if any(_local(e.tag) == "Codes" for e in root.iter()) else None
        except CodebookError as exc:
            raise CodebookError(f"{p}: {qde}: {str(exc).removeprefix('<bytes>: ')}") from None
        ids: dict[str, str] = {}
        names_of: dict[str, str] = {}
        if book is not None:
            guids = [_norm_guid(e.get("guid")) for e in root.iter() if _local(e.tag) == "Code"]
            for g, t in zip(guids, book.themes_):
                ids[g] = t.id
                names_of[g] = t.label_zh or t.label_en or t.id
        if codebook is not None:
            from civictools.coding.codebook import load_codebook

            cb = load_codebook(codebook)
            by_name = {}
            for t in cb.themes_:
                for label in (t.id, t.label_zh, t.label_en):
                    if label:
                        by_name.setdefault(label, t.id)
                by_name.setdefault(theme_guid(t.id), t.id)
            for g in list(ids):
                if g in by_name:
                    ids[g] = by_name[g]
                elif names_of[g] in by_name:
                    ids[g] = by_name[names_of[g]]
        users = {_norm_guid(e.get("guid")): (e.get("name") or e.get("id") or "")
                 for e in root.iter() if _local(e.tag) == "User"}
        rows, sources, skipped, notes = [], {}, {"media": 0, "code": 0, "range": 0}, []
        for src in root.iter():
            kind = _local(src.tag)
            if kind in _SKIPPED_SOURCES:
                skipped["media"] += sum(1 for e in src.iter() if _local(e.tag) == "Coding")
                continue
            if kind != "TextSource":
                continue
            name = src.get("name") or _norm_guid(src.get("guid"))
            content = next((c for c in src if _local(c.tag) == "PlainTextContent"), None)
            if content is not None:
                text = content.text or ""
            else:
                ref = (src.get("plainTextPath") or "").strip()
                inner = re.sub(r"^internal://", "", ref)
                arc = names.get(f"sources/{inner}".lower()) or names.get(inner.lower())
                if arc is None:
                    raise CodebookError(f"{p}: source {name!r} points to {ref!r}, which is not in the "
                                        "archive; export the project with its sources embedded")
                try:
                    text, _ = decode(zf.read(arc))
                except DecodeFailure as exc:
                    raise CodebookError(f"{p}: source {name!r} ({arc}) {exc}") from None
            sources[name] = text
            for sel in src:
                if _local(sel.tag) != "PlainTextSelection":
                    continue
                try:
                    s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    raise CodebookError(f"{p}: selection {sel.get('guid')!r} in source {name!r} has no valid "
                                        "startPosition/endPosition") from None
                for coding in sel:
                    if _local(coding.tag) != "Coding":
                        continue
                    ref = next((r for r in coding if _local(r.tag) == "CodeRef"), None)
                    g = _norm_guid(ref.get("targetGUID") if ref is not None else None)
                    if g not in ids:
                        skipped["code"] += 1
                        continue
                    if not 0 <= s <= e <= len(text):
                        skipped["range"] += 1
                        continue
                    user = _norm_guid(coding.get("creatingUser") or sel.get("creatingUser"))
                    rows.append((name, s, e, ids[g], names_of[g], users.get(user) or user, text[s:e]))
    codings = pd.DataFrame(rows, columns=["source", "start", "end", "theme", "code", "coder", "text"])
    reasons = {"media": "on picture, PDF, audio or video sources", "code": "referring to no code of the codebook",
               "range": "with positions outside their source text"}
    for k, n in skipped.items():
        if n:
            msg = f"{n} coding(s) {reasons[k]} were left out"
            notes.append(msg)
            warnings.warn(f"{p.name}: {msg}", DataDroppedWarning, stacklevel=2)
    return QdaProject(codings=codings, sources=pd.Series(sources, dtype=object), codebook=book,
                      n_skipped=sum(skipped.values()), notes=tuple(notes))
