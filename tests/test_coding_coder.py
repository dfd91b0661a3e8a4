"""ThemeCoder and CodedCorpus: one tiny trap text per pitfall, offsets, measures, views."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from civictools.coding import ThemeCoder, load_codebook
from civictools.coding._matcher import CompiledCodebook
from civictools.errors import CodebookError, DataDroppedWarning

MINI = {
    "codebook": "mini",
    "themes": [
        {"id": "selfgov", "terms": ["自治"]},
        {"id": "owners", "terms": ["业委会"], "negation": {"enabled": True, "cues": ["尚未", "没有"], "window": 2}},
        {"id": "kids", "terms": [{"term": "孩子", "weight": 0.5}, {"term": "家长", "weight": 0.5}, "儿童"],
         "exclude": [{"terms": ["儿童"], "right": ["节"], "window": 1}]},
        {"id": "dispute", "terms": ["调解"], "proximity": [{"a": ["排查"], "b": ["纠纷"], "within": 5}]},
        {"id": "prop", "terms": [{"term": "物业", "match": "prefix"}]},
        {"id": "agenda", "terms": [{"regex": "议题[一二三]"}]},
    ],
}


@pytest.fixture(scope="module")
def coder():
    return ThemeCoder()


@pytest.fixture(scope="module")
def mini():
    return ThemeCoder(MINI)


def test_token_mode_rejects_substrings_and_substring_mode_keeps_them(mini):
    assert mini.themes("青禾自治区") == set()
    assert mini.themes("实行自治") == {"selfgov"}
    sub = ThemeCoder(MINI, match="substring")
    assert sub.themes("青禾自治区") == {"selfgov"}
    assert mini.explain("自治区")["status"].tolist() == ["boundary"]


def test_match_mode_is_recorded_on_results(mini):
    cc = mini.code(["实行自治"], unit="document", progress=False)
    assert cc.match == "token" and "token" in cc.summary().as_text()
    assert set(cc.hits["rule"]) == {"token"}
    cc2 = ThemeCoder(MINI, match="substring").code(["实行自治"], unit="document", progress=False)
    assert cc2.match == "substring" and set(cc2.hits["rule"]) == {"substring"}


def test_negation_context_weights_prefix_regex_proximity(mini):
    assert mini.themes("小区尚未成立业委会") == set()
    assert mini.themes("小区成立业委会") == {"owners"}
    assert mini.themes("没有，业委会已经成立") == {"owners"}  # punctuation ends the cue's scope
    assert mini.themes("儿童节那天下雨") == set()
    assert mini.themes("孩子们放学了") == set()  # one weak term (0.5) is below min_hits 1
    assert mini.themes("孩子和家长一起") == {"kids"}
    assert mini.themes("物业费上涨") == {"prop"}  # prefix: 物业费 is one token
    assert mini.themes("议题二：停车") == {"agenda"}
    assert mini.themes("排查纠纷") == {"dispute"}
    assert mini.themes("排查安全隐患，二十个字以后才说到纠纷") == set()
    ex = mini.explain("排查安全隐患")
    assert ex["status"].tolist() == ["proximity"]


def test_default_codebook_traps(coder):
    assert "party_leadership" not in coder.themes("纺机社区党委书记蒋秀芬说，今年要把停车问题解决好。")
    assert "party_leadership" in coder.themes("社区党委组织在职党员到社区报到，认领服务岗位。")
    assert coder.themes("青禾区位于自治区东部，营商环境良好。") == set()
    assert "elderly_care" not in coder.themes("他咨询了养老保险待遇。")
    assert "elderly_care" in coder.themes("独居老人需要有人上门探访。")
    assert "multi_actor_linkage" not in coder.themes("疫情期间实行联防联控。")
    assert "petition_response" not in coder.themes("施工单位进场施工。")
    assert "community_deliberation" not in coder.themes("议题一：加装电梯意向摸底")
    assert "community_deliberation" not in coder.themes("区政协委员到社区调研。")
    assert "neighborhood_mutual_aid" not in coder.themes("两个小区位置邻近。")
    assert coder.themes("方便面和随便") == set()


def test_default_codebook_codes_plain_examples(coder):
    cb = load_codebook("default")
    for t in cb.themes.values():
        for ex in t.examples:
            assert t.id in coder.themes(ex), (t.id, ex)


def test_hit_offsets_point_at_terms_in_unit_and_document(coder):
    text = "第一段：网格员入户。\n\n第二段：社区开展义诊，\r\n为老年人量血压。"
    cc = coder.code(pd.DataFrame({"doc_id": ["d1"], "text": [text]}), unit="paragraph", progress=False)
    units = cc.units.set_index("unit_id")
    assert len(cc.hits) >= 3
    for h in cc.hits.itertuples():
        assert units.at[h.unit_id, "text"][h.start:h.end] == h.term
        assert text[h.doc_start:h.doc_end] == h.term
    for u in cc.units.itertuples():
        assert text[u.start:u.end] == u.text


MINUTES = """\
青石巷社区居民议事会会议记录

