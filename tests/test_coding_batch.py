"""The batch matcher (coding/_batch.py) gives exactly what scanning unit by unit gives.

Reference: ``CompiledCodebook.scan`` called once per unit (the path ``themes()`` and
``explain()`` use). Every comparison is on whole row tuples, in order: the hits of a unit
in scan's order (code() writes them in that order) and the rejected rows in scan's order.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pandas as pd
import pytest

import civictools as ct
from civictools.coding import ThemeCoder, load_codebook
from civictools.coding._batch import scan_each, scan_many, scan_many_lists
from civictools.coding._matcher import CompiledCodebook, boundary_function
from civictools.errors import CivictoolsWarning
from civictools.text import Segmenter

# Every rule type of the format, with overlaps between themes on purpose.
RULES = """\
codebook: batchtest
match: token
negation:
  enabled: true
  cues: [未, 没有, 尚未]
  window: 3
exclude:
  - 书记说
  - between: {left: [书记, 主任, 党委书记], right: [说, "："], within: 4}
  - between: {left: ["（"], right: ["）"], within: 10, gap: any, contains: [主任]}
  - regex: "^[一-龥]{1,4}："
  - regex: "[^。]{0,3}尚未[^。]{0,2}开展"
themes:
  - id: party
    terms: [党委, 党员, 在职党员, {term: 党, match: prefix, weight: 0.5}, {regex: "党[委支]部?书记"}]
    exclude:
      - 党委书记
      - {terms: [党员], left: [非], window: 2}
      - {right: [会议室], window: 3}
  - id: party_youth
    parent: party
    terms: [团委, 共青团, {term: 团, match: suffix, weight: 0.5}, {regex: "青年[一二三]队"}]
  - id: service
    terms: [{term: 社工站, match: suffix}, {term: 服务, match: affix}, {term: 站, match: substring}, 社工]
    proximity:
      - {a: [排查], b: [矛盾, 纠纷], within: 6, unit: chars}
      - {a: [走访], b: [老人], within: 2, unit: tokens}
    min_hits: 1.5
  - id: care
    negation: {enabled: false}
    terms: [养老, 老人, {term: 老, match: prefix, weight: 0.25}, {regex: "[六七八]十岁以上"},
            {regex: "[一二三]{0,2}户老人"}]
    exclude:
      - {regex: "养老(?:保险|金)"}
      - {left: [社会, 非], right: [保险], window: 2}
  - id: talk
    terms: [{term: 议事, weight: 2}, 协商, {term: 议, match: prefix, weight: 0.5}, 议事会, {regex: "协商(?=议事)"}]
    min_hits: 2
