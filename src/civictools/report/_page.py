"""Render executed section notebooks into self-contained HTML pages.

Pages carry their own CSS, images (base64) and a subset of the packaged CJK
font, limited by ``unicode-range`` to CJK code points, so a browser without
Chinese fonts still shows Chinese and no page loads anything from the network.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import nbformat

_CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#2f6f8f; }
body { margin:0; font-family:"CivicCJK", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color:var(--ink);
       line-height:1.55; background:#fbfcfd; }
header { background:var(--accent); color:#fff; padding:18px 28px; }
header h1 { margin:0; font-size:1.5em; } header p { margin:4px 0 0; opacity:.9; }
nav { background:#fff; border-bottom:1px solid var(--line); padding:8px 28px; }
nav a { margin-right:18px; color:var(--accent); text-decoration:none; font-weight:600; }
nav a.current { color:var(--ink); border-bottom:2px solid var(--accent); }
main { max-width:1100px; margin:0 auto; padding:12px 28px 40px; }
table { border-collapse:collapse; margin:10px 0; font-size:.9em; }
th, td { border:1px solid var(--line); padding:4px 8px; text-align:right; }
th { background:#f0f4f8; } td:first-child, th:first-child { text-align:left; }
img { max-width:100%; height:auto; }
pre, code { font-family:"CivicCJK", "DejaVu Sans Mono", "Menlo", monospace; }
pre { background:#f5f7fa; padding:8px; overflow-x:auto; font-size:.85em; }
footer { color:var(--muted); font-size:.8em; padding:20px 28px; border-top:1px solid var(--line); }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display:none; }
"""

_FOOTER = ("Built with civictools; see manifest.json for inputs, versions and seeds. "
           "由 civictools 生成；输入文件、版本与随机种子见 manifest.json。")
_CJK_RANGES = "U+2E80-2FDF, U+3000-303F, U+3100-312F, U+31C0-31EF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF"
_CJK_RE = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31c0-\u31ef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def _font_face(text: str) -> str:
    """A @font-face rule with the packaged CJK font subset to the characters used."""
    try:
        from civictools.viz import font_path
    except ImportError:
        return ""
    path = font_path()
    if not path or not Path(path).exists():
        return ""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = sorted(set(_CJK_RE.findall(text)))
    if not chars:
        return ""
    font = TTFont(str(path), fontNumber=0, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    fmt = "opentype" if font.sfntVersion == "OTTO" else "truetype"
    return (
        '@font-face { font-family:"CivicCJK"; '
        f'src:url(data:font/{"otf" if fmt == "opentype" else "ttf"};base64,{data}) format("{fmt}"); '
        f"unicode-range:{_CJK_RANGES}; }}"
    )


def _body(nb: nbformat.NotebookNode) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    body, _ = exporter.from_notebook_node(nb)
    return body


def render_page(pages: dict, nav: list[tuple[str, str]], out: Path, *, title: str, subtitle: str) -> list[str]:
    """Write one HTML file per section into ``out``; return the file names."""
    bodies = {name: _body(nb) for name, (_, nb) in pages.items()}
    all_text = title + subtitle + _FOOTER + "".join(t for _, t in nav) + "".join(bodies.values())
    style = f"<style>{_font_face(all_text)}\n{_CSS}</style>"
    written = []
    for name, body in bodies.items():
        fname = "index.html" if name == "index" else f"{name}.html"
        links = " ".join(
            '<a href="{}.html"{}>{}</a>'.format(
                "index" if n == "index" else n, ' class="current"' if n == name else "", html.escape(t)
            )
            for n, t in nav
        )
        page = (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{html.escape(title)} · "
            f"{html.escape(dict(nav)[name])}</title>\n{style}\n</head>\n<body>\n"
            f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>\n"
            f"<nav>{links}</nav>\n<main>\n{body}\n</main>\n"
            f"<footer>{_FOOTER}</footer>\n</body>\n</html>\n"
        )
        (out / fname).write_text(page, "utf-8")
        written.append(fname)
    return written
