"""Load a folder, glob or list of documents into one tidy DataFrame.

Rules worth knowing (all reported, none silent):

- ``doc_id`` is the path relative to the corpus root with ``/`` separators, so
  equal file names in different sub-folders stay distinct and ids are stable.
- Files whose names start with ``.``, ``_`` or ``~$`` (hidden files, Office lock
  files), files inside hidden folders, ``README*``/``LICENSE*`` files and the
  sidecar ``metadata.csv`` are not documents; files with a non-document
  extension (``.csv``, ``.json``, ``.py`` …) are not either. All of them are
  listed in ``df.attrs["ignored"]``; a warning counts the non-document ones.
- Files that cannot be read are skipped, listed in ``df.attrs["skipped"]``
  with the reason, and a :class:`DataDroppedWarning` says how many.
- ``metadata.csv`` (columns ``file``, and any of ``kind``, ``community``,
  ``date``, ``source``, ``title`` plus your own) wins over what is detected;
  keys that match no document are warned about and kept in
  ``df.attrs["metadata_unmatched"]``.
"""

from __future__ import annotations

import glob as _glob
import io
import os
import re
import sys
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from civictools.corpus._common import find_datetime
from civictools.corpus._encoding import DecodeFailure, decode
from civictools.corpus.minutes import parse_minutes
from civictools.corpus.news import parse_news
from civictools.corpus.read import DOCUMENT_SUFFIXES, read_document
from civictools.errors import CivictoolsWarning, CorpusError, DataDroppedWarning

__all__ = ["load_corpus", "detect_kind", "KINDS", "PROGRESS_THRESHOLD"]

KINDS = ("news", "minutes", "policy", "other")
PROGRESS_THRESHOLD = 200
METADATA_NAME = "metadata.csv"
_NOT_DOCUMENT_NAMES = re.compile(r"^(?:readme|license|licence|changelog)(?:\.|$)", re.I)

# Cues per kind: (pattern, zone, weight). Zones: "title" (first line),
# "top" (the next six lines), "head" (first 4,000 characters), "tail" (last
# 600 characters). Weighted so a news report *about* a meeting (议事会 in
# its title) still reads as news through its byline and dateline.
_CUES: dict[str, list[tuple[str, str, int]]] = {
    "news": [
        (r"记者|通讯员", "top", 4),
        (r"(?m)^.{0,30}\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}.{0,30}$", "top", 2),
        (r"来源\s*[:：】]|【来源】|发布时间|发布日期|作者\s*[:：】]|【作者】|转自|转载自|发表于|来自\s*[:：]", "top", 3),
        (r"日报|晚报|融媒|新闻网|发布|APP|客户端|政府网|资讯", "top", 1),
        (r"本报讯|日电|记者从|获悉|据介绍|据了解|据悉", "head", 1),
        (r"第[A-Z]?\d{1,2}版", "top", 2),
        (r"责任编辑|编辑\s*[:：]|相关新闻|相关阅读|更多……", "tail", 2),
    ],
    "minutes": [
        (r"纪要|会议记录|议事记录|记录（|记录$|例会要点", "title", 4),
        (r"议事会|座谈会|例会|联席会|协商会|楼栋会|碰头会|推进会|通报会|恳谈会|工作会|会议|会$|会[（(]", "title", 2),
        (r"主持人?\s*[:：]|【主持人?】|主持人?\s+\S", "head", 3),
        (r"主持[，,。；;]|主持人是|召集[，,。]|由\S{2,8}主持", "head", 2),
        (r"记录人?\s*[:：]|【记录人?】|记录员|作记录|做记录|记录[。，；]", "head", 2),
        (r"参会人员|参加人员|出席|与会|到会|参加\s*[:：]|参会\s*[:：]", "head", 1),
        (r"议题|决议|议定|会议商定|会议决定|散会", "head", 1),
        (r"(?m)^\s*(?:时间|日期)\s*[:：\s].{0,40}$", "top", 1),
    ],
    "policy": [
        (r"^关于.*(?:通知|意见|方案|办法|规则|细则|决定|规定|批复|计划)$", "titles", 4),
        (r"(?:实施方案|管理办法|暂行办法|工作规则|实施细则|指导意见|若干措施|行动计划)》?(?:（[^）]*）)?$", "titles", 3),
        (r"(?m)^(?:各街道|各社区|各有关单位|各部门|区直各|各镇)[^。\n]{0,40}[:：]$", "head", 4),
        (r"(?m)^\S{2,10}〔\d{4}〕\s*\d+\s*号$", "top", 3),
        (r"(?m)^第[一二三四五六七八九十百]+条", "head", 3),
        (r"特此通知|请遵照执行|认真贯彻(?:执行|落实)|本(?:办法|方案|细则|规则|措施)自.{0,15}(?:施行|执行)", "head", 3),
        (r"(?m)^[一二三四五六七八九十]+、(?:总体要求|工作目标|主要任务|重点任务|保障措施|组织领导|实施步骤|适用范围|指导思想|基本原则)", "head", 2),
        (r"(?m)^附件\s*[:：]", "tail", 1),
    ],
}
_CUES_RE = {k: [(re.compile(p), z, w) for p, z, w in v] for k, v in _CUES.items()}
_TRADITIONAL = re.compile(r"[們會議與發時間來這說報記區國開關對從實現問題過還應頁網體點紀錄佈聞]")
_SPEAKER_LINE = re.compile(r"(?m)^\s*[\u4e00-\u9fff]{2,8}(?:（[^）\n]{1,16}）)?\s*[:：]\S")


