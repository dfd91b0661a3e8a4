"""Read one document (.txt, .md, .html/.htm, .docx, .pdf) into clean text.

Text comes back with ``\\n`` newlines, one paragraph per line for HTML, Word
and PDF files. Anything that cannot be read raises :class:`CorpusError`
naming the file, the reason and what to do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from civictools.corpus._encoding import DecodeFailure, binary_kind, decode
from civictools.errors import CorpusError

__all__ = ["Document", "read_document", "read_text", "html_to_text", "DOCUMENT_SUFFIXES"]

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}
_UNSUPPORTED_HINTS = {
    ".doc": "legacy Word .doc files are not supported; save it as .docx",
    ".wps": "WPS files are not supported; save it as .docx",
    ".rtf": "RTF files are not supported; save it as .docx or .txt",
    ".odt": "OpenDocument files are not supported; save it as .docx",
}

# Full-width Chinese punctuation that NFKC would turn into ASCII; it stays.
_KEEP_WIDE = "，。、；：？！（）【】《》〈〉「」『』“”‘’…—～·"
_KEEP_RE = re.compile(f"([{re.escape(_KEEP_WIDE)}]+)")


class Document(NamedTuple):
    """What :func:`read_document` returns: the text and how it was decoded.

    ``encoding`` is the byte encoding of text files (``utf-8``, ``utf-8-sig``,
    ``utf-16-le``, ``gbk``, ``gb18030``, ``big5`` …) and the container name
    (``docx``, ``pdf``) for Word and PDF files.
    """

    text: str
    encoding: str


def read_text(
    path: str | Path, *, normalize_width: bool = False, to_simplified: bool = False
) -> str:
    """Read a document and return its text.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.txt``, ``.md``, ``.html``/``.htm``, ``.docx`` or ``.pdf`` file.
    normalize_width : bool, default False
        Apply NFKC normalisation (full-width letters, digits and spaces become
        ASCII) but keep Chinese punctuation such as ``，：（）“”…`` as it is.
    to_simplified : bool, default False
        Convert traditional characters to simplified (OpenCC ``t2s``).

    Returns
    -------
    str
        Text with ``\\n`` newlines.

    Raises
    ------
    CorpusError
        Empty, binary or undecodable file; a PDF without a text layer; a
        ``.docx`` that is not a Word file; an unsupported file type.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = p.write_bytes("議事會\\r\\nＡＢＣ１２３，好".encode("big5"))
    >>> read_text(p)
    '議事會\\nＡＢＣ１２３，好'
    >>> read_text(p, normalize_width=True, to_simplified=True)
    '议事会\\nABC123，好'
    """
    return read_document(path, normalize_width=normalize_width, to_simplified=to_simplified).text


def read_document(
    path: str | Path, *, normalize_width: bool = False, to_simplified: bool = False
) -> Document:
    """Read a document; return its text and the encoding that was detected.

    Same parameters as :func:`read_text`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gbk.txt"
    >>> _ = p.write_bytes("居民议事会会议纪要".encode("gbk"))
    >>> read_document(p)
    Document(text='居民议事会会议纪要', encoding='gbk')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise CorpusError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise CorpusError(f"{path}: is a folder; use load_corpus() to read a folder")
    if suffix not in DOCUMENT_SUFFIXES:
        hint = _UNSUPPORTED_HINTS.get(
            suffix,
            "supported types are .txt, .md, .html, .htm, .docx and .pdf",
        )
        raise CorpusError(f"{path}: unsupported file type {suffix or '(none)'}; {hint}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be opened ({exc.strerror}); check permissions") from None
    if not data:
        raise CorpusError(f"{path}: empty file (0 bytes); remove it or add its text")
    if suffix == ".docx":
        text, encoding = _read_docx(path, data), "docx"
    elif suffix == ".pdf":
        text, encoding = _read_pdf(path, data), "pdf"
    else:
        declared = _declared_charset(data) if suffix in HTML_SUFFIXES else None
        try:
            text, encoding = decode(data, declared)
        except DecodeFailure as exc:
            raise CorpusError(f"{path}: {exc}") from None
        text = normalize_newlines(text)
        if suffix in HTML_SUFFIXES:
            text = html_to_text(text)
    text = normalize_newlines(text)
    if not text.strip():
        raise CorpusError(f"{path}: contains no text (only whitespace or markup); remove it")
    if normalize_width:
        text = nfkc_keep_punctuation(text)
    if to_simplified:
        text = _t2s().convert(text)
    return Document(text, encoding)


def _read_csv(path: str | Path, **kwargs) -> pd.DataFrame:
    """``pd.read_csv`` on a file in whatever encoding it comes: UTF-8 with or without BOM,
    UTF-16, GB18030/GBK (how Excel saves CSV on Chinese Windows) or Big5.

    Raises :class:`CorpusError` naming the file when the bytes are not decodable text.
    """
    path = Path(path)
    try:
        text, _ = decode(path.read_bytes())
    except DecodeFailure as exc:
        raise CorpusError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return pd.read_csv(io.StringIO(text), **kwargs)


