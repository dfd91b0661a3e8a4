"""parse_news against hand-written expected parses of our own snapshot layouts.

Each ``tests/fixtures/corpus/news/<name>.(txt|html)`` has a ``.json`` beside it
written by hand from reading the snapshot (not produced by the parser).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from civictools.corpus import NewsArticle, parse_news

FIXTURES = Path(__file__).parent / "fixtures" / "corpus" / "news"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))


def load(name: str) -> tuple[dict, NewsArticle]:
    path = FIXTURES / name
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return expected, parse_news(path)


def when(value):
    return datetime.fromisoformat(value) if value else None


def test_at_least_eight_layouts():
    assert len(CASES) >= 8


@pytest.mark.parametrize("name", CASES)
def test_title_and_metadata(name):
    exp, a = load(name)
    assert a.title == exp["title"]
    assert a.published == when(exp["published"])
    assert a.category == exp["category"]
    assert a.source == exp["source"]
    assert a.reposted_from == exp["reposted_from"]


@pytest.mark.parametrize("name", CASES)
def test_people(name):
    exp, a = load(name)
    assert a.reporters == exp["reporters"]
    assert a.correspondents == exp["correspondents"]
    assert a.editors == exp["editors"]


@pytest.mark.parametrize("name", CASES)
def test_body(name):
    exp, a = load(name)
    assert a.paragraphs == exp["paragraphs"]
    assert a.body == "\n".join(exp["paragraphs"])


@pytest.mark.parametrize("name", CASES)
def test_related(name):
    exp, a = load(name)
    got = [[r["text"], r["timestamp"], r["snippet"]] for r in a.related]
    assert got == [[t, when(ts), s] for t, ts, s in exp["related"]]


@pytest.mark.parametrize("name", CASES)
def test_boilerplate_and_nothing_lost(name):
    exp, a = load(name)
    assert a.boilerplate == exp["boilerplate"]
    # Every non-empty line ends up in exactly one place.
    kept = [a.title, *a.paragraphs, *a.boilerplate]
    for r in a.related:
        kept.append(r["text"])
    lines = [ln.strip(" \t\u3000\u00a0") for ln in a.text.split("\n")]
    lines = [ln for ln in lines if ln]
    assert len(lines) == len(a.paragraphs) + len(a.boilerplate) + 1 + 2 * len(a.related)


def test_text_and_path_and_html_string_agree():
    path = FIXTURES / "n06_html_page.html"
    from_path = parse_news(path)
    from_str = parse_news(path.read_text(encoding="utf-8"))
    assert from_path.to_dict() == from_str.to_dict()


@pytest.mark.parametrize("colon", [":", "："])
def test_half_and_full_width_metadata(colon):
    a = parse_news(f"标题\n发布时间{colon}2023-02-23 12:37:00 来源{colon}青禾网\n正文。")
    assert a.published == datetime(2023, 2, 23, 12, 37)
    assert a.source == "青禾网"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("本文转自：青禾发布", "青禾发布"),
        ("转自青禾发布微信公众号", "青禾发布微信公众号"),
        ("转载自：青禾区融媒体中心", "青禾区融媒体中心"),
        ("（本文转自：青禾发布）", "青禾发布"),
    ],
)
def test_reposting_forms(line, expected):
    a = parse_news(f"标题\n发布日期：2023年2月23日\n{line}\n正文第一段。\n")
    assert a.reposted_from == expected
    assert a.paragraphs == ["正文第一段。"]


def test_names_containing_wen_are_not_split():
    a = parse_news("标题\n正文。\n（记者 李文华 通讯员 周文）\n")
    assert a.reporters == ["李文华"] and a.correspondents == ["周文"]


def test_empty_text():
    a = parse_news("")
    assert a.title is None and a.paragraphs == [] and a.related == []


def test_dict_tidy_summary_repr():
    _exp, a = load(CASES[0])
    d = a.to_dict()
    assert set(d) >= {"title", "published", "category", "source", "reposted_from", "reporters",
                      "correspondents", "editors", "paragraphs", "body", "related", "boilerplate"}
    assert json.dumps(d, default=str, ensure_ascii=False)
    assert a.tidy().shape[0] == 1
    assert a.summary() == load(CASES[0])[1].summary()
    assert "<h4>" in a._repr_html_()
