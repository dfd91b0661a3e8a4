"""Turn the UTF-8 originals of the demo corpus into a realistic mix of files.

Run once, after the documents were written (as UTF-8 ``.txt``/``.html``):
every 7th minutes file becomes GB18030, every 9th UTF-8 with BOM, every 8th a
``.docx`` (one Word paragraph per line); among clean news every 6th becomes
GB18030 and every 10th UTF-8 with BOM; every 4th policy document a ``.docx``
and every 5th GB18030. The choice is by sorted file name, so it is
reproducible. ``metadata.csv`` is rewritten with the new file names.

Usage: python corpora/tools/make_formats.py src/civictools/data/demo
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import docx


def _to_docx(path: Path) -> Path:
    text = path.read_text("utf-8")
    d = docx.Document()
    # Fixed core properties: python-docx stamps the creation time otherwise.
    d.core_properties.author = "青禾区"
    for line in text.split("\n"):
        d.add_paragraph(line)
    out = path.with_suffix(".docx")
    d.save(out)
    path.unlink()
    return out


def _recode(path: Path, encoding: str) -> None:
    text = path.read_text("utf-8")
    path.write_bytes(text.encode(encoding))


def main(root: Path) -> None:
    renames: dict[str, str] = {}
    plan = {
        "minutes": [(7, "gb18030"), (9, "utf-8-sig"), (8, "docx")],
        "news": [(6, "gb18030"), (10, "utf-8-sig")],
        "policy": [(4, "docx"), (5, "gb18030")],
    }
    for kind, rules in plan.items():
        files = sorted((root / kind).glob("*.txt"))
        for i, f in enumerate(files, start=1):
            for every, how in rules:
                if i % every == 0:
                    rel = f.relative_to(root).as_posix()
                    if how == "docx":
                        renames[rel] = _to_docx(f).relative_to(root).as_posix()
                    else:
                        _recode(f, how)
                    break
    meta = root / "metadata.csv"
    rows = list(csv.DictReader(meta.open(encoding="utf-8")))
    for r in rows:
        r["file"] = renames.get(r["file"], r["file"])
    with meta.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"converted; {len(renames)} files became .docx")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