"""

FRAGMENTS = [
    "党委", "党员", "在职党员", "党", "党委书记", "党支部书记", "非", "会议室", "团委", "共青团", "青年团",
    "青年一队", "社工站", "街道社工站", "服务", "服务站", "站", "社工", "排查", "矛盾", "纠纷", "走访",
    "老人", "老年", "养老", "养老保险", "养老金", "社会", "保险", "六十岁以上", "七十岁", "议事", "议事会",
    "协商", "议", "一户", "三户", "二三", "未", "没有", "尚未", "说", "：", "（", "）", "主任", "书记", "、", "。", "，", "；", " ",
    "  ", "\n", "自治区", "今天", "居民", "我们", "开展", "王芳", "2024", "abc", "\x00",
    "乡镇（街道）社工站", "\r\n", "\u3000", "\U0002000b", "·", "3.5万", "A股", "-", "（",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", "党委"]
    for _ in range(n):
        k = rng.randint(0, 18)
        out.append("".join(rng.choice(FRAGMENTS) for _ in range(k)))
    return out


def _masks(texts: list[str], seed: int) -> list:
    rng = random.Random(seed)
    out = []
    for t in texts:
        if t and rng.random() < 0.2:
            a = rng.randrange(len(t))
            out.append([(a, min(len(t), a + rng.randint(1, 6)))])
        else:
            out.append(None)
    return out


@pytest.fixture(scope="module")
def seg():
    return Segmenter(engine="rjieba")


@pytest.fixture(scope="module")
def rules_cb(tmp_path_factory):
    p = tmp_path_factory.mktemp("cb") / "rules.yml"
    p.write_text(RULES, encoding="utf-8")
    return load_codebook(p)


def _reference(cc, texts, masks, bounds):
    return [cc.scan(t, None, m or None, bounds) for t, m in zip(texts, masks)]


def _assert_same(got, ref, texts):
    assert len(got) == len(ref)
    for i, (g, r) in enumerate(zip(got, ref)):
        assert g[0] == r[0], f"hits differ on unit {i}: {texts[i]!r}"
        assert g[1] == r[1], f"rejected rows differ on unit {i}: {texts[i]!r}"


@pytest.mark.parametrize("match", ["token", "substring"])
@pytest.mark.parametrize("with_bounds", [True, False])
def test_every_rule_type_matches_scan(rules_cb, seg, match, with_bounds):
    cc = CompiledCodebook(rules_cb, match)
    texts = _texts(600, seed=5)
    masks = _masks(texts, seed=6)
    bounds = boundary_function(seg) if with_bounds else None
    ref = _reference(cc, texts, masks, bounds)
    _assert_same(scan_many_lists(cc, texts, masks, seg, bounds), ref, texts)
    # the synthetic texts reach every outcome, so the comparison covers every rule
    reasons = {r[2] for _, rej in ref for r in rej}
    assert {"trap", "context", "negation", "proximity", "nested", "min_hits", "header"} <= reasons
    assert ("boundary" in reasons) == (match == "token" and with_bounds)
    rules = {h[2] for hits, _ in ref for h in hits}
    assert {"substring", "proximity"} <= rules and any(r.startswith("child:") for r in rules)
    if match == "token" and with_bounds:
        assert {"token", "prefix", "suffix", "affix"} <= rules


def test_fast_path_handles_most_units(rules_cb, seg):
    # only units with a term of a proximity rule (or the separator) go to scan whole
    cc = CompiledCodebook(rules_cb, "token")
    texts = _texts(300, seed=11)
    out = scan_many(cc, texts, None, seg, boundary_function(seg))
    expected = sum(1 for t in texts if "\x00" in t or any(x in t for x in ("排查", "走访")))
    assert out["n_fallback"] == expected
    assert 0 < expected < len(texts) / 2


def test_separator_and_empty_texts(rules_cb, seg):
    cc = CompiledCodebook(rules_cb, "token")
    texts = ["", "党委\x00党员", "\x00", "社工站开展服务", "", "在职党员\x00"]
    bounds = boundary_function(seg)
    _assert_same(scan_many_lists(cc, texts, None, seg, bounds), _reference(cc, texts, [None] * 6, bounds), texts)
    assert scan_many(cc, [], None, seg, bounds)["hits"]["unit"].size == 0


def test_tokenize_only_segmenter_and_jieba_engine(rules_cb):
    cc = CompiledCodebook(rules_cb, "token")
    texts = _texts(200, seed=21)
    for s in (Chars(), Segmenter(engine="jieba")):
        bounds = boundary_function(s)
        _assert_same(scan_many_lists(cc, texts, None, s, bounds), _reference(cc, texts, [None] * len(texts), bounds),
                     texts)


def test_regex_without_literal_runs_everywhere(seg, tmp_path):
    # a regex with no required literal runs on every unit: those codebooks go through scan
    for extra in ('terms: [居民, {regex: "[0-9]{3}"}]', 'terms: [居民]\n    exclude: [{regex: "[0-9]{2}"}]'):
        p = tmp_path / "rx.yml"
        p.write_text(f"codebook: rx\nthemes:\n  - id: a\n    {extra}\n", encoding="utf-8")
        with pytest.warns(CivictoolsWarning, match="no literal that every match must contain"):
            cc = CompiledCodebook(load_codebook(p), "token")
        texts = ["居民123", "2024年居民", "居民", "", "abc"]
        bounds = boundary_function(seg)
        _assert_same(scan_many_lists(cc, texts, None, seg, bounds), _reference(cc, texts, [None] * 5, bounds),
                     texts)


def test_scan_each_is_the_reference(rules_cb, seg):
    cc = CompiledCodebook(rules_cb, "token")
    texts = _texts(50, seed=3)
    bounds = boundary_function(seg)
    ref = _reference(cc, texts, [None] * len(texts), bounds)
    out = scan_each(cc, texts, None, bounds)
    hits = [tuple(r) for r in zip(*(out["hits"][c].tolist() for c in out["hits"]))]
    assert hits == [(u,) + h for u, (hs, _) in enumerate(ref) for h in hs]


# -- the demo corpus, through ThemeCoder.code ---------------------------------------------
@pytest.fixture(scope="module")
def demo():
    return ct.load_demo_corpus()


@pytest.mark.parametrize("match", ["token", "substring"])
@pytest.mark.parametrize("unit", ["sentence", "paragraph", "agenda_item", "document"])
def test_code_batch_equals_unit_by_unit_on_demo(demo, seg, unit, match):
    coder = ThemeCoder(segmenter=seg, match=match)
    fast = coder.code(demo, unit=unit, progress=False)
    coder._batch = False
    slow = coder.code(demo, unit=unit, progress=False)
    assert len(fast.hits) > 100
    for name in ("units", "hits", "rejected"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))


def test_hierarchical_codebook_on_demo(demo, seg):
    # policy_instruments rolls child themes up to their parents in most coded units
    coder = ThemeCoder("policy_instruments", segmenter=seg)
    fast = coder.code(demo, unit="paragraph", progress=False)
    coder._batch = False
    slow = coder.code(demo, unit="paragraph", progress=False)
    assert fast.hits["rule"].str.startswith("child:").sum() > 50
    for name in ("hits", "rejected"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))


def test_code_columns_and_dtypes_as_pandas_infers_them(demo, seg, rules_cb):
    # string columns are built in Arrow when pandas keeps strings there: same dtype and values
    # as a DataFrame from row tuples; integer document ids stay integers
    docs = demo.head(30).assign(doc_id=range(100, 130))
    coder = ThemeCoder(rules_cb, segmenter=seg)
    fast = coder.code(docs, unit="sentence", progress=False)
    coder._batch = False
    slow = coder.code(docs, unit="sentence", progress=False)
    for name in ("units", "hits", "rejected"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))
    rows = pd.DataFrame(list(fast.hits.itertuples(index=False, name=None)), columns=fast.hits.columns)
    pd.testing.assert_frame_equal(fast.hits, rows)
    assert fast.hits["doc_id"].dtype == np.int64 and len(fast.hits) > 20
    empty = ThemeCoder(rules_cb, segmenter=seg).code(["今天天气很好。"], progress=False)
    assert empty.hits.empty and list(empty.hits.columns)[:3] == ["doc_id", "unit_id", "theme"]


def test_demo_units_with_the_jieba_engine(demo):
    seg = Segmenter(engine="jieba")
    coder = ThemeCoder(segmenter=seg)
    docs = demo.iloc[::4]
    fast = coder.code(docs, unit="paragraph", progress=False)
    coder._batch = False
    slow = coder.code(docs, unit="paragraph", progress=False)
    for name in ("hits", "rejected"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))


def test_progress_bar_counts_every_document(monkeypatch, demo, seg, rules_cb):
    import civictools.coding.coder as coder_mod

    seen = []

    class Bar:
        def update(self, n):
            seen.append(n)

        def close(self):
            pass

    monkeypatch.setattr(coder_mod, "_progress", lambda total, progress: Bar())
    monkeypatch.setattr(coder_mod, "_CHUNK_CHARS", 20_000)
    ThemeCoder(rules_cb, segmenter=seg).code(demo, unit="paragraph")
    assert sum(seen) == len(demo) and len(seen) > 3


def test_sorted_rows_equal_for_whole_demo_scan(demo, seg):
    # sentence units straight through scan_many vs scan: sorted row tuples and per-unit order
    from civictools.text import sentence_spans

    cc = CompiledCodebook(load_codebook("default"), "token")
    texts = [t[s:e] for t in demo["text"].iloc[::3] for s, e in sentence_spans(t)]
    bounds = boundary_function(seg)
    ref = _reference(cc, texts, [None] * len(texts), bounds)
    got = scan_many_lists(cc, texts, None, seg, bounds)
    flat = lambda res, j: sorted((i,) + r for i, x in enumerate(res) for r in x[j])  # noqa: E731
    assert flat(got, 0) == flat(ref, 0) and flat(got, 1) == flat(ref, 1)
    _assert_same(got, ref, texts)
    assert np.mean([len(h) > 0 for h, _ in ref]) > 0.2


# -- the helpers behind the speed-ups, each against its simple form -----------------------
def test_white_space_regex_is_str_isspace():
    # _batch._joined_marks finds white space with \s and relies on it being str.isspace
    import re
    import sys

    rx = re.compile(r"\s")
    assert all((rx.match(chr(c)) is not None) == chr(c).isspace() for c in range(sys.maxunicode + 1))


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_cut_of_joined_units_is_the_units_cuts(demo, engine):
    # _matcher._joinable: one cut of the units joined by the separator gives every unit's
    # words, the separator a word between them
    from civictools.coding._matcher import _joinable
    from civictools.text import paragraph_spans

    s = Segmenter(engine=engine)
    joinable = _joinable(s)
    assert joinable("\x00") and not joinable(" ") and not joinable("a") and not joinable("社")
    texts = [t[a:b] for t in demo["text"].iloc[::2] for a, b in paragraph_spans(t)]
    texts += [t.replace("\x00", "") for t in _texts(300, seed=8)] + ["乡镇（街道）社工站", "社工站 ", " 2024abc"]
    joined = s.cut("\x00".join(texts))
    each = [w for i, t in enumerate(texts) for w in (["\x00"] if i else []) + s.cut(t)]
    assert joined == each
    # a separator inside a protected word would let a match run across units
    assert not joinable("（") and _joinable(Chars()) is None


class Chars:  # a segmenter with tokenize only: every character a token, except 党委
    def tokenize(self, text):
        out, i = [], 0
        while i < len(text):
            n = 2 if text.startswith("党委", i) else 1
            out.append((text[i:i + n], i, i + n))
            i += n
        return out


def test_joined_marks_equal_unit_boundaries(seg):
    # every boundary _bounds_from_words gives a unit, and no other position, white space
    # (left out by cut) included
    from civictools.coding._batch import _joined_marks

    bounds = boundary_function(seg)
    texts = _texts(400, seed=9) + [" 社区  网格员\t入户 ", "\u3000党委\u3000", "  ", "abc def"]
    texts = [t for t in texts if "\x00" not in t]
    units = np.array([i for i, t in enumerate(texts) if t and i % 3], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum([len(t) + 1 for t in texts])[:-1]]).astype(np.int64)
    n = int(starts[-1]) + len(texts[-1])
    marks = np.zeros(n + 1, dtype=bool)
    assert _joined_marks(texts, units, starts, marks, seg.cut, "\x00")
    want = np.zeros(n + 1, dtype=bool)
    for u in units.tolist():
        want[[starts[u] + b for b in bounds(texts[u])]] = True
    assert np.array_equal(marks, want)
    # words that do not spell the text: refused, marks untouched
    bad = np.zeros(n + 1, dtype=bool)
    assert not _joined_marks(texts, units, starts, bad, lambda t: [t.upper()], "\x00") and not bad.any()


@pytest.mark.parametrize("pattern", [
    "[^。；\n]{0,100}(?:手机号?|电话|微信)[：:\\s]?(?:1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8})[^。\n]{0,20}",
    "[^。；：\n]{0,50}等(?:方面的)?(?:问题|需求|矛盾)(?:比较|较为)?突出",
    "[0-9]{1,3}[^。]{0,5}(?:党委|党员)",
    "(?:党委|党员)+[^。]{0,3}",
])
def test_regex_prefilter_changes_no_result(pattern, monkeypatch):
    # _regex_spans skips windows where the regex without its leading repeats finds
    # nothing; the spans equal a plain finditer over the whole text and the windowed search
    # without the prefilter
    import civictools.coding._matcher as m

    rx = m.check_regex(pattern)
    rng = random.Random(13)
    frags = FRAGMENTS + ["电话", "手机号", "微信：", "13900001234", "0571-88886666", "等", "方面的", "问题",
                         "需求", "突出", "较为", "12"]
    texts = ["".join(rng.choice(frags) for _ in range(rng.randint(0, 40))) for _ in range(800)]
    texts += ["联系人王芳电话13900001234。", "居民反映停车难等问题较为突出；"]
    shell = CompiledCodebook.__new__(CompiledCodebook)  # only to register the regex as compile does
    shell._n_req, shell._add = 0, lambda key, entry: None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rid, width = shell._register_required(pattern)
    # compiling warns exactly when no literal could be derived
    assert (rid == -1) == any("no literal" in str(w.message) for w in caught)
    lits = m.required_literals(pattern)

    def spans(text, use_pre):
        req = {rid: sorted(i for x in lits for i in _find_all(text, x))} if rid >= 0 else {}
        if not use_pre:
            monkeypatch.setitem(m._PREFILTERS, rx, None)
        else:
            m._PREFILTERS.pop(rx, None)
        return list(m._regex_spans(rx, text, rid, width, req))

    n_found = 0
    for t in texts:
        full = [(x.start(), x.end()) for x in rx.finditer(t) if x.end() > x.start()]
        assert spans(t, True) == spans(t, False) == full, t
        n_found += bool(full)
    m._PREFILTERS.pop(rx, None)
    assert n_found >= 1 and (m._prefilter(rx) is None) == pattern.startswith("(")  # nothing but repeats


def _find_all(text, x):
    i = text.find(x)
    while i >= 0:
        yield i
        i = text.find(x, i + 1)


def test_unit_metadata_equals_a_merge_on_doc_id(demo):
    # coder._with_meta takes each unit's document row; a many-to-one merge on doc_id is
    # the simple form (and the path for column names that collide)
    from civictools.coding.coder import _with_meta

    rng = np.random.default_rng(4)
    base = demo.head(40).reset_index(drop=True)
    frames = [
        ("doc_id", base),
        ("doc_id", base.assign(doc_id=range(500, 540), n=rng.integers(0, 9, 40),
                               cat=pd.Categorical(rng.choice(["甲", "乙"], 40)),
                               day=pd.date_range("2024-01-01", periods=40), x=np.where(rng.random(40) < .3, np.nan, 1.0))
         .iloc[::2]),  # a gap in the index, as after dropping empty documents
        ("id", base.rename(columns={"doc_id": "id"}).assign(id=lambda d: d["id"].astype(object))),
        ("id", base.rename(columns={"doc_id": "id"}).assign(start=1)),  # a name collision: merged
    ]
    for id_col, docs in frames:
        upos = sorted(rng.integers(0, len(docs), 120).tolist())
        ids = docs[id_col].tolist()
        units = pd.DataFrame({"unit_id": [f"{ids[i]}#p{k}" for k, i in enumerate(upos)], "doc_id": [ids[i] for i in upos],
                              "unit_no": range(len(upos)), "text": ["文"] * len(upos), "start": 0, "end": 1})
        meta_cols = [c for c in docs.columns if c != "text"]
        got = _with_meta(units, docs, meta_cols, id_col, upos)
        meta = docs[meta_cols].drop_duplicates(subset=[id_col]).rename(columns={id_col: "doc_id"})
        pd.testing.assert_frame_equal(got, units.merge(meta, on="doc_id", how="left", validate="many_to_one"))


def test_between_traps_are_sought_only_where_a_pair_passes(rules_cb, seg):
    # _batch._between_units hands _between_spans only the units with a left/right pair that
    # passes the rule's tests: every unit where scan finds such a trap, and fewer than scan asks
    cc = CompiledCodebook(rules_cb, "token")
    texts = [t for t in _texts(800, seed=17) if "\x00" not in t and "排查" not in t and "走访" not in t]
    bounds = boundary_function(seg)
    orig = cc._between_spans
    calls: list[tuple[str, bool]] = []

    def spy(text, found):
        out = orig(text, found)
        calls.append((text, bool(out)))
        return out

    cc._between_spans = spy
    ref = _reference(cc, texts, [None] * len(texts), bounds)
    scan_calls, scan_found = len(calls), {t for t, f in calls if f}
    calls.clear()
    _assert_same(scan_many_lists(cc, texts, None, seg, bounds), ref, texts)
    asked = {t for t, _ in calls}
    assert scan_found and scan_found <= asked and len(calls) < scan_calls / 2


def test_run_marks_equal_unit_boundaries(demo, seg):
    # _batch._run_marks segments only the runs around the asked positions: at every position
    # of every unit it gives the boundaries _bounds_from_words gives the whole unit
    from civictools.coding._batch import _run_marks
    from civictools.text import paragraph_spans

    bounds = boundary_function(seg)
    assert bounds.runs is not None and boundary_function(Segmenter(engine="jieba")).__dict__.get("runs") is None
    texts = [t for t in _texts(500, seed=23) if "\x00" not in t]
    texts += [t[a:b] for t in demo["text"].iloc[::7] for a, b in paragraph_spans(t)]
    starts = np.concatenate([[0], np.cumsum([len(t) + 1 for t in texts])[:-1]]).astype(np.int64)
    tlen = np.array([len(t) for t in texts], dtype=np.int64)
    joined = "\x00".join(texts)
    units = np.array([i for i, t in enumerate(texts) if t and i % 4], dtype=np.int64)
    pos = np.concatenate([np.arange(starts[u], starts[u] + tlen[u] + 1) for u in units.tolist()])
    marks = _run_marks(texts, units, starts, tlen, joined, pos, pos[:0], bounds, "\x00")
    want = np.zeros(len(joined) + 1, dtype=bool)
    for u in units.tolist():
        want[[starts[u] + b for b in bounds(texts[u])]] = True
    assert marks is not None and np.array_equal(marks[pos], want[pos])
    assert any("乡镇（街道）社工站" in texts[u] for u in units.tolist())  # a protected word: cut whole


def test_regex_without_required_literal_warns():
    """A regex whose only literal sits in a look-ahead cannot be prefiltered: coding falls
    back to the unit-by-unit path (the default codebook once ran 2.3x slower for this), so
    compiling it warns and names the regex."""
    base = {"codebook": "mini", "themes": [{"id": "a", "terms": ["团队"]}]}
    slow = {**base, "exclude": [{"regex": "[^。，]{1,10}(?=等[一二三]支)"}]}
    fast = {**base, "exclude": [{"regex": "[^。，]{1,10}等(?=[一二三]支)"}]}
    with pytest.warns(CivictoolsWarning, match=r"\(\?=等.*no literal that every match must contain"):
        ThemeCoder(load_codebook(slow))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CivictoolsWarning)
        coder = ThemeCoder(load_codebook(fast))
        ThemeCoder()  # the shipped codebook has no such regex
    # the trap ends before the count, so the group noun after it still codes
    assert coder.themes("书法社、舞蹈队等三支团队") == {"a"}


TITLE_TEXTS = ["社工站提出三条建议", "社工小李说要办好社工站", "书记员说社工站的事", "社工站站长说社工很忙",
               "社工室负责人介绍", "主任科员表示社工站", "社工：社工站开放", "社工站里的社工说"]


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_between_title_must_end_a_token(engine):
    """A between trap's left literal is a title only where a token ends with it: 社工 in
    社工站 is none (the shipped codebook trapped "社工站提出……" for every theme before); the
    batch path asks the boundary at its end with the candidates' and agrees with scan."""
    cb = load_codebook({
        "codebook": "titles", "match": "token",
        "exclude": [{"between": {"left": ["社工", "书记", "站长", "主任", "负责人", "社工站站长", "社工室负责人"],
                                 "right": ["说", "提出", "表示", "介绍", "："], "within": 4}}],
        "themes": [{"id": "sw", "terms": ["社工站", "社工", "社工室"]}]})
    seg = Segmenter(engine=engine)
    bounds = boundary_function(seg)
    token, substring = CompiledCodebook(cb, "token"), CompiledCodebook(cb, "substring")

    def trapped(cc, text, b):
        return sorted(text[s:e] for _, _, reason, s, e in cc.scan(text, None, None, b)[1] if reason == "trap")

    want = {  # the terms a title trap cancels: (token mode, substring mode)
        "社工站提出三条建议": ([], ["社工", "社工站"]),
        "社工小李说要办好社工站": (["社工"], ["社工"]),
        "书记员说社工站的事": ([], []),
        # a compound title is a literal of its own, as in the shipped codebook
        "社工站站长说社工很忙": (["社工站"], ["社工", "社工站"]),
        "社工室负责人介绍": (["社工室"], ["社工", "社工室"]),
        "社工：社工站开放": (["社工"], ["社工"]),
    }
    for text, (tok, sub) in want.items():
        assert trapped(token, text, bounds) == tok, text
        assert trapped(substring, text, None) == sub, text
    # 主任科员 and 书记员 are words: their 主任 and 书记 end no token
    assert trapped(CompiledCodebook(cb, "token"), "主任科员表示社工站", bounds) == []
    for cc, b in ((token, bounds), (token, None), (substring, None)):
        texts = TITLE_TEXTS + [t for t in _texts(300, seed=29) if "\x00" not in t]
        _assert_same(scan_many_lists(cc, texts, None, seg, b), _reference(cc, texts, [None] * len(texts), b), texts)
    assert ThemeCoder(cb, segmenter=seg).themes("社工站提出三条建议") == {"sw"}