def normalize_newlines(text: str) -> str:
    r"""Turn CRLF, CR, form feeds and Unicode line separators into ``\n``.

    >>> normalize_newlines("a\r\nb\rc\u2028d\ufeff")
    'a\nb\nc\nd'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\f", "\n")
    return text.replace("\ufeff", "")


def nfkc_keep_punctuation(text: str) -> str:
    """NFKC-normalise ``text`` except full-width Chinese punctuation.

    >>> nfkc_keep_punctuation("ＡＢＣ　１２３：“好”，（一）…")
    'ABC 123：“好”，（一）…'
    """
    parts = _KEEP_RE.split(text)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096].decode("ascii", errors="ignore")
    m = re.search(r"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", head, re.I)
    if not m:
        return None
    name = m.group(1).lower()
    # gb2312 pages routinely hold GBK characters.
    return {"gb2312": "gbk", "x-gbk": "gbk"}.get(name, name)


# --------------------------------------------------------------------- HTML
_BLOCK_TAGS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table thead tbody tfoot section article "
    "header footer nav aside main blockquote pre figure figcaption hr address form fieldset "
    "title center caption".split()
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "head")


def html_to_text(markup: str) -> str:
    """Convert HTML to text with one block (paragraph, heading, list item) per line.

    Scripts, styles and the ``<head>`` are dropped; the ``<title>`` is kept as
    the first line when the body has no ``<h1>``/``<h2>``.

    >>> html_to_text("<html><head><title>T</title><script>x()</script></head>"
    ...              "<body><h1>社区新闻</h1><p>第一段<br>第二行</p><ul><li>甲</li><li>乙</li></ul>"
    ...              "<table><tr><td>时间</td><td>3月5日</td></tr></table></body></html>")
    '社区新闻\\n第一段\\n第二行\\n甲\\n乙\\n时间\\t3月5日'
    """
    from lxml import etree
    from lxml import html as lxml_html

    if not markup.strip():
        return ""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        # lxml refuses str input with an encoding declaration.
        root = lxml_html.document_fromstring(markup.encode("utf-8"))
    title_el = root.find(".//title")
    title = title_el.text_content().strip() if title_el is not None else ""
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        bad.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
        elif tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    text = root.text_content()
    lines = []
    for line in text.split("\n"):
        cells = [re.sub(r"[ \u00a0\u3000\r]+", " ", c).strip() for c in line.split("\t")]
        cells = [c for c in cells if c]
        if cells:
            lines.append("\t".join(cells))
    if title and not root.xpath("//h1|//h2"):
        lines.insert(0, title)
    return "\n".join(lines)


# --------------------------------------------------------------------- DOCX
def _read_docx(path: Path, data: bytes) -> str:
    if not data.startswith(b"PK\x03\x04"):
        what = binary_kind(data)
        if what:
            hint = f"it is {what}" + ("; save it as .docx" if "OLE" in what else "")
        else:
            try:
                decode(data)
                hint = "it is plain text with a .docx name; rename it to .txt"
            except DecodeFailure:
                hint = "it is neither a Word file nor text"
        raise CorpusError(f"{path}: is not a Word .docx file (no ZIP signature): {hint}")
    # Reading word/document.xml directly is ~10x faster than python-docx and
    # keeps paragraphs and tables in document order.
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
        root = etree.fromstring(xml)
    except zipfile.BadZipFile as exc:
        raise CorpusError(f"{path}: damaged .docx file ({exc}); open and re-save it in Word") from None
    except KeyError:
        raise CorpusError(
            f"{path}: is a ZIP file but not a Word document (no word/document.xml); check the file type"
        ) from None
    except etree.XMLSyntaxError as exc:
        raise CorpusError(f"{path}: damaged .docx file ({exc}); open and re-save it in Word") from None
    body = root.find(f"{{{_W}}}body")
    out: list[str] = []
    for child in body if body is not None else []:
        if child.tag == f"{{{_W}}}p":
            out.append(_docx_paragraph(child))
        elif child.tag == f"{{{_W}}}tbl":
            for row in child.iterfind(f"{{{_W}}}tr"):
                cells = []
                for cell in row.iterfind(f"{{{_W}}}tc"):
                    merge = cell.find(f"{{{_W}}}tcPr/{{{_W}}}vMerge")
                    if merge is not None and merge.get(f"{{{_W}}}val") in (None, "continue"):
                        continue  # the text sits in the first cell of a vertical merge
                    text = " ".join(_docx_paragraph(p).strip() for p in cell.iterfind(f"{{{_W}}}p")).strip()
                    if text:
                        cells.append(text)
                out.append("\t".join(cells))
    return "\n".join(line.rstrip() for line in out)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_TEXT = {f"{{{_W}}}t": None, f"{{{_W}}}tab": "\t", f"{{{_W}}}br": "\n", f"{{{_W}}}cr": "\n"}


def _docx_paragraph(p) -> str:
    parts = []
    for el in p.iter(*_DOCX_TEXT):
        fixed = _DOCX_TEXT[el.tag]
        parts.append(el.text or "" if fixed is None else fixed)
    return "".join(parts)


# ---------------------------------------------------------------------- PDF
def _read_pdf(path: Path, data: bytes) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise CorpusError(f"{path}: is not a PDF file (no %PDF header); check the file type")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{path}: the PDF is password-protected; remove the password first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: damaged PDF ({exc}); re-export or re-save it") from None
    text = "\n".join(pages)
    # Text extraction often puts spaces between CJK glyphs.
    text = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) +(?=[\u3000-\u9fff\uff00-\uffef])", "", text)
    if not text.strip():
        raise CorpusError(
            f"{path}: the PDF has no text layer ({len(pages)} page(s), probably scanned images); "
            "run OCR first (for example `ocrmypdf -l chi_sim in.pdf out.pdf`) and read the result"
        )
    return "\n".join(line.strip() for line in text.split("\n"))