def detect_kind(text: str) -> str:
    """Guess whether a document is ``news``, ``minutes``, ``policy`` or ``other``.

    Weighted cues are looked for in the title line, the next eleven lines, the
    first 4,000 characters and the last 600: news by its byline (记者, 通讯员),
    dateline, 来源/发布时间 and editor lines; minutes by 纪要/议事会 titles,
    主持/记录/参会 and speaker lines (某某：…); policy by 关于…的通知 titles,
    the addressee line (各街道：), 文号, 第X条 and 特此通知. The best score wins
    if it reaches 4; otherwise the kind is ``other``.

    >>> detect_kind("纺机社区议事会会议纪要\\n主持人：王丽\\n参会人员：张强")
    'minutes'
    >>> detect_kind("关于印发《青禾区加装电梯实施方案》的通知\\n各街道：\\n现将方案印发给你们。")
    'policy'
    >>> detect_kind("社区开展义诊\\n发布时间：2023-03-05 来源：青禾网\\n（记者 李明）")
    'news'
    >>> detect_kind("今天天气很好。")
    'other'
    """
    head, tail = text[:4000], text[-600:]
    if _TRADITIONAL.search(head):
        # The cues are written in simplified characters.
        from civictools.corpus.read import _t2s

        head, tail = _t2s().convert(head), _t2s().convert(tail)
    lines = [ln.strip() for ln in head.split("\n") if ln.strip()]
    zones = {
        "title": lines[0] if lines else "",
        "titles": "\n".join(lines[:6]),
        "top": "\n".join(lines[1:12]),
        "head": head,
        "tail": tail,
    }
    scores: dict[str, int] = {}
    for kind, cues in _CUES_RE.items():
        total = 0
        for pattern, zone, weight in cues:
            target = zones[zone]
            if zone == "titles":
                hit = any(pattern.search(ln) for ln in target.split("\n"))
            else:
                hit = pattern.search(target) is not None
            total += weight if hit else 0
        scores[kind] = total
    speakers = len(_SPEAKER_LINE.findall(zones["head"]))
    scores["minutes"] += 3 if speakers >= 3 else (1 if speakers else 0)
    best = max(scores, key=lambda k: (scores[k], -list(scores).index(k)))
    return best if scores[best] >= 4 else "other"


