"""REFI-QDA exchange: codebooks (``.qdc``) and projects (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA.

Export is strict (the files validate against the REFI-QDA 1.0 XSDs) and byte-stable: GUIDs are
UUID5s derived from theme ids, document ids and units, and no dates are written. Import is
lenient: namespace variants (``urn:QDA-XML:codebook:1:0``), upper-case GUIDs and GUIDs in
braces are accepted.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from civictools.coding.codebook import PALETTE, Codebook, _build
from civictools.errors import CodebookError

__all__ = ["write_qdc", "read_qdc", "export_qdpx", "theme_guid"]

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
