"""parse_minutes against hand-written expected parses of our own fixture layouts.

Each ``tests/fixtures/corpus/minutes/*.txt`` has a ``.json`` beside it written
by hand from reading the minutes (not produced by the parser).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from civictools.corpus import Minutes, parse_minutes

FIXTURES = Path(__file__).parent / "fixtures" / "corpus" / "minutes"
CASES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def load(stem: str) -> tuple[str, dict, Minutes]:
    text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
    return text, expected, parse_minutes(text)


def test_at_least_eight_layouts():
    assert len(CASES) >= 8


@pytest.mark.parametrize("stem", CASES)
def test_header_fields(stem):
    _text, exp, m = load(stem)
    assert m.title == exp["title"]
    assert m.date == (datetime.fromisoformat(exp["date"]) if exp["date"] else None)
    assert m.venue == exp["venue"]
    assert m.chair == exp["chair"]
    assert m.recorder == exp["recorder"]
    assert m.topics == exp["topics"]
    if "n_attendees_stated" in exp:
        assert m.n_attendees_stated == exp["n_attendees_stated"]


@pytest.mark.parametrize("stem", CASES)
def test_attendance(stem):
    _text, exp, m = load(stem)
    assert m.attendees[["name", "role", "status"]].values.tolist() == exp["attendees"]
    assert m.absent[["name", "role"]].values.tolist() == exp["absent"]


@pytest.mark.parametrize("stem", CASES)
def test_agenda_items_and_offsets(stem):
    text, exp, m = load(stem)
    assert m.agenda[["item_no", "title"]].values.tolist() == exp["agenda"]
    assert m.text == text
    for row in m.agenda.itertuples():
        assert text[row.start:row.end] == row.text
        assert row.text == row.text.strip()
    # Items do not overlap and appear in order.
    bounds = list(zip(m.agenda.start, m.agenda.end))
    assert all(a[1] <= b[0] for a, b in zip(bounds, bounds[1:]))
    if "last_item_ends_with" in exp:
        assert m.agenda.text.iloc[-1].endswith(exp["last_item_ends_with"])


@pytest.mark.parametrize("stem", CASES)
def test_turns(stem):
    text, exp, m = load(stem)
    got = [
        [int(r.item_no) if pd.notna(r.item_no) else None, r.speaker, r.role, r.text]
        for r in m.turns.itertuples()
    ]
    assert [g[:3] for g in got] == [e[:3] for e in exp["turns"]]
    for g, e in zip(got, exp["turns"]):
        assert g[3].startswith(e[3])
    for r in m.turns.itertuples():
        assert r.text in text[r.start:r.end]


@pytest.mark.parametrize("stem", CASES)
def test_decisions_and_actions(stem):
    _text, exp, m = load(stem)
    assert m.decisions == exp["decisions"]
    assert m.actions[["task", "owner", "deadline"]].values.tolist() == exp["actions"]


@pytest.mark.parametrize("stem", CASES)
def test_header_spans_cover_header_lines_only(stem):
    text, exp, m = load(stem)
    assert len(m.header_spans) == exp["n_header_lines"]
    for start, end in m.header_spans:
        span = text[start:end]
        assert span and "\n" not in span
        # No header span reaches into an agenda block.
        for row in m.agenda.itertuples():
            assert end <= row.start or start >= row.end


def test_half_and_full_width_colons_give_same_parse():
    full = "主持人：王丽\n记录人：陈晨\n一、停车\n张强：车太多。\n"
    half = full.replace("：", ":")
    a, b = parse_minutes(full), parse_minutes(half)
    assert (a.chair, a.recorder) == (b.chair, b.recorder) == ("王丽", "陈晨")
    assert a.turns.speaker.tolist() == b.turns.speaker.tolist() == ["张强"]


@pytest.mark.parametrize(
    "marker, expected_no",
    [("议题三：", 3), ("一、", 1), ("（二）", 2), ("第四项：", 4), ("5.", 5), ("【议题一】", 1)],
)
def test_each_agenda_form(marker, expected_no):
    m = parse_minutes(f"{marker}社区食堂\n李梅：菜价合适。\n")
    assert m.agenda.item_no.tolist() == [expected_no]
    assert m.agenda.title.tolist() == ["社区食堂"]
    assert m.turns.item_no.tolist() == [expected_no]


def test_decimal_number_is_not_an_agenda_item():
    m = parse_minutes("一、经费\n1.5万元用于购买座椅。\n二、绿化\n")
    assert m.agenda.title.tolist() == ["经费", "绿化"]


def test_speaker_forms():
    m = parse_minutes(
        "主持人：赵敏\n"
        "一、议题\n"
        "主持人：请大家发言。\n"
        "居民代表李秀英说：同意。\n"
        "周涛（物业）：可以。\n"
        "张强表示，没有意见。\n"
        "大家一致认为，方案可行。\n"
    )
    assert m.turns[["speaker", "role"]].values.tolist() == [
        ["赵敏", "主持人"], ["李秀英", "居民代表"], ["周涛", "物业"], ["张强", None]
    ]


def test_empty_and_markerless_text():
    m = parse_minutes("")
    assert m.agenda.empty and m.turns.empty and m.header_spans == []
    m = parse_minutes("大家讨论了停车问题，意见不一。")
    assert m.agenda.item_no.tolist() == [1]
    assert m.agenda.title.tolist() == [None]


def test_reads_a_path(tmp_path):
    path = tmp_path / "m.txt"
    path.write_bytes("主持人：王丽\n一、停车\n张强：车太多。\n".encode("gb18030"))
    m = parse_minutes(path)
    assert m.chair == "王丽" and m.turns.speaker.tolist() == ["张强"]
    m2 = parse_minutes(str(path))
    assert m2.chair == "王丽"


def test_to_dict_tidy_summary_repr_are_deterministic():
    text = (FIXTURES / f"{CASES[0]}.txt").read_text(encoding="utf-8")
    a, b = parse_minutes(text), parse_minutes(text)
    assert a.to_dict() == b.to_dict()
    assert a.summary() == b.summary()
    assert a._repr_html_() == b._repr_html_()
    d = a.to_dict()
    assert json.dumps(d, default=str, ensure_ascii=False)
    tidy = a.tidy()
    assert list(tidy.columns) == ["item_no", "title", "text", "start", "end", "n_turns"]
    assert tidy.n_turns.sum() == len(a.turns)
    assert "<table>" in a._repr_html_()