时间：2023年5月10日 下午3:00
地点：青石巷社区党群服务中心
主持人：钱小梅（社区党委书记）
参会人员：居民代表6人、网格员2人、物业公司代表1人

议题一：楼道堆物清理
网格员：三栋楼道堆了很多杂物，有消防隐患。
居民代表：先劝导，清不掉的由物业统一清运。

议题二：老年食堂就餐补贴
社工：七十岁以上老人就餐打八折，资金来自社区基金。
"""


def test_minutes_header_is_not_coded_and_agenda_items_are_units(coder):
    docs = pd.DataFrame({"doc_id": ["m1", "n1"], "kind": ["minutes", "news"],
                         "text": [MINUTES, "社区开展义诊。\n\n居民排队量血压。"]})
    cc = coder.code(docs, unit="agenda_item", progress=False)
    m_units = cc.units[cc.units["doc_id"] == "m1"]
    assert [t.splitlines()[0] for t in m_units["text"]] == ["议题一：楼道堆物清理", "议题二：老年食堂就餐补贴"]
    assert cc.n_fallback_docs == 1 and any("paragraph" in n for n in cc.notes)
    assert (cc.units[cc.units["doc_id"] == "n1"]["unit_id"].str.contains("#a")).all()
    by_para = coder.code(docs, unit="paragraph", progress=False)
    from civictools.corpus import parse_minutes

    header = parse_minutes(MINUTES).header_spans
    assert len(header) == 4

    def outside(hits):
        return all(not (s < he and hs < e) for s, e in zip(hits["doc_start"], hits["doc_end"]) for hs, he in header)

    assert outside(by_para.hits[by_para.hits["doc_id"] == "m1"])
    assert by_para.n_header_units == 4
    assert not by_para.units["text"].str.startswith(("时间", "地点", "主持人", "参会人员")).any()
    doc_level = coder.code(docs, unit="document", progress=False)
    assert outside(doc_level.hits[doc_level.hits["doc_id"] == "m1"])
    assert "header" in set(doc_level.rejected["reason"])


def test_unit_sentence_and_document(coder):
    docs = ["网格员分工入户巡查。社区开展义诊！", "议事会协商停车问题"]
    s = coder.code(docs, unit="sentence", progress=False)
    assert s.units["unit_id"].tolist() == ["doc1#s1", "doc1#s2", "doc2#s1"]
    d = coder.code(docs, unit="document", progress=False)
    assert d.matrix().loc["doc1#d1", ["grid_coordination", "convenience_services"]].tolist() == [1, 1]


def test_bad_input_errors_and_dropped_docs(coder):
    with pytest.raises(CodebookError, match="unit must be"):
        coder.code(["x"], unit="page")
    with pytest.raises(CodebookError, match="no 'text' column"):
        coder.code(pd.DataFrame({"body": ["x"]}))
    with pytest.raises(CodebookError, match="duplicate document id"):
        coder.code(pd.DataFrame({"doc_id": [1, 1], "text": ["a", "b"]}))
    with pytest.raises(CodebookError, match="match must be"):
        ThemeCoder(match="fuzzy")
    with pytest.warns(DataDroppedWarning, match="1 document"):
        cc = coder.code(pd.DataFrame({"doc_id": ["a", "b"], "text": ["社区义诊", None]}), progress=False)
    assert cc.n_dropped_docs == 1 and cc.n_docs == 2


def test_windowed_regex_prefilter_equals_full_scan():
    """The required-literal windows must not change any result (checked on the demo-like texts)."""
    cb = load_codebook("default")
    fast = CompiledCodebook(cb, "substring")
    slow = CompiledCodebook(cb, "substring")
    slow.regex_trap = [(ti, rx, -1, -1) for ti, rx, _, _ in slow.regex_trap]
    slow.regex_inc = [(ti, p, rx, w, -1, -1) for ti, p, rx, w, _, _ in slow.regex_inc]
    texts = [MINUTES, "第四批挂牌，两年间社工室陆续建成；尚未设立社工室的由街道社工站驻点服务。", "社区党委书记、居委会主任蒋秀芬介绍，在职党员到社工站报到。",
             "记者从区民政局获悉，网格员孙浩（社区网格员）说，议题三：停车"] * 2
    for t in texts:
        assert fast.scan(t) == slow.scan(t)


@pytest.fixture(scope="module")
def corpus(coder):
    docs = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(6)],
        "community": ["纺机社区", "纺机社区", "粮站社区", "粮站社区", "粮站社区", "纺机社区"],
        "date": ["2022-01-05", "2022-02-10", "2022-01-20", "2022-01-25", "2022-02-01", "2022-02-11"],
        "kind": "news",
        "text": ["网格员入户排查安全隐患。\n\n社区开展义诊，为老年人量血压。",
                 "志愿者为独居老人送餐上门。",
                 "业委会与物业协商停车问题。\n\n今天天气晴。",
                 "社工开展个案服务。",
                 "<script>alert(1)</script>志愿者清理楼道。",
                 "居民议事会表决通过加装电梯方案。"],
    })
    return coder.code(docs, unit="paragraph", progress=False)


def test_matrix_binary_and_counts(corpus):
    m = corpus.matrix()
    assert list(m.columns) == load_codebook("default").theme_ids
    assert m.index.tolist() == corpus.units["unit_id"].tolist()
    assert set(np.unique(m.to_numpy())) <= {0, 1}
    counts = corpus.matrix(binary=False)
    assert counts.to_numpy().sum() == len(corpus.hits)
    assert ((counts > 0).astype(int) == m).all().all()


def test_prevalence_matches_wilson_formula(corpus):
    prev = corpus.prevalence(by="community")
    row = prev[(prev["community"] == "纺机社区") & (prev["theme"] == "elderly_care")].iloc[0]
    k, n, z = row["n_coded"], row["n_units"], 1.959963984540054
    # Wilson (1927) score interval, written out independently of statsmodels
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert row["share"] == pytest.approx(p)
    assert row["ci_low"] == pytest.approx(centre - half, abs=1e-12)
    assert row["ci_high"] == pytest.approx(centre + half, abs=1e-12)
    overall = corpus.prevalence()
    assert (overall["n_units"] == len(corpus.units)).all()
    monthly = corpus.prevalence(by="community", period="M")
    assert set(monthly["period"].astype(str)) == {"2022-01", "2022-02"}
    with pytest.raises(CodebookError, match="no column 'street'"):
        corpus.prevalence(by="street")


def test_cooccurrence_measures_by_hand(corpus):
    m = corpus.matrix()
    a, b = "elderly_care", "convenience_services"
    n1, n2, n12 = m[a].sum(), m[b].sum(), (m[a] & m[b]).sum()
    cnt = corpus.cooccurrence("count")
    assert cnt.loc[a, b] == n12 and cnt.loc[a, a] == n1
    assert corpus.cooccurrence("jaccard").loc[a, b] == pytest.approx(n12 / (n1 + n2 - n12))
    h = corpus.matrix(binary=False)
    q1, q2 = h[a].sum(), h[b].sum()
    q12 = np.minimum(h[a], h[b]).sum()
    assert corpus.cooccurrence("c").loc[a, b] == pytest.approx(q12 / (q1 + q2 - q12))
    assert (corpus.cooccurrence("c").to_numpy() <= 1).all()
    with pytest.raises(CodebookError):
        corpus.cooccurrence("lift")


def test_kwic_examples_tidy(corpus):
    k = corpus.kwic("volunteering", window=4)
    assert len(k) == 2 and (k["keyword"] == k["term"]).all()
    ex1 = corpus.examples("volunteering", n=1, seed=3)
    assert ex1.equals(corpus.examples("volunteering", n=1, seed=3)) and len(ex1) == 1
    t = corpus.tidy()
    assert {"unit_id", "doc_id", "theme", "n_hits", "terms", "community"} <= set(t.columns)
    assert len(t) == int(corpus.matrix().to_numpy().sum())
    with pytest.raises(CodebookError, match="unknown theme"):
        corpus.kwic("weather")


def test_to_panel(corpus):
    p = corpus.to_panel(unit="community", period="M")
    assert list(p.columns[:4]) == ["community", "period", "n_docs", "n_units"]
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in p.columns if c != "community")
    r = p[(p["community"] == "纺机社区") & (p["period"].astype(str) == "2022-01")].iloc[0]
    assert r["n_units"] == 2 and r["theme_elderly_care_count"] == 1
    assert r["theme_elderly_care_share"] == pytest.approx(0.5)
    assert p["n_units"].sum() == len(corpus.units)


def test_html_is_escaped_and_has_legend(corpus):
    h = corpus._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert "<mark" in h and "志愿服务" in h and "volunteering" in h
    s = corpus.summary()
    assert "units" in s.as_text() and s.as_html().startswith("<div>")
    assert repr(corpus) == repr(corpus)  # no ids or dates


def test_plots_render(corpus):
    import matplotlib

    matplotlib.use("Agg")
    ax = corpus.plot_heatmap(by="community")
    assert len(ax.get_yticklabels()) == 22
    ax2 = corpus.plot_trend(["elderly_care", "volunteering"], period="M", rollout="2022-02-01")
    assert len(ax2.lines) == 3
    import matplotlib.pyplot as plt

    plt.close("all")


def test_progress_bar_is_quiet_for_small_corpora(coder, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coder.code(["社区义诊"], progress=True)
    assert capsys.readouterr().err == ""


def test_suffix_and_affix_modes_follow_compounds():
    from civictools.text import Segmenter

    seg = Segmenter()
    assert seg.cut("街道社工站") == ["街道社工站"]  # the lexicon keeps the compound whole
    def cb(mode):
        return {"codebook": "m", "themes": [{"id": "venue", "terms": [{"term": "社工站", "match": mode}]},
                                            {"id": "selfgov", "terms": [{"term": "自治", "match": mode}]}]}
    assert ThemeCoder(cb("token"), segmenter=seg).themes("街道社工站") == set()
    assert ThemeCoder(cb("suffix"), segmenter=seg).themes("街道社工站") == {"venue"}
    assert ThemeCoder(cb("prefix"), segmenter=seg).themes("街道社工站") == set()
    assert ThemeCoder(cb("affix"), segmenter=seg).themes("街道社工站") == {"venue"}
    assert ThemeCoder(cb("suffix"), segmenter=seg).themes("自治区") == set()
    assert ThemeCoder(cb("affix"), segmenter=seg).themes("自治区") == {"selfgov"}  # why affix needs traps


def test_attribution_spans_in_substring_mode():
    sub = ThemeCoder(match="substring")
    ex = sub.explain("社区党委书记、居委会主任蒋秀芬介绍，今年天气好")
    assert ex.set_index("term")["status"].to_dict() == {"社区党委": "trap", "居委会": "trap"}
    assert sub.explain("蒋秀芬（社区党委书记）：今年天气好").set_index("term")["status"].to_dict() == {"社区党委": "trap"}
    # too far from the speech verb: the title is content, not an attribution
    assert "party_leadership" in sub.themes("社区党委书记带领党员志愿者走访独居老人，回来后说情况不错")


def test_boundaries_from_cut_equal_tokenize_offsets():
    """Both fast boundary paths must give tokenize's offsets.

    The lazy path (``Segmenter.boundaries``, used by ThemeCoder) is checked at every
    position; the running-sums path over ``cut`` (used for other segmenters) as a set.
    """
    from types import SimpleNamespace

    from civictools.coding._matcher import _boundaries, boundary_function
    from civictools.text import Segmenter

    seg = Segmenter()
    lazy = Segmenter(engine="jieba").boundaries
    assert boundary_function(Segmenter(engine="jieba")).__name__ == "boundaries"
    by_cut = boundary_function(SimpleNamespace(tokenize=seg.tokenize, cut=seg.cut))
    texts = ["社区自治区内的居民自治", "网格员 入户  巡查\n安全隐患", " 首尾有空格 ", "", "ABC社工站12345热线",
             "乡镇（街道）社工站建设\r\n㐀社区"]
    for t in texts:
        toks = seg.tokenize(t)
        edges = {s for _, s, _ in toks} | {e for _, _, e in toks} | {0, len(t)}
        assert _boundaries(t, seg.tokenize) == edges
        b = lazy(t)
        assert [i for i in range(-1, len(t) + 2) if i in b] == sorted(edges)
        assert list(b) == sorted(edges)
        # white space runs may be split differently; offsets next to non-space text must agree
        got = by_cut(t)
        near_text = {i for i in edges if (i < len(t) and not t[i].isspace()) or (i > 0 and not t[i - 1].isspace())}
        assert near_text <= got
        assert {i for i in got if (i < len(t) and not t[i].isspace()) or (i > 0 and not t[i - 1].isspace())} <= edges


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_lazy_boundaries_exact_on_demo_corpus(engine):
    """Segmenting run by run gives exactly the whole-text boundaries, at every position."""
    from civictools.datasets import load_demo_corpus
    from civictools.text import Segmenter

    if engine == "rjieba":
        pytest.importorskip("rjieba")
    seg = Segmenter(engine=engine)
    texts = load_demo_corpus()["text"].tolist()[::3]
    checked = 0
    for t in texts:
        full = {0} | {e for _, _, e in seg.tokenize(t)}
        b = seg.boundaries(t)
        assert [i for i in range(len(t) + 1) if i in b] == sorted(full)
        checked += len(t) + 1
    assert checked > 50_000


def test_automaton_backends_agree(monkeypatch):
    """ahocorasick_rs and the pyahocorasick fallback report the same matches in the same order."""
    import builtins

    from civictools.coding import _matcher

    pats = ["社工", "社工站", "工站", "站", "街道社工站"]
    text = "街道社工站站长说，社工站站点"
    primary = _matcher._automaton(pats)(text)
    real_import = builtins.__import__

    def no_rs(name, *args, **kwargs):
        if name == "ahocorasick_rs":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rs)
    fallback = _matcher._automaton(pats)(text)
    assert fallback == primary
    assert [text[s:e] for _, s, e in primary] == [pats[i] for i, _, _ in primary]


def test_default_codebook_unit_level_rules(coder):
    # an attendance list that opens a unit is not coded (CODING.md: attendance blocks)
    assert coder.themes("五、参加人员：\n社区——汪春兰\n红白理事会——涂水生\n送餐志愿队——卓秀珍") == set()
    # building repairs are living_environment, not a convenience service (R7)
    assert "convenience_services" not in coder.themes("两栋楼外墙维修已完工，使用专项维修资金。")
    assert "convenience_services" in coder.themes("志愿者每月为老人上门维修小家电。")
    # a social worker named as a contact person is not a social-work service
    assert "social_work_service" not in coder.themes("报名请联系社工沈某，电话13900000000。")
    # sorting supervision at the bins is not social-work supervision
    assert "talent_workforce" not in coder.themes("冬季桶边督导时间调整为早七点半。")
