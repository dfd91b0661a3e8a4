"""Parse the meeting minutes (会议纪要) that community staff type.

The parser reads a header (时间/地点/主持人/记录人/参会人员/缺席 …, one field per
line or several on one line, full- or half-width colons, or tab-separated as in
a Word table), an agenda in any of the usual forms (议题一, 第一项, 一、, （一）,
1., or unnumbered ``议题：…`` lines), the speaking turns inside each item, the
decisions and the action list. Offsets (``agenda.start``/``end``,
``header_spans``, ``turns.start``/``end``) point into ``Minutes.text``, the
text that was parsed, so coders can map codes back to the document.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from civictools.corpus._common import (
    CN_NUM,
    Line,
    cn_to_int,
    find_datetime,
    iter_lines,
    parse_datetime,
    split_names,
    split_top,
    text_or_path as _text_or_path,
)

__all__ = ["Minutes", "parse_minutes"]

# --------------------------------------------------------------------------
# header fields
_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "date": ("会议时间", "开会时间", "会议日期", "时间", "日期"),
    "venue": ("会议地点", "开会地点", "会议地址", "地点"),
    "chair": ("主持人", "主持"),
    "recorder": ("记录人", "记录员", "记录"),
    "attendees": ("参会人员", "参加人员", "出席人员", "与会人员", "到会人员", "参会人", "出席人", "出席委员",
                  "参加委员", "到会委员", "出席", "参会", "参加", "到会", "与会"),
    "observers": ("列席人员", "列席"),
    "absent": ("缺席人员", "请假人员", "缺席委员", "缺席", "请假"),
    "topics": ("会议议题", "会议主题"),
    "title": ("会议名称",),
    # A heading over the agenda (【会议内容】): ends the header, holds no value.
    "container": ("会议内容", "主要内容", "会议议程"),
}
# Agenda-form headings that structure minutes without being agenda items.
_HEADERISH_TITLES = re.compile(
    r"^(?:会议)?(?:基本情况|概况|情况|信息|基本信息|时间|地点|时间地点|时间、地点|时间和地点)$|^(?:参加|参会|出席|与会)人员$"
)
_CONTAINER_TITLES = re.compile(r"^(?:会议|主要)?(?:内容|议程|议题)$")
_KEY_TO_FIELD = {k: f for f, keys in _FIELD_KEYS.items() for k in keys}
_KEYS_ALT = "|".join(sorted(_KEY_TO_FIELD, key=len, reverse=True))
# A field key starts a line or follows a separator; brackets make the colon
# optional (【时间】…), a tab stands for a table cell boundary.
_FIELD_START = re.compile(
    rf"^\s*(?:【(?P<bk>{_KEYS_ALT})】\s*[:：]?|(?P<k>{_KEYS_ALT})\s*(?:[:：]|\t))\s*"
)
_FIELD_ANY = re.compile(
    rf"(?:^|(?<=[\s，,；;]))(?:【(?P<bk>{_KEYS_ALT})】\s*[:：]?|(?P<k>{_KEYS_ALT})\s*(?:[:：]|\t))\s*"
)
# In the header only: 时间 2021年…  /  主持 汪春兰 记录 裴小龙 (a space for a colon).
_FIELD_START_LOOSE = re.compile(rf"^\s*(?P<k>{_KEYS_ALT})[ \u3000]+(?=\S)")
_FIELD_ANY_LOOSE = re.compile(
    rf"(?:^|(?<=[\s，,；;]))(?:【(?P<bk>{_KEYS_ALT})】\s*[:：]?|(?P<k>{_KEYS_ALT})(?:\s*(?:[:：]|\t)|[ \u3000]+(?=\S)))\s*"
)

# --------------------------------------------------------------------------
# agenda markers, ranked like the Chinese official-document outline
_N = rf"[{CN_NUM}]+"
_AGENDA_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("议题", re.compile(
        rf"^【?(?:议题|讨论事项|议程)\s*(?:(?P<n>{_N}|\d{{1,2}})\s*】?\s*[:：、.．]?|】|\s*[:：])\s*(?P<t>.*)$")),
    ("第X项", re.compile(
        rf"^第\s*(?P<n>{_N}|\d{{1,2}})\s*(?:项|个|件事|部分)(?:议题|议程|内容)?\s*[:：、.．]?\s*(?P<t>.*)$")),
    ("一、", re.compile(rf"^(?P<n>{_N})\s*[、.．]\s*(?P<t>.+)$")),
    ("（一）", re.compile(rf"^[（(]\s*(?P<n>{_N})\s*[）)]\s*[、.．]?\s*(?P<t>.+)$")),
    ("1.", re.compile(r"^(?P<n>\d{1,2})\s*(?:[、．]|\.(?!\d)|[)）])\s*(?P<t>.+)$")),
    ("（1）", re.compile(r"^[（(]\s*(?P<n>\d{1,2})\s*[）)]\s*(?P<t>.+)$")),
]
_LIST_MARK = re.compile(
    rf"^\s*(?:第\s*(?:{_N}|\d{{1,2}})\s*(?:项|个|件事|部分)\s*[:：、.．]?|{_N}\s*[、.．]|[（(]\s*(?:{_N}|\d{{1,2}})\s*[）)]|\d{{1,2}}\s*(?:[、．]|\.(?!\d)|[)）])"
    r"|[①-⑳]|[一二三四五六七八九十]是|[-•·*])\s*"
)

# --------------------------------------------------------------------------
# decisions and actions
_DECISION_CUE = re.compile(
    r"(?:(?:会议)?决议(?:如下|事项)?|议定事项|商定事项|会议决定|会议议定|会议商定|会议确定|会议(?:最后|最终)?明确|"
    r"会议一致同意|表决结果|形成(?:如下|以下)(?:意见|决议|决定|共识))\s*(?:如下)?\s*[:：]?\s*"
)
_ACTION_CUE = re.compile(
    r"^(?:工作安排|任务分工|责任分工|分工落实|落实分工|后续工作|后续安排|工作任务|任务清单|会后事项|下步工作|"
    r"下一步工作|下步安排|下一步安排|行动计划|落实事项|责任清单|任务安排)(?:如下)?\s*[:：]?\s*$"
)
_OWNER_LABEL = re.compile(r"责任(?:人|单位|部门)\s*[:：]?\s*(?P<o>[^；;，,。\s)）]+)")
_DEADLINE_LABEL = re.compile(
    r"(?:完成时限|完成时间|时限|截止时间|截止日期|完成期限)\s*[:：]?\s*(?P<d>[^；;，,。)）]+)"
)
_OWNER_PROSE = re.compile(
    r"(?:由|(?<=[，,；;]))(?P<o>[^，,。；;：:（(]{2,15}?)(?:牵头)?(?:负责|落实|承担|跟进)(?![人])"
)
_DEADLINE_PROSE = re.compile(
    r"(?P<d>(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号]|底|中旬|上旬|下旬)|本周内|本月内|月底|年底|"
    r"\d{1,2}[日号])(?:前|之前)?)"
)

# --------------------------------------------------------------------------
# speaking turns
_ROLE_SUFFIX = (
    "主持人|居民代表|党员代表|楼栋长|单元长|楼长|代表|党员|居民|社工|网格员|副书记|书记|副主任|主任|"
    "委员|成员|经理|主管|负责人|志愿者|民警|律师|干部|专干|组长|队长|会长|物业公司|物业|业主"
)
_ROLE_NAME = re.compile(
    rf"^(?P<role>[\u4e00-\u9fff]{{0,10}}?(?:{_ROLE_SUFFIX}))(?P<name>[\u4e00-\u9fff]{{2,3}})$"
)
_ROLE_WORDS = set(_ROLE_SUFFIX.split("|")) | {"同志", "说明", "表示", "人员", "成员们"}


def _role_name(token: str) -> re.Match[str] | None:
    """Match ``role + name`` (居民代表李秀英) unless the "name" is a role word."""
    m = _ROLE_NAME.match(token)
    if m and m.group("name") not in _ROLE_WORDS and not m.group("name").endswith(("代表", "人员")):
        return m
    return None


_NAME_ROLE = re.compile(
    r"^(?P<name>[\u4e00-\u9fff]{2,3}?)(?P<role>书记|副书记|主任|副主任|社工|网格员|楼栋长|楼长|站长|科长|经理|会长|队长|组长)$"
)
_ROLE_ONLY = re.compile(rf"^[\u4e00-\u9fff]{{0,8}}(?:{_ROLE_SUFFIX})$")
_SPEAKER_COLON = re.compile(
    r"^(?P<who>[\u4e00-\u9fffA-Za-z·]{1,12}?)\s*(?:[（(](?P<role>[^）)]{1,20})[）)])?\s*[:：]\s*(?P<text>\S.*)$"
)
_SPEECH_VERB = "说|表示|提出|指出|认为|介绍|建议|反映|补充|回应|答复|发言|强调|询问|提问|回答|解释|通报|汇报|说明|讲|表态"
_SPEAKER_VERB = re.compile(
    r"^(?P<who>[\u4e00-\u9fff·]{2,14}?)\s*(?:[（(](?P<role>[^）)]{1,20})[）)])?\s*"
    rf"(?:{_SPEECH_VERB})(?:道|了)?\s*[:：，,]\s*(?P<text>\S.*)$"
)
_NOT_SPEAKERS = {
    "时间", "地点", "议题", "决议", "决定", "任务", "责任人", "备注", "说明", "注", "主题", "内容",
    "结果", "表决结果", "附件", "会议", "要求", "目的", "背景", "情况", "问题", "措施", "意见",
    "建议", "完成时限", "时限", "地址", "会议议题", "会议决定", "议定事项", "落款",
}
_NOT_SPEAKER_PREFIX = ("大家", "会议", "与会", "经", "全体", "多数", "部分", "有", "居民们", "各位",
                       "本次", "此次", "同时", "另外", "最后", "首先", "其次")
_CLOSING = re.compile(r"^(?:散会|会议结束|会议于.{0,12}结束|（?完）?)[。.]?$")


@dataclass(eq=False)
class Minutes:
    """Parsed meeting minutes; see :func:`parse_minutes`.

    Attributes
    ----------
    title, date, venue, chair, recorder
        Header facts (None when not given); ``date`` includes the time when the
        minutes state one.
    attendees : pandas.DataFrame
        ``name``, ``role`` (None if not given), ``status`` (``"present"`` or
        ``"observer"`` for 列席).
    absent : pandas.DataFrame
        ``name``, ``role`` (the bracketed note, e.g. a reason).
    agenda : pandas.DataFrame
        ``item_no``, ``title``, ``text``, ``start``, ``end``: ``text ==
        Minutes.text[start:end]`` is the whole item block, marker line included.
    turns : pandas.DataFrame
        ``item_no``, ``speaker``, ``role``, ``text``, ``start``, ``end``.
    decisions : list of str
    actions : pandas.DataFrame
        ``task``, ``owner``, ``deadline`` (as written).
    header_spans : list of (int, int)
        Offsets of the title note, header and attendance lines; coding skips them.
    topics : list of str
        Agenda topics listed in the header (会议议题), if any.
    n_attendees_stated : int or None
        A head count stated in the list (…等15人).
    text : str
        The parsed text; all offsets refer to it.
    """

    title: str | None
    date: datetime | None
    venue: str | None
    chair: str | None
    recorder: str | None
    decisions: list[str]
    header_spans: list[tuple[int, int]]
    topics: list[str] = field(default_factory=list)
    n_attendees_stated: int | None = None
    text: str = field(default="", repr=False)
    # Tables are built on first access: corpus loading only needs counts.
    _rows: dict[str, list[tuple]] = field(default_factory=dict, repr=False)
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    _SCHEMAS: ClassVar[dict[str, tuple[list[str], dict[str, str]]]] = {
        "attendees": (["name", "role", "status"], {}),
        "absent": (["name", "role"], {}),
        "agenda": (["item_no", "title", "text", "start", "end"],
                   {"item_no": "int64", "start": "int64", "end": "int64"}),
        "turns": (["item_no", "speaker", "role", "text", "start", "end"],
                  {"item_no": "Int64", "start": "int64", "end": "int64"}),
        "actions": (["task", "owner", "deadline"], {}),
    }

    def _table_of(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            columns, dtypes = self._SCHEMAS[name]
            self._frames[name] = _table(self._rows.get(name, []), columns, dtypes)
        return self._frames[name].copy()

    @property
    def attendees(self) -> pd.DataFrame:
        """``name``, ``role``, ``status`` (present / observer)."""
        return self._table_of("attendees")

    @property
    def absent(self) -> pd.DataFrame:
        """``name``, ``role``."""
        return self._table_of("absent")

    @property
    def agenda(self) -> pd.DataFrame:
        """``item_no``, ``title``, ``text``, ``start``, ``end``."""
        return self._table_of("agenda")

    @property
    def turns(self) -> pd.DataFrame:
        """``item_no``, ``speaker``, ``role``, ``text``, ``start``, ``end``."""
        return self._table_of("turns")

    @property
    def actions(self) -> pd.DataFrame:
        """``task``, ``owner``, ``deadline``."""
        return self._table_of("actions")

    def counts(self) -> dict[str, int]:
        """Sizes of the parsed parts, without building the tables.

        >>> parse_minutes("一、停车\\n李梅：车太多。\\n").counts()["n_turns"]
        1
        """
        rows = self._rows
        return {
            "n_attendees": len(rows.get("attendees", [])),
            "n_absent": len(rows.get("absent", [])),
            "n_agenda_items": len(rows.get("agenda", [])),
            "n_turns": len(rows.get("turns", [])),
            "n_decisions": len(self.decisions),
            "n_actions": len(rows.get("actions", [])),
        }

    def names(self, part: str = "attendees") -> list[str]:
        """Names listed as ``attendees`` or ``absent``.

        >>> parse_minutes("参会人员：张强、李梅\\n").names()
        ['张强', '李梅']
        """
        return [row[0] for row in self._rows.get(part, [])]

    def to_dict(self) -> dict[str, Any]:
        """Return plain Python data (tables as lists of dicts).

        >>> m = parse_minutes("议题一：楼道堆物\\n张强：先清走纸箱。")
        >>> m.to_dict()["agenda"][0]["title"]
        '楼道堆物'
        """
        def records(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: _plain(v) for k, v in row.items()}
                for row in df.to_dict(orient="records")
            ]

        return {
            "title": self.title,
            "date": self.date,
            "venue": self.venue,
            "chair": self.chair,
            "recorder": self.recorder,
            "attendees": records(self.attendees),
            "absent": records(self.absent),
            "agenda": records(self.agenda),
            "turns": records(self.turns),
            "decisions": list(self.decisions),
            "actions": records(self.actions),
            "header_spans": [tuple(s) for s in self.header_spans],
            "topics": list(self.topics),
            "n_attendees_stated": self.n_attendees_stated,
        }

    def tidy(self) -> pd.DataFrame:
        """Agenda items with their number of turns, one row per item.

        >>> parse_minutes("一、停车\\n李梅：车太多。\\n二、绿化\\n").tidy()[["item_no", "n_turns"]]
           item_no  n_turns
        0        1        1
        1        2        0
        """
        counts = self.turns.groupby("item_no").size() if len(self.turns) else pd.Series(dtype=int)
        out = self.agenda.copy()
        out["n_turns"] = [int(counts.get(i, 0)) for i in out["item_no"]]
        return out

    def summary(self) -> str:
        """A short plain-text overview (no dates of the run, deterministic).

        >>> print(parse_minutes("主持人：王丽\\n一、停车\\n").summary())
        Minutes: (untitled)
          date: -   venue: -   chair: 王丽   recorder: -
          attendees: 0   absent: 0   agenda items: 1   turns: 0   decisions: 0   actions: 0
        """
        date = self.date.isoformat(sep=" ", timespec="minutes") if self.date else "-"
        return (
            f"Minutes: {self.title or '(untitled)'}\n"
            f"  date: {date}   venue: {self.venue or '-'}   chair: {self.chair or '-'}"
            f"   recorder: {self.recorder or '-'}\n"
            f"  attendees: {len(self.attendees)}   absent: {len(self.absent)}"
            f"   agenda items: {len(self.agenda)}   turns: {len(self.turns)}"
            f"   decisions: {len(self.decisions)}   actions: {len(self.actions)}"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        date = self.date.isoformat(sep=" ", timespec="minutes") if self.date else "–"
        facts = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(str(v))}</td></tr>"
            for k, v in [
                ("date 日期", date),
                ("venue 地点", self.venue or "–"),
                ("chair 主持人", self.chair or "–"),
                ("recorder 记录人", self.recorder or "–"),
                ("attendees 参会", "、".join(self.attendees["name"]) or "–"),
                ("absent 缺席", "、".join(self.absent["name"]) or "–"),
            ]
        )
        agenda = self.tidy()[["item_no", "title", "n_turns"]].to_html(index=False, escape=True)
        decisions = "".join(f"<li>{esc(d)}</li>" for d in self.decisions) or "<li>–</li>"
        actions = (
            self.actions.to_html(index=False, escape=True) if len(self.actions) else "<p>–</p>"
        )
        return (
            f"<div class='civictools-minutes'><h4>{esc(self.title or '(untitled minutes)')}</h4>"
            f"<table>{facts}</table><h5>Agenda 议题</h5>{agenda}"
            f"<h5>Decisions 决议</h5><ol>{decisions}</ol><h5>Actions 任务</h5>{actions}</div>"
        )


def _plain(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


# ==========================================================================
def parse_minutes(text_or_path: str | Path) -> Minutes:
    """Parse meeting minutes into header facts, agenda, turns, decisions and actions.

    Parameters
    ----------
    text_or_path : str or pathlib.Path
        The minutes text, or a path to a document (read with :func:`read_text`).

    Returns
    -------
    Minutes
        All character offsets refer to ``Minutes.text``.

    Notes
    -----
    The agenda form is the highest-ranked marker form present in the body, in
    the order 议题一 > 第一项 > 一、 > （一） > 1. > （1）, so numbered points inside
    an item do not split it. Without any marker the whole body is one item.
    A decisions or action section (会议决定：/任务分工：… on a line of its own)
    that follows the last item ends that item's block.

    Examples
    --------
    >>> m = parse_minutes(
    ...     "纺机社区居民议事会会议纪要\\n"
    ...     "时间：2023年3月5日下午2:30  地点：社区二楼会议室\\n"
    ...     "主持人：王丽（社区书记）  记录人：陈晨\\n"
    ...     "参会人员：张强、居民代表李秀英\\n"
    ...     "议题一：加装电梯\\n"
    ...     "李秀英（居民代表）：低层住户担心采光。\\n"
    ...     "会议决定：3月底前完成意见征集。\\n"
    ... )
    >>> m.date, m.venue, m.chair
    (datetime.datetime(2023, 3, 5, 14, 30), '社区二楼会议室', '王丽')
    >>> m.attendees.to_dict("list")
    {'name': ['张强', '李秀英'], 'role': [None, '居民代表'], 'status': ['present', 'present']}
    >>> m.turns[["speaker", "role"]].values.tolist()
    [['李秀英', '居民代表']]
    >>> m.decisions
    ['3月底前完成意见征集。']
    >>> m.text[m.agenda.start[0]:m.agenda.end[0]].splitlines()[0]
    '议题一：加装电梯'
    """
    text, _path = _text_or_path(text_or_path)
    lines = list(iter_lines(text))
    state = _State(text=text, lines=lines)
    body_from = _parse_header(state)
    body_to = _parse_tail(state, body_from)
    _parse_prose_header(state, body_from, body_to)
    items, sections, marker_starts = _split_agenda(state, body_from, body_to)
    decision_points = _decisions(state, body_from, body_to)
    decisions = [text for text, _idx in decision_points]
    actions = _actions(state, body_from, body_to, sections, decision_points)
    turns = _turns(state, body_from, body_to, items, marker_starts)

    return Minutes(
        title=state.title,
        date=state.date,
        venue=state.venue,
        chair=state.chair,
        recorder=state.recorder,
        decisions=decisions,
        header_spans=sorted(set(state.header_spans)),
        topics=state.topics,
        n_attendees_stated=state.n_stated,
        text=text,
        _rows={"attendees": state.attendees, "absent": state.absent, "agenda": items,
               "turns": turns, "actions": actions},
    )


def _table(rows: list[tuple], columns: list[str], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """Build a small frame fast: text columns stay ``object`` with None for missing."""
    dtypes = dtypes or {}
    data = {}
    for k, name in enumerate(columns):
        values = [row[k] for row in rows]
        data[name] = pd.Series(values, dtype=dtypes.get(name, object))
    return pd.DataFrame(data, columns=columns)


@dataclass
class _State:
    text: str
    lines: list[Line]
    title: str | None = None
    date: datetime | None = None
    venue: str | None = None
    chair: str | None = None
    chair_role: str | None = None
    recorder: str | None = None
    attendees: list[tuple[str, str | None, str]] = field(default_factory=list)
    absent: list[tuple[str, str | None]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    n_stated: int | None = None
    header_spans: list[tuple[int, int]] = field(default_factory=list)
    title_date: datetime | None = None


def _clean(value: str) -> str:
    return value.strip().strip("；;，,。").strip()


def _fields_in_line(line: str, loose: bool = False) -> list[tuple[str, str]]:
    """Split a header line holding one or more ``key：value`` fields.

    ``loose`` also accepts a space instead of the colon (header lines only).
    """
    # 时　间：… -> 时间：…
    line = re.sub(r"^(\s*[\u4e00-\u9fff])[ \u3000]+([\u4e00-\u9fff])(?=[ \u3000]*[:：])", r"\1\2", line)
    if _FIELD_START.match(line):
        matches = list((_FIELD_ANY_LOOSE if loose else _FIELD_ANY).finditer(line))
    elif loose and _FIELD_START_LOOSE.match(line):
        matches = list(_FIELD_ANY_LOOSE.finditer(line))
    else:
        return []
    out = []
    for i, m in enumerate(matches):
        key = m.group("bk") or m.group("k")
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        out.append((_KEY_TO_FIELD[key], line[m.end():end]))
    return out


def _is_title(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 60 or _FIELD_START.match(s) or _agenda_match(s) is not None:
        return False
    if re.search(r"[。；！？]", s) or re.search(r"[，,]", s):
        return False
    return _SPEAKER_COLON.match(s) is None or bool(re.search(r"纪要|记录|会议", s))


def _agenda_match(s: str) -> tuple[int, re.Match[str]] | None:
    for rank, (_name, pattern) in enumerate(_AGENDA_FORMS):
        m = pattern.match(s)
        if m:
            return rank, m
    return None


def _parse_header(state: _State) -> int:
    """Read title and header fields; return the index of the first body line."""
    lines = state.lines
    i = 0
    while i < len(lines) and not lines[i].stripped:
        i += 1
    if i < len(lines) and _is_title(lines[i].text):
        state.title = lines[i].stripped
        found = find_datetime(state.title)
        state.title_date = found[0] if found else None
        i += 1
        # A bracketed note under the title: （2023年第3次） or a date line.
        j = i
        while j < len(lines) and not lines[j].stripped:
            j += 1
        if j < len(lines) and re.fullmatch(r"\s*[（(][^）)]{1,40}[）)]\s*", lines[j].text) \
                and not _fields_in_line(lines[j].stripped[1:-1]):
            note = find_datetime(lines[j].text)
            if note and state.title_date is None:
                state.title_date = note[0]
            state.header_spans.append(lines[j].span())
            i = j + 1
    list_field: str | None = None
    while i < len(lines):
        line = lines[i]
        s = line.stripped
        if not s:
            list_field = None
            i += 1
            continue
        inner = s[1:-1] if re.fullmatch(r"[（(].+[）)]", s) else s
        # 一、会议时间：… — header fields numbered like agenda items.
        inner = _LIST_MARK.sub("", inner, count=1) if _LIST_MARK.match(inner) else inner
        fields = _header_fields(inner)
        if fields:
            list_field = None
            for name, value in fields:
                _set_field(state, name, value)
                if name in ("attendees", "observers", "absent", "topics") and not _clean(value):
                    list_field = name
            state.header_spans.append(line.span())
            i += 1
            continue
        mark = _agenda_match(s)
        if mark and _HEADERISH_TITLES.match(_clean(mark[1].group("t") or "")):
            # 一、会议概况 above the header fields.
            state.header_spans.append(line.span())
            list_field = None
            i += 1
            continue
        if list_field is not None and _continues_list(s, list_field):
            _set_field(state, list_field, s)
            state.header_spans.append(line.span())
            i += 1
            continue
        break
    return i


def _header_fields(line: str) -> list[tuple[str, str]]:
    """Fields of a header line, or [] when a value reads like speech (主持人：今天…)."""
    fields = _fields_in_line(line, loose=True)
    for name, value in fields:
        value = _clean(value)
        bare = re.sub(r"[（(][^）)]*[）)]", "", value)
        if name in ("chair", "recorder") and (len(bare) > 30 or re.search(r"[。！？，]", bare)):
            return []
        if name == "date" and value and parse_datetime(value) is None and len(value) > 20:
            return []
    return fields


def _continues_list(s: str, list_field: str) -> bool:
    if list_field == "topics":
        return _agenda_match(s) is not None and len(s) <= 60
    return len(s) <= 80 and not re.search(r"[。！？]", s) and _SPEAKER_VERB.match(s) is None


def _set_field(state: _State, name: str, value: str) -> None:
    value = _clean(value.replace("\t", " "))
    if not value:
        return
    if name == "date":
        state.date = state.date or parse_datetime(value)
    elif name == "venue":
        state.venue = state.venue or _clean(re.split(r"[。；;]", value, maxsplit=1)[0])
    elif name == "chair":
        person, role = _person(value)
        state.chair, state.chair_role = person, role
    elif name == "recorder":
        state.recorder = _person(value)[0]
    elif name == "title":
        state.title = state.title or value
    elif name == "container":
        return
    elif name == "topics":
        m = _agenda_match(value)
        state.topics.extend(_clean(x) for x in re.split(r"[；;]", m[1].group("t") if m else value)
                            if _clean(x))
    elif name in ("attendees", "observers", "absent"):
        # 到会：…22户，网格员翁琪。因防疫要求，… -> the list ends at the full stop.
        value = _clean(split_top(value, "。！？")[0]) if value else value
    if name in ("attendees", "observers"):
        status = "observer" if name == "observers" else "present"
        for person, role in _people(value, state):
            state.attendees.append((person, role, status))
    if name == "absent":
        for person, role in _people(value, state):
            state.absent.append((person, role))


def _person(token: str) -> tuple[str, str | None]:
    """Split one listed person into (name, role)."""
    token = token.strip().strip("：:")
    m = re.fullmatch(r"(?P<n>[^（(]+?)\s*[（(](?P<r>[^）)]*)[）)]", token)
    if m:
        return m.group("n").strip(), m.group("r").strip() or None
    m = _role_name(token)
    if m:
        return m.group("name"), m.group("role")
    m = re.fullmatch(r"(?P<r>\S{2,16})\s+(?P<n>[\u4e00-\u9fff]{2,3})", token)
    if m:
        return m.group("n"), m.group("r")
    m = _NAME_ROLE.match(token)
    if m:
        return m.group("name"), m.group("role")
    return token, None


def _people(value: str, state: _State) -> list[tuple[str, str | None]]:
    stated = re.search(r"(?:等|共计?)\s*(\d+)\s*(?:人|名)", value)
    if stated:
        state.n_stated = int(stated.group(1))
        value = value[: stated.start()] + value[stated.end():]
    value = re.sub(r"[（(]\s*共?\s*\d+\s*[人名]\s*[）)]", "", value)
    out: list[tuple[str, str | None]] = []
    # A group role governs the names after it up to a semicolon:
    # 居民代表：李秀英、赵建国；物业：周涛
    for segment in split_top(value, "；;"):
        segment = segment.strip()
        group_role = None
        gm = re.match(rf"^(?P<r>[\u4e00-\u9fff]{{0,10}}?(?:{_ROLE_SUFFIX})(?:成员|们)?)\s*[:：]\s*", segment)
        if gm:
            group_role, segment = gm.group("r"), segment[gm.end():]
        # 居民代表熊伟、孔丽娟: a role written before a name carries over to the
        # bare names after it, up to the next comma.
        for part in split_top(segment, "，,"):
            carry = group_role
            for token in split_names(part):
                token = token.strip("。.")
                if not token:
                    continue
                person, role = _person(token)
                prefixed = _role_name(token)
                if prefixed and not group_role:
                    carry = prefixed.group("role")
                out.append((person, role or carry))
    return out


def _parse_tail(state: _State, body_from: int) -> int:
    """Take trailing recorder/date/signature lines; return the body end index."""
    lines = state.lines
    j = len(lines)
    while j > body_from and not lines[j - 1].stripped:
        j -= 1
    taken = 0
    while j > body_from and taken < 4:
        s = lines[j - 1].stripped
        if not s:
            j -= 1
            continue
        fields = _header_fields(s)
        date_only = re.fullmatch(r"[\d〇零○一二三四五六七八九十年月日号\-/.\s]+", s) and find_datetime(s)
        if fields and all(f in ("recorder", "date", "chair") for f, _ in fields):
            for name, value in fields:
                if getattr(state, name) is None:
                    _set_field(state, name, value)
        elif date_only:
            if state.date is None:
                state.date = date_only[0]
        else:
            break
        state.header_spans.append(lines[j - 1].span())
        j -= 1
        taken += 1
    return j


def _parse_prose_header(state: _State, body_from: int, body_to: int) -> None:
    """Fill date/venue/chair from the opening paragraph when there is no header."""
    opening = [
        ln.stripped for ln in state.lines[body_from:body_to]
        if ln.stripped and not (_agenda_match(ln.stripped) and len(ln.stripped) <= 20)
    ][:2]
    if state.date is None:
        state.date = state.title_date
    if not opening:
        return
    s = "\n".join(opening)
    if state.date is None:
        found = find_datetime(s)
        if found:
            state.date = found[0]
        elif state.title_date is not None:
            state.date = state.title_date
    if state.venue is None:
        m = re.search(r"在(?P<v>[^，,。；;]{2,25}?)(?:召开|举行|组织召开|开展)", s)
        if m:
            state.venue = m.group("v")
    if state.chair is None:
        m = re.search(r"主持人是(?P<c>[\u4e00-\u9fff]{2,10})", s) or re.search(
            r"(?:由|会议由)?(?P<c>[\u4e00-\u9fff]{2,11})(?:同志)?主持", s)
        if m:
            who = m.group("c").removeprefix("会议由").removeprefix("由").removeprefix("会议")
            state.chair, state.chair_role = _person(who)
    if state.recorder is None:
        m = re.search(r"(?P<r>[\u4e00-\u9fff]{2,10}?)(?:负责|帮忙|作|做)?记录", s)
        if m and not re.search(r"会议|记录$", m.group("r")):
            state.recorder = _person(m.group("r").removeprefix("由"))[0]


def _is_section_cue(s: str) -> str | None:
    s = re.sub(r"^【(.{1,12})】", r"\1", s.strip())
    body = _LIST_MARK.sub("", s, count=1) if _LIST_MARK.match(s) else s
    if _ACTION_CUE.match(body):
        return "actions"
    m = _DECISION_CUE.search(body)
    if m and _cue_at_start(body, m) and not body[m.end():].strip():
        return "decisions"
    if re.fullmatch(r"(?:会议)?(?:决议|决定|议定)(?:事项|内容|情况)?\s*[:：]?", body):
        return "decisions"
    # A short lead-in line over a list: 本次例会确定： / 讨论后定下来： / 会后分工
    if len(body) <= 12 and re.fullmatch(
        r"(?:会后|会议)?(?:分工|安排)|形成(?:如下|以下)?(?:意见|共识)|.{0,6}(?:确定|商定|明确|议定|决定)的?(?:事项)?|"
        r".{0,6}(?:工作安排|下月安排|下步安排|下一步安排|后续事项|后续安排|任务分工)", body):
        return "actions" if re.search(r"分工|安排|后续", body) else "decisions"
    if len(body) <= 30 and body.endswith(("：", ":")):
        if re.search(r"商定|确定|明确|决定|议定|同意|定下来|形成.{0,4}(?:意见|共识)|共识|决议", body):
            return "decisions"
        if re.search(r"分工|安排|任务|后续|下步|下一步|落实", body):
            return "actions"
    return None


def _cue_at_start(body: str, m: re.Match[str]) -> bool:
    """The cue opens the line, or follows a short clause (经讨论，…)."""
    prefix = body[: m.start()]
    return not prefix or (len(prefix) <= 12 and prefix.endswith(("，", ",", "。")))


def _split_agenda(state: _State, lo: int, hi: int):
    """Find agenda items and top-level sections in lines[lo:hi]."""
    lines = state.lines
    cues: dict[int, str] = {}
    marks: dict[int, tuple[int, re.Match[str]]] = {}
    for idx in range(lo, hi):
        s = lines[idx].stripped
        if not s:
            continue
        cue = _is_section_cue(s)
        if cue:
            cues[idx] = cue
            continue
        m = _agenda_match(s)
        if m:
            title = _clean(m[1].group("t") or "")
            # 二、会议内容 holds the items; 一、会议概况 is header prose.
            if _CONTAINER_TITLES.match(title) or _HEADERISH_TITLES.match(title):
                continue
            marks[idx] = m
    # Lines inside a listed section (after a cue) are decision/action points,
    # not agenda items, until a marker of a higher rank appears.
    ranks = sorted({r for r, _ in marks.values()})
    chosen = None
    for rank in ranks:
        idxs = [i for i, (r, _) in marks.items() if r == rank]
        if any(not _inside_list_after_cue(i, cues, lines) for i in idxs):
            chosen = rank
            break
    sections: list[tuple[int, int, str]] = []
    item_idx = (
        sorted(i for i, (r, _) in marks.items() if r == chosen and not _inside_list_after_cue(i, cues, lines))
        if chosen is not None
        else []
    )
    # Top-level sections: cues after the last item start, plus agenda-form
    # markers whose title is itself a cue (三、会议决定).
    last_item = item_idx[-1] if item_idx else lo - 1
    section_starts = sorted(i for i in cues if i > last_item)
    items: list[tuple[int, str | None, str, int, int]] = []
    if not item_idx:
        start_idx = next((i for i in range(lo, hi) if lines[i].stripped), None)
        stop = section_starts[0] if section_starts else hi
        if start_idx is not None and start_idx < stop:
            title = state.topics[0] if len(state.topics) == 1 else None
            items.append(_block(state, 1, title, start_idx, stop))
    else:
        seq = 0
        for k, idx in enumerate(item_idx):
            nxt = item_idx[k + 1] if k + 1 < len(item_idx) else None
            stop = nxt if nxt is not None else (section_starts[0] if section_starts else hi)
            _rank, m = marks[idx]
            seq += 1
            number = cn_to_int(m.group("n")) if m.groupdict().get("n") else None
            title = _clean(m.group("t")) or None
            if title and len(title) > 40:
                title = _clean(re.split(r"[。；]", title, maxsplit=1)[0])[:60]
            items.append(_block(state, number if number is not None else seq, title, idx, stop))
    for k, idx in enumerate(section_starts):
        stop = section_starts[k + 1] if k + 1 < len(section_starts) else hi
        sections.append((idx, stop, cues[idx]))
    marker_starts = {lines[i].span()[0] for i in item_idx}
    return items, sections, marker_starts


def _inside_list_after_cue(idx: int, cues: dict[int, str], lines: list[Line]) -> bool:
    """True when line ``idx`` is a list point directly under a section cue."""
    j = idx - 1
    while j >= 0:
        if j in cues:
            return True
        s = lines[j].stripped
        if not s:
            j -= 1
            continue
        if _LIST_MARK.match(s) or _agenda_match(s):
            j -= 1
            continue
        return False
    return False


def _block(state: _State, number: int, title: str | None, i: int, stop: int):
    lines = state.lines
    j = stop
    while j > i and not lines[j - 1].stripped:
        j -= 1
    start = lines[i].span()[0]
    end = lines[j - 1].span()[1] if j > i else lines[i].span()[1]
    return (number, title, state.text[start:end], start, end)


def _decisions(state: _State, lo: int, hi: int) -> list[tuple[str, int]]:
    """Decision points with the index of the line each comes from."""
    lines = state.lines
    out: list[tuple[str, int]] = []
    idx = lo
    while idx < hi:
        s = lines[idx].stripped
        body = _LIST_MARK.sub("", s, count=1) if _LIST_MARK.match(s) else s
        m = _DECISION_CUE.search(body)
        cue_alone = _is_section_cue(s) == "decisions"
        if cue_alone or (m and _cue_at_start(body, m)):
            rest = "" if cue_alone else body[m.end():].strip()
            if rest:
                out.extend((point, idx) for point in _split_points(rest))
                idx += 1
                continue
            idx += 1
            while idx < hi:
                t = lines[idx].stripped
                if not t:
                    if out and idx + 1 < hi and not _LIST_MARK.match(lines[idx + 1].stripped):
                        break
                    idx += 1
                    continue
                if _is_section_cue(t) or _FIELD_START.match(t):
                    break
                if not _LIST_MARK.match(t) and _agenda_match(t):
                    break
                point = _clean(_LIST_MARK.sub("", t, count=1)) if _LIST_MARK.match(t) else _clean(t)
                if not _LIST_MARK.match(t) and out and _CLOSING.match(t):
                    break
                if point:
                    out.append((_keep_stop(t, point), idx))
                idx += 1
            continue
        idx += 1
    return out


def _keep_stop(raw: str, point: str) -> str:
    raw = raw.strip()
    return point + raw[-1] if raw and raw[-1] in "。；;" and not point.endswith(raw[-1]) else point


def _split_points(rest: str) -> list[str]:
    parts = re.split(r"(?:^|(?<=[。；;，,\s]))\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)]|[①-⑳])\s*", rest)
    parts = [p.strip() for p in parts if p.strip()]
    return parts if parts else [rest]


def _prose_action(body: str) -> tuple[str, str | None, str | None] | None:
    """``公示预算明细，由龚丽负责，9月底前完成`` -> (task, owner, deadline)."""
    owner_p = _OWNER_PROSE.search(body)
    deadline_p = _DEADLINE_PROSE.search(body)
    task = body
    if owner_p:
        head = body[: owner_p.start()]
        cut = max(head.rfind("，"), head.rfind(","))
        if cut > 0:
            task = _clean(head[:cut])
    return task, owner_p.group("o") if owner_p else None, deadline_p.group("d") if deadline_p else None


def _actions(state: _State, lo: int, hi: int, sections, decisions: list[tuple[str, int]]):
    lines = state.lines
    out: list[tuple[str, str | None, str | None]] = []
    # Decision points that name who does it (…，侯娟负责，8月31日前完成) are actions.
    from_decisions: dict[int, list[str]] = {}
    for text, idx in decisions:
        from_decisions.setdefault(idx, []).append(text)
    in_section: set[int] = set()
    for start, stop, kind in sections:
        if kind == "actions":
            in_section.update(range(start + 1, stop))
    columns: dict[str, int] | None = None
    for idx in range(lo, hi):
        s = lines[idx].stripped
        if not s or _is_section_cue(s):
            continue
        if "\t" in s and idx in in_section:
            cells = [c.strip() for c in s.split("\t")]
            if columns is None and any("责任" in c for c in cells):
                columns = {}
                for k, c in enumerate(cells):
                    if "责任" in c:
                        columns["owner"] = k
                    elif re.search(r"时限|时间|期限|截止", c):
                        columns["deadline"] = k
                    elif re.search(r"任务|事项|内容|工作", c):
                        columns["task"] = k
                continue
            if columns:
                def cell(name: str) -> str | None:
                    k = columns.get(name)
                    return _clean(cells[k]) or None if k is not None and k < len(cells) else None

                task = cell("task")
                if task:
                    out.append((_clean(_LIST_MARK.sub("", task, count=1)), cell("owner"), cell("deadline")))
                continue
        owner_m = _OWNER_LABEL.search(s)
        if owner_m:
            deadline_m = _DEADLINE_LABEL.search(s)
            task = s[: min(owner_m.start(), deadline_m.start() if deadline_m else len(s))]
            task = re.sub(r"^(?:任务|事项|工作)(?:内容)?\s*[:：]\s*", "",
                          _LIST_MARK.sub("", task, count=1) if _LIST_MARK.match(task) else task)
            task = _clean(re.sub(r"[（(]\s*$", "", task.strip()))
            if not task and deadline_m is not None:
                task = _clean(s[deadline_m.end():]) or None
            out.append((task or None, _clean(owner_m.group("o")) or None,
                        _clean(deadline_m.group("d")) if deadline_m else None))
            continue
        if idx in in_section:
            body = _clean(_LIST_MARK.sub("", s, count=1) if _LIST_MARK.match(s) else s)
            out.append(_prose_action(body))
        elif idx in from_decisions:
            for text in from_decisions[idx]:
                if _OWNER_PROSE.search(text):
                    out.append(_prose_action(_clean(text)))
    return out


def _speaker(who: str, role: str | None, state: _State) -> tuple[str, str | None] | None:
    who = who.strip()
    if who in ("主持人", "主持"):
        return (state.chair or "主持人", "主持人")
    if (
        who in _NOT_SPEAKERS
        or who.startswith(_NOT_SPEAKER_PREFIX)
        or who in _KEY_TO_FIELD
        or re.match(r"^(?:议题|第.{1,3}项)", who)
    ):
        return None
    if who in ("主持人", "主持"):
        return (state.chair or "主持人", "主持人")
    if role is None:
        m = _role_name(who)
        if m:
            who, role = m.group("name"), m.group("role")
        elif _ROLE_ONLY.match(who):
            role = who
    if role is None:
        known = {n: r for n, r, _ in state.attendees}
        role = known.get(who)
        if role is None and who == state.chair:
            role = state.chair_role or "主持人"
    return who, role


def _turns(state: _State, lo: int, hi: int, items, item_starts: set[int]) -> list[tuple]:
    rows = []
    lines = state.lines
    for idx in range(lo, hi):
        line = lines[idx]
        s = line.stripped
        if not s or line.span()[0] in item_starts or _is_section_cue(s):
            continue
        # 15:05　冯建国：… (minutes typed with clock times)
        s = re.sub(r"^\d{1,2}[:：]\d{2}\s*", "", s)
        # The verb form first: in 居民代表某某说：… the colon form would take
        # 说 as part of the name.
        m = _SPEAKER_VERB.match(s)
        if m and len(m.group("who")) > 4 and not _role_name(m.group("who")) and not m.group("role"):
            m = None
        if m is None:
            m = _SPEAKER_COLON.match(s)
            if m and (_DECISION_CUE.match(s) or _OWNER_LABEL.match(s) or _DEADLINE_LABEL.match(s)):
                m = None
        if m is None:
            continue
        who = _speaker(m.group("who"), m.group("role"), state)
        if who is None:
            continue
        start, end = line.span()
        item_no = next((no for no, _t, _x, a, b in items if a <= start < b), None)
        rows.append((item_no, who[0], who[1], m.group("text").strip(), start, end))
    return rows