# ------------------------------------------------------------------- files
def _ignored_reason(rel: Path, root_level: bool) -> str | None:
    name = rel.name
    if any(part.startswith(".") for part in rel.parts):
        return "hidden file or folder"
    if name.startswith(("_", "~$")):
        return "name starts with '_' or '~$' (temporary or private file)"
    if root_level and name.lower() == METADATA_NAME:
        return "sidecar metadata file"
    if _NOT_DOCUMENT_NAMES.match(name):
        return "README/LICENSE file, not a document"
    suffix = rel.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES and suffix not in (".doc", ".wps", ".rtf", ".odt"):
        return f"not a document type ({suffix or 'no extension'})"
    return None


def _walk(folder: Path, recursive: bool) -> list[Path]:
    if recursive:
        out = []
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            out.extend(Path(dirpath) / f for f in sorted(filenames))
        return out
    return sorted(p for p in folder.iterdir() if p.is_file())


def _collect(source: Any, recursive: bool) -> tuple[Path, list[Path], list[dict[str, str]], bool]:
    """Return root, document files, ignored files and whether root is a folder source."""
    items: Sequence[Any]
    if isinstance(source, (str, os.PathLike)):
        items = [source]
    elif isinstance(source, Iterable):
        items = list(source)
        if not items:
            raise CorpusError("load_corpus: the list of files is empty; pass a folder or files")
    else:
        raise TypeError(f"source must be a folder, a glob or a list of files, not {type(source).__name__}")
    candidates: list[tuple[Path, bool]] = []  # (path, found by walking a folder)
    folder_roots: list[Path] = []
    for item in items:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            folder_roots.append(path.resolve())
            candidates.extend((p, True) for p in _walk(path, recursive))
        elif path.is_file():
            candidates.append((path, False))
        elif any(ch in text for ch in "*?["):
            matches = sorted(_glob.glob(text, recursive=True))
            candidates.extend((Path(m), False) for m in matches if Path(m).is_file())
            prefix = re.split(r"[*?\[]", text, maxsplit=1)[0]
            folder_roots.append(Path(prefix if prefix.endswith(("/", os.sep)) else os.path.dirname(prefix) or ".").resolve())
            if not matches:
                raise CorpusError(f"{text}: the pattern matches no file; check the path and pattern")
        else:
            raise CorpusError(f"{text}: no such file or folder; check the path")
    resolved = [(p.resolve(), walked) for p, walked in candidates]
    if len(items) == 1 and folder_roots:
        root = folder_roots[0]
    else:
        parents = [str(p.parent) for p, _ in resolved] + [str(r) for r in folder_roots]
        root = Path(os.path.commonpath(parents)) if parents else Path(".").resolve()
    docs: list[Path] = []
    ignored: list[dict[str, str]] = []
    seen: set[Path] = set()
    for path, walked in resolved:
        if path in seen:
            continue
        seen.add(path)
        rel = path.relative_to(root)
        if walked:
            reason = _ignored_reason(rel, root_level=len(rel.parts) == 1)
        else:
            reason = "sidecar metadata file" if path.name.lower() == METADATA_NAME and path.parent == root else None
        if reason:
            ignored.append({"path": str(path), "doc_id": rel.as_posix(), "reason": reason})
        else:
            docs.append(path)
    return root, docs, ignored, bool(folder_roots)


# ---------------------------------------------------------------- metadata
_META_STANDARD = ("kind", "community", "date", "source", "title")


