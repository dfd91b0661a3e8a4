"""The redaction gold set: markup parsing and loading.

The gold passages are written by hand in a light inline markup
(``[[p:张建国]]`` marks a person mention, ``[[tel:...]]`` a phone number, ...)
in ``data/gold/redaction/passages_*.txt``; :func:`build_gold` turns them into
``gold.jsonl`` (text plus exact character spans), which tests and the benchmark
read. Keeping the markup as the source of truth means spans can never drift
from the text they annotate.

Regenerate after editing the passages::

    python -m civictools.text._redact_gold
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from civictools.errors import TextError

_TAGS = {
    "p": "person",
    "tel": "phone",
    "id": "id_card",
    "mail": "email",
    "addr": "address_detail",
    "plate": "plate",
}
_MARK = re.compile(r"\[\[(?P<tag>[a-z]+):(?P<text>[^\[\]]+?)\]\]")
_HEADER = re.compile(r"^## (?P<id>\S+) (?P<style>\S+)\s*$")
_SPLIT_FILES = (
    ("dev", "passages_dev.txt"),
    ("heldout", "passages_heldout.txt"),
    ("fresh", "passages_fresh.txt"),
    ("contact", "passages_contact.txt"),
    ("blind", "passages_blind.txt"),
    ("blind2", "passages_blind2.txt"),
    ("blind3", "passages_blind3.txt"),
)


def parse_markup(marked: str, *, where: str = "<string>") -> tuple[str, list[dict]]:
    """Return ``(plain_text, entities)`` for one passage written in gold markup.

    >>> parse_markup("居民[[p:张三]]说")
    ('居民张三说', [{'kind': 'person', 'start': 2, 'end': 4, 'text': '张三'}])
    """
    out: list[str] = []
    entities: list[dict] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        tag = m.group("tag")
        if tag not in _TAGS:
            raise TextError(f"{where}: unknown gold tag {tag!r}; use one of {sorted(_TAGS)}")
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        span_text = m.group("text")
        entities.append(
            {"kind": _TAGS[tag], "start": length, "end": length + len(span_text), "text": span_text}
        )
        out.append(span_text)
        length += len(span_text)
        pos = m.end()
    out.append(marked[pos:])
    plain = "".join(out)
    if "[[" in plain or "]]" in plain:
        raise TextError(f"{where}: unbalanced gold markup left in the text")
    return plain, entities


def parse_passages(source: str, split: str, *, where: str = "<string>") -> list[dict]:
    """Parse a passages file (``## <id> <style>`` headers) into gold records."""
    records: list[dict] = []
    current: dict | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is None:
            return
        body = "\n".join(lines).strip("\n")
        text, entities = parse_markup(body, where=f"{where} passage {current['id']}")
        records.append({**current, "split": split, "text": text, "entities": entities})

    for lineno, line in enumerate(source.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            flush()
            current = {"id": header.group("id"), "style": header.group("style")}
            lines = []
        elif current is not None:
            lines.append(line)
        elif line.strip():
            raise TextError(f"{where}:{lineno}: text before the first '## <id> <style>' header")
    flush()
    return records


def _gold_dir() -> Path:
    return Path(str(resources.files("civictools").joinpath("data/gold/redaction")))


def build_gold(directory: Path | None = None) -> list[dict]:
    """Parse every passages file of the gold set and return the records."""
    directory = directory or _gold_dir()
    records: list[dict] = []
    for split, name in _SPLIT_FILES:
        path = directory / name
        if path.exists():
            records.extend(parse_passages(path.read_text(encoding="utf-8"), split, where=str(path)))
    return records


def load_gold() -> list[dict]:
    """Read ``gold.jsonl`` (text, entities with kind/start/end/text, split, style, id)."""
    path = _gold_dir() / "gold.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _write_gold(directory: Path | None = None) -> Path:
    directory = directory or _gold_dir()
    records = build_gold(directory)
    path = directory / "gold.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    print(_write_gold())