def _read_metadata(metadata: Any, root: Path) -> tuple[pd.DataFrame | None, str]:
    if metadata is False:
        return None, ""
    if metadata is None:
        path = root / METADATA_NAME
        if not path.is_file():
            return None, ""
        metadata = path
    if isinstance(metadata, pd.DataFrame):
        frame, label = metadata.copy(), "metadata"
    else:
        path = Path(metadata)
        label = str(path)
        if not path.is_file():
            raise CorpusError(f"{path}: metadata file not found; check the path")
        try:
            text, _enc = decode(path.read_bytes())
        except DecodeFailure as exc:
            raise CorpusError(f"{path}: {exc}") from None
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise CorpusError(f"{path}: not a readable CSV ({exc}); fix the file") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "file" not in frame.columns:
        raise CorpusError(
            f"{label}: needs a 'file' column (path relative to the corpus root or bare file name); "
            f"found columns {list(frame.columns)}"
        )
    frame = frame.astype(object).where(frame.notna(), None)
    frame["file"] = [
        str(v).strip().replace("\\", "/").removeprefix("./") if v is not None else "" for v in frame["file"]
    ]
    dup = frame["file"][frame["file"].duplicated()].tolist()
    if dup:
        raise CorpusError(f"{label}: the 'file' column repeats {dup[:5]}; keep one row per file")
    if "kind" in frame.columns:
        for i, value in enumerate(frame["kind"]):
            if value not in (None, "") and str(value).strip() not in KINDS:
                raise CorpusError(
                    f"{label}: row {i + 2} (file {frame['file'].iloc[i]}): kind {value!r} is not one of {KINDS}"
                )
    return frame, label


def _match_metadata(frame: pd.DataFrame, doc_ids: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    by_id = set(doc_ids)
    by_name: dict[str, list[str]] = {}
    for d in doc_ids:
        by_name.setdefault(d.rsplit("/", 1)[-1], []).append(d)
    matched: dict[str, dict[str, Any]] = {}
    unmatched: list[str] = []
    for row in frame.to_dict(orient="records"):
        key = row["file"]
        if key in by_id:
            target = key
        elif "/" not in key and len(by_name.get(key, [])) == 1:
            target = by_name[key][0]
        else:
            unmatched.append(key if len(by_name.get(key, [])) < 2 else f"{key} (ambiguous: {len(by_name[key])} files)")
            continue
        matched[target] = {k: v for k, v in row.items() if k != "file"}
    return matched, unmatched


def _meta_date(value: Any, label: str, key: str) -> pd.Timestamp | None:
    if value in (None, ""):
        return None
    try:
        return pd.Timestamp(str(value).strip())
    except (ValueError, TypeError):
        found = find_datetime(str(value))
        if found:
            return pd.Timestamp(found[0])
    raise CorpusError(f"{label}: file {key}: date {value!r} is not a date; write it as YYYY-MM-DD")


# --------------------------------------------------------------- community
@lru_cache(maxsize=1)
def _district() -> tuple[dict[str, str], tuple[str, ...]]:
    path = Path(__file__).resolve().parent.parent / "data" / "district" / "district.csv"
    if not path.is_file():
        return {}, ()
    table = pd.read_csv(path, dtype=str)
    ids = dict(zip(table["community_id"], table["community"]))
    names = tuple(sorted(set(table["community"]), key=len, reverse=True))
    return ids, names


def _find_community(doc_id: str, title: str | None, text: str) -> str | None:
    ids, names = _district()
    if not names:
        return None
    stem = doc_id.rsplit("/", 1)[-1]
    m = re.match(r"^([A-Za-z]{2}\d{2})(?=[_\-. ])", stem)
    if m and m.group(1).upper() in ids:
        return ids[m.group(1).upper()]
    scopes = [title or "", text[:3000]]
    if re.search(r"[區號會議紀與際]", "".join(scopes)):
        # Traditional-script documents name communities in traditional form.
        from civictools.corpus.read import _t2s

        scopes = [_t2s().convert(x) for x in scopes]
    for scope in scopes:
        found = set()
        rest = scope
        for name in names:
            if name in rest:
                found.add(name)
                rest = rest.replace(name, "\u0000")
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return None
    return None


# -------------------------------------------------------------------- main
def load_corpus(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    kind: str = "auto",
    metadata: str | os.PathLike | pd.DataFrame | bool | None = None,
    recursive: bool = True,
    *,
    progress: bool | None = None,
    normalize_width: bool = False,
    to_simplified: bool = False,
) -> pd.DataFrame:
    """Read a corpus into a DataFrame with one row per document.

    Parameters
    ----------
    source : path, glob or list of paths
        A folder (its documents, also in sub-folders when ``recursive``), a glob
        pattern (``"corpus/**/*.txt"``), or a list of files and folders.
    kind : {"auto", "news", "minutes", "policy", "other"}
        ``"auto"`` takes the kind from metadata, else :func:`detect_kind`;
        anything else forces that kind on every document.
    metadata : path, DataFrame, False or None
        Sidecar metadata keyed by ``file``. None uses ``metadata.csv`` in the
        corpus root when present; False ignores it.
    recursive : bool, default True
        Descend into sub-folders of folder sources.
    progress : bool or None
        Show a tqdm progress bar; None shows it above 200 files.
    normalize_width, to_simplified : bool
        Passed to :func:`read_text`.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, kind, title, date, source, community, text, encoding,
        path, n_chars``, then news fields (``published, category,
        reposted_from, reporters, correspondents, editors``), minutes fields
        (``venue, chair, recorder, attendees, absent, n_agenda_items, n_turns,
        n_decisions, n_actions``) and any extra metadata columns. List fields
        are Python lists; fields parsed from traditional-script documents
        are given in simplified characters. ``df.attrs`` holds ``root``, ``skipped``,
        ``ignored`` and ``metadata_unmatched`` (lists of dicts/str).

    Raises
    ------
    CorpusError
        No such path, no documents at all, a bad metadata file, or no file
        could be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a").mkdir(), (root / "b").mkdir()
    >>> _ = (root / "a" / "m.txt").write_text("议事会会议纪要\\n主持人：王丽\\n一、停车\\n张强：车多。", encoding="utf-8")
    >>> _ = (root / "b" / "m.txt").write_bytes("社区义诊\\n发布时间：2023-03-05 来源：青禾网\\n（记者 李明）".encode("gbk"))
    >>> df = load_corpus(root)
    >>> df[["doc_id", "kind", "title", "encoding"]]
      doc_id     kind    title encoding
    0 a/m.txt  minutes  议事会会议纪要    utf-8
    1 b/m.txt     news     社区义诊      gbk
    >>> df.loc[1, "date"], df.loc[0, "chair"]
    (Timestamp('2023-03-05 00:00:00'), '王丽')
    """
    if kind != "auto" and kind not in KINDS:
        raise CorpusError(f"kind must be 'auto' or one of {KINDS}, not {kind!r}")
    root, files, ignored, _from_folder = _collect(source, recursive)
    non_docs = [i for i in ignored if i["reason"].startswith("not a document type")]
    if not files:
        detail = f"; ignored {len(ignored)} file(s): " + ", ".join(
            f"{i['doc_id']} ({i['reason']})" for i in ignored[:5]
        ) if ignored else ""
        raise CorpusError(
            f"{source}: no documents found (looked for {', '.join(sorted(DOCUMENT_SUFFIXES))}){detail}"
        )
    meta_frame, meta_label = _read_metadata(metadata, root)
    doc_ids = [p.relative_to(root).as_posix() for p in files]
    matched, unmatched = _match_metadata(meta_frame, doc_ids) if meta_frame is not None else ({}, [])
    show = progress if progress is not None else len(files) > PROGRESS_THRESHOLD
    from tqdm import tqdm

    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    parse_failures: list[str] = []
    bar = tqdm(list(zip(files, doc_ids)), disable=not show, desc="reading documents", unit="doc",
               file=sys.stderr, leave=False)
    for path, doc_id in bar:
        try:
            doc = read_document(path, normalize_width=normalize_width, to_simplified=to_simplified)
        except CorpusError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            skipped.append({"path": str(path), "doc_id": doc_id, "reason": reason})
            continue
        meta = matched.get(doc_id, {})
        row = _document_row(doc_id, path, doc.text, doc.encoding, kind, meta, meta_label, parse_failures)
        rows.append(row)
    bar.close()
    if not rows:
        raise CorpusError(
            f"{source}: none of the {len(files)} document file(s) could be read; first problem: "
            f"{skipped[0]['doc_id']}: {skipped[0]['reason']}"
        )
    df = _frame(rows, meta_frame)
    df.attrs["root"] = str(root)
    df.attrs["skipped"] = skipped
    df.attrs["ignored"] = ignored
    df.attrs["metadata_unmatched"] = unmatched
    df.attrs["n_files"] = len(files)
    if skipped:
        warnings.warn(
            f"load_corpus skipped {len(skipped)} of {len(files)} file(s) that could not be read: "
            + "; ".join(f"{s['doc_id']} ({s['reason']})" for s in skipped[:5])
            + ("; …" if len(skipped) > 5 else "")
            + "; see df.attrs['skipped']",
            DataDroppedWarning,
            stacklevel=2,
        )
    if unmatched:
        warnings.warn(
            f"{meta_label}: {len(unmatched)} row(s) match no document and were not used: "
            + ", ".join(unmatched[:10]) + ("…" if len(unmatched) > 10 else "")
            + "; see df.attrs['metadata_unmatched']",
            DataDroppedWarning,
            stacklevel=2,
        )
    if non_docs:
        counts = pd.Series([Path(i["doc_id"]).suffix.lower() or "(none)" for i in non_docs]).value_counts()
        warnings.warn(
            f"load_corpus ignored {len(non_docs)} file(s) that are not documents ("
            + ", ".join(f"{k}: {v}" for k, v in counts.sort_index().items())
            + "); see df.attrs['ignored']",
            CivictoolsWarning,
            stacklevel=2,
        )
    if parse_failures:
        warnings.warn(
            f"load_corpus could not parse {len(parse_failures)} document(s) as their kind; their text is "
            "kept but parsed fields are empty: " + ", ".join(parse_failures[:5]),
            CivictoolsWarning,
            stacklevel=2,
        )
    return df


_LIST_COLUMNS = ("reporters", "correspondents", "editors", "attendees", "absent")
_COLUMNS = (
    "doc_id", "kind", "title", "date", "source", "community", "text", "encoding", "path", "n_chars",
    "published", "category", "reposted_from", "reporters", "correspondents", "editors",
    "venue", "chair", "recorder", "attendees", "absent", "n_agenda_items", "n_turns", "n_decisions",
    "n_actions",
)


def _first_line(text: str) -> str | None:
    for line in text.split("\n"):
        line = line.strip(" \t\u3000")
        if line:
            return line[:120]
    return None


_POLICY_TITLE = re.compile(
    r"^关于|《.+》|(?:通知|意见|方案|办法|规则|细则|决定|规定|批复|计划|措施|公告|通告)(?:（[^）]*）)?$"
)
_POLICY_HEADER = re.compile(r"文件$|〔\d{4}〕|^\[\d{4}\]|^(?:中共|澜江市)?.{0,16}(?:办公室|人民政府|民政局|委员会|办事处)$")


def _policy_title(text: str) -> str | None:
    """The title of an official document: not the issuer lines above it.

    >>> _policy_title("青禾区民政局文件\\n青禾民发〔2022〕3号\\n关于印发《社工室建设实施方案》\\n的通知\\n各街道：")
    '关于印发《社工室建设实施方案》的通知'
    """
    lines = [ln.strip() for ln in text[:3000].split("\n") if ln.strip()][:10]
    for k, line in enumerate(lines):
        if len(line) <= 80 and _POLICY_TITLE.search(line) and not _POLICY_HEADER.search(line) \
                and not line.endswith(("：", ":")):
            if k + 1 < len(lines) and lines[k + 1].startswith("的") and len(lines[k + 1]) <= 20:
                return line + lines[k + 1]
            return line
    return _first_line(text)


def _policy_date(text: str) -> Any:
    """A policy is dated at its signature (落款) after the body, else near the top."""
    lines = [ln.strip() for ln in text[-600:].split("\n") if ln.strip()]
    for line in reversed(lines[-4:]):
        hit = find_datetime(line)
        if hit and len(line) <= 20:
            return hit[0]
    hit = find_datetime(text[:800])
    return hit[0] if hit else None


def _document_row(doc_id: str, path: Path, text: str, encoding: str, kind: str,
                  meta: dict[str, Any], meta_label: str, parse_failures: list[str]) -> dict[str, Any]:
    meta_kind = (meta.get("kind") or "").strip() if meta.get("kind") else ""
    doc_kind = kind if kind != "auto" else (meta_kind or detect_kind(text))
    row: dict[str, Any] = {c: None for c in _COLUMNS}
    for c in _LIST_COLUMNS:
        row[c] = []
    row.update(doc_id=doc_id, kind=doc_kind, text=text, encoding=encoding, path=str(path), n_chars=len(text))
    title = date = source = None
    # Parsers read simplified cues (时间/主持人/记者); a traditional-script
    # document is parsed through a simplified copy, so its parsed fields come
    # out in simplified characters (the text column keeps the original).
    parse_text = text
    if _TRADITIONAL.search(text[:4000]):
        from civictools.corpus.read import _t2s

        parse_text = _t2s().convert(text)
    try:
        if doc_kind == "news":
            art = parse_news(parse_text)
            title, date, source = art.title, art.published, art.source
            row.update(published=art.published, category=art.category, reposted_from=art.reposted_from,
                       reporters=art.reporters, correspondents=art.correspondents, editors=art.editors)
        elif doc_kind == "minutes":
            m = parse_minutes(parse_text)
            title, date = m.title, m.date
            counts = m.counts()
            row.update(venue=m.venue, chair=m.chair, recorder=m.recorder,
                       attendees=m.names("attendees"), absent=m.names("absent"),
                       n_agenda_items=counts["n_agenda_items"], n_turns=counts["n_turns"],
                       n_decisions=counts["n_decisions"], n_actions=counts["n_actions"])
        elif doc_kind == "policy":
            title, date = _policy_title(parse_text), _policy_date(parse_text)
        else:
            title = _first_line(parse_text)
            hit = find_datetime(parse_text[:800])
            date = hit[0] if hit else None
    except Exception as exc:  # noqa: BLE001 - one odd document must not sink a corpus
        parse_failures.append(f"{doc_id} ({type(exc).__name__}: {exc})")
        title = _first_line(text)
    row["title"] = meta.get("title") or title or _first_line(text)
    meta_date = _meta_date(meta.get("date"), meta_label, doc_id) if meta.get("date") else None
    parsed = pd.Timestamp(date) if date else None
    # Metadata wins, but a bare day in metadata keeps the parsed time of
    # that same day (2021-03-25 + 14:30 from the minutes header).
    if meta_date is not None and parsed is not None and meta_date == meta_date.normalize() \
            and parsed.normalize() == meta_date:
        meta_date = parsed
    row["date"] = meta_date if meta_date is not None else parsed
    row["source"] = meta.get("source") or source
    row["community"] = meta.get("community") or _find_community(doc_id, row["title"], text)
    for key, value in meta.items():
        if key not in _META_STANDARD:
            row[f"meta_{key}" if key in _COLUMNS else key] = value
    return row


def _frame(rows: list[dict[str, Any]], meta_frame: pd.DataFrame | None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    extra = [c for c in df.columns if c not in _COLUMNS]
    df = df[[*_COLUMNS, *extra]]
    df["date"] = pd.to_datetime(df["date"])
    df["published"] = pd.to_datetime(df["published"])
    for c in ("n_agenda_items", "n_turns", "n_decisions", "n_actions"):
        df[c] = df[c].astype("Int64")
    df["n_chars"] = df["n_chars"].astype("int64")
    for c in ("title", "source", "community", "category", "reposted_from", "venue", "chair", "recorder"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)
