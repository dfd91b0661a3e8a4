"""Segmenter: governance lexicon, private tokenizers, user dictionaries, engines, caches."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import pandas as pd
import pytest

from civictools import DataDroppedWarning, Segmenter, TextError
from civictools.text import segmenter as segmod
from civictools.text._lexicon import LEXICON_FILES, read_lexicon
from civictools.text._segeval import load_gold, span_prf, wholeness

ENGINES = ["jieba", "rjieba"]

# 30 common governance terms; plain jieba splits most of them (anchors.md)
COMMON_TERMS = [
    "社工站", "接诉即办", "协商议事", "网格员", "五社联动", "吹哨报到", "居民议事会", "党群服务中心",
    "三社联动", "红色物业", "未诉先办", "长者食堂", "时间银行", "四点半课堂", "老旧小区改造",
    "加装电梯", "一刻钟便民生活圈", "社区社会组织", "政府购买服务", "第三方评估", "困境儿童",
    "居家养老", "独居老人", "人民调解", "矛盾纠纷", "枫桥经验", "垃圾分类", "智慧社区", "双报到",
    "桶前值守",
]

# the starter indicator terms of the 22 themes in design/themes.md (copied from there)
THEME_TERMS = """党建引领 党组织 社区党委 党支部 党小组 党员 在职党员 党员志愿者 双报到 党群服务中心 红色物业 区域化党建 党建联建
五社联动 三社联动 联动机制 联席会议 多元主体 协同共治 共建共治共享 治理共同体 资源整合 社区合伙人
社工 专业社工 社会工作者 持证社工 社会工作师 驻站社工 社工机构 个案 小组工作 需求评估 督导 服务对象
社工站 社工室 站点 服务体系 挂牌 全覆盖 一站式 阵地 服务网络
协商 议事 协商议事 议事会 议事厅 恳谈会 听证会 圆桌会 坝坝会 议题 表决 居民代表会议 四议两公开 共商
居民自治 居委会 居民代表 楼栋长 居民公约 自治组织 居民参与 赋能 自我管理 自我服务
接诉即办 12345 诉求 民生诉求 工单 派单 回访 限时办结 未诉先办 投诉
网格 网格化 网格员 网格长 吹哨报到 条块 下沉 赋权 综合执法 街道统筹 社区减负
志愿者 志愿服务 志愿服务队 志愿队 义工 时间银行 志愿时长 服务积分 积分兑换
社会组织 社区社会组织 孵化 培育 备案 枢纽型组织 公益创投 兴趣队伍 文体队伍 能力建设
慈善 社区基金 社区基金会 慈善超市 募捐 捐赠 善款 微心愿 爱心企业 链接资源
政府购买服务 购买服务 项目化 招投标 中标 承接主体 项目经费 第三方评估 绩效评价 结项
低保 特困 临时救助 社会救助 困难群众 兜底 困境儿童 残疾人 主动发现
老年人 养老 居家养老 独居老人 空巢老人 高龄 失能 日间照料 长者食堂 助餐 适老化 为老服务
儿童 青少年 未成年人 四点半课堂 托育 儿童之家 留守儿童 家庭教育 亲子
调解 人民调解 矛盾纠纷 纠纷 化解 调处 信访 枫桥经验 排查
物业 业委会 老旧小区改造 加装电梯 停车 垃圾分类 环境整治 绿化 公共空间 微更新
智慧社区 数字化 信息化 大数据 数据共享 一网通办 一网统管 小程序 公众号 微信群 线上 电子台账
平安建设 治安 巡逻 安全隐患 消防 燃气安全 飞线充电 应急 应急演练 防汛 疫情防控 反诈
邻里 邻里关系 睦邻 守望相助 互帮互助 结对帮扶 远亲不如近邻 串门
人才队伍 队伍建设 人才培养 培训 职业资格 专职 薪酬 职业发展 继续教育
便民服务 便民 义诊 义剪 维修 量血压 代办 送餐上门""".split()


@pytest.fixture(scope="module", params=ENGINES)
def seg(request):
    return Segmenter(engine=request.param)


@pytest.fixture(scope="module")
def seg_pair():
    return Segmenter(engine="jieba"), Segmenter(engine="rjieba")


def test_lexicon_size_format_and_theme_terms():
    entries = read_lexicon("governance")
    assert len(entries) >= 2000
    words = {w for w, _, _ in entries}
    assert len(words) == len(entries), "duplicate lexicon entries"
    for w, f, t in entries:
        assert f is not None and f > 0 and t and re.fullmatch(r"[a-z]+", t), (w, f, t)
    # jieba's own loader accepts the file: word freq pos per line
    line_rx = re.compile(r"^(\S+) (\d+) ([a-z]+)$")
    for line in LEXICON_FILES["governance"].read_text(encoding="utf-8").splitlines():
        assert line_rx.match(line), line
    missing = sorted(set(THEME_TERMS) - words)
    assert not missing, missing


@pytest.mark.parametrize("term", COMMON_TERMS)
def test_common_terms_whole(seg, term):
    assert seg.cut(term) == [term]
    assert term in seg.cut(f"今年推进{term}工作")


def test_plain_jieba_splits_most_common_terms():
    plain = Segmenter(lexicon=None, engine="jieba")
    split = [t for t in COMMON_TERMS if plain.cut(t) != [t]]
    assert len(split) >= 20


def test_doc_example_and_tag(seg):
    assert seg.cut("社工站联合网格员推进接诉即办") == ["社工站", "联合", "网格员", "推进", "接诉即办"]
    tags = dict(seg.tag("开展协商议事，网格员入户，12345"))
    assert tags["协商议事"] == "vn" and tags["网格员"] == "n" and tags["12345"] == "m"


def test_tag_tokens_equal_cut(seg):
    text = "青禾区居民议事会上，王建国说：APP不好用，3.5万元不够。"
    assert [t for t, _ in seg.tag(text)] == seg.cut(text)


def test_engines_tag_alike(seg_pair):
    a, b = seg_pair
    for text, _toks, _style in load_gold()[:80]:
        assert a.tag(text) == b.tag(text)


def test_tokenize_covers_text(seg):
    text = "  纺机社区 居民议事会\n讨论加装电梯（7栋）。\r\nAPP上线！ "
    toks = seg.tokenize(text)
    assert "".join(t for t, _, _ in toks) == text
    pos = 0
    for tok, s, e in toks:
        assert s == pos and e == s + len(tok) and text[s:e] == tok
        pos = e
    assert all(not t.isspace() for t in seg.cut(text))


def test_cut_rejects_non_text(seg):
    with pytest.raises(TextError):
        seg.cut(None)


def test_global_jieba_untouched():
    before_force = set(jieba.finalseg.Force_Split_Words)
    s = Segmenter(engine="jieba", user_dicts=[["独一无二治理词 5 n", "青禾专用词"]])
    assert s.cut("独一无二治理词") == ["独一无二治理词"]
    assert "独一无二治理词" not in jieba.dt.FREQ
    assert set(jieba.finalseg.Force_Split_Words) == before_force
    # a second segmenter without the user dictionary does not see it
    other = Segmenter(engine="jieba")
    assert other.cut("青禾专用词") != ["青禾专用词"]


def test_user_dict_file_and_list(tmp_path, seg):
    path = tmp_path / "my.txt"
    path.write_text("# district names\n纺机社区 3000 ns\n\n河湾街道\n", encoding="utf-8")
    s = Segmenter(engine=seg.engine, user_dicts=[path, ["社区规划师 n"], "荷风雅居"])
    assert s.cut("纺机社区邀请社区规划师到荷风雅居") == ["纺机社区", "邀请", "社区规划师", "到", "荷风雅居"]
    assert dict(s.tag("纺机社区"))["纺机社区"] == "ns"


@pytest.mark.parametrize(
    "content, line, needle",
    [
        ("社工站 100 n\n坏行 abc 100\n", 2, "'100'"),
        ("社工站 100 n\n\n多 余 的 字段\n", 3, "fields"),
        ("好词 0\n", 1, "positive"),
        ("好词 12 N\n", 1, "'N'"),
    ],
)
def test_bad_user_dict_lines_named(tmp_path, content, line, needle):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TextError) as err:
        Segmenter(engine="rjieba", user_dicts=[path])
    msg = str(err.value)
    assert str(path) in msg and f"line {line}" in msg and needle in msg


def test_bad_user_dict_not_utf8_and_missing(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("社工站\n网格员\n".encode("gbk"))
    with pytest.raises(TextError, match="line 1: not UTF-8"):
        Segmenter(user_dicts=[path])
    with pytest.raises(TextError, match="not found"):
        Segmenter(user_dicts=[tmp_path / "nope.txt"])


@pytest.mark.parametrize("engine", ENGINES)
def test_user_terms_with_hyphen_digits_latin(engine):
    words = ["e-社区", "3·15", "O2O服务", "12345热线", "COVID-19", "乡镇（街道）社工站", "社区APP", "G20峰会"]
    s = Segmenter(engine=engine, user_dicts=[words])
    for w in words:
        assert s.cut(w) == [w], w
        assert w in s.cut(f"居民通过{w}反映问题"), w
    # words the engine cannot see whole are matched first; their Latin/digit
    # edges must not sit inside a longer number
    assert "3·15" in s.protected_words
    assert "3·15" not in s.cut("第13·15号")
    assert s.cut("3·15") == ["3·15"]


def test_engines_identical_on_gold(seg_pair):
    a, b = seg_pair
    gold = load_gold()
    same = sum(a.cut(t) == b.cut(t) for t, _, _ in gold)
    assert same / len(gold) >= 0.99


def test_gold_f1_lexicon_beats_plain_jieba():
    gold = load_gold()
    texts = [t for t, _, _ in gold]
    ref = [g for _, g, _ in gold]
    plain = Segmenter(lexicon=None, engine="jieba")
    lex = Segmenter()
    f_plain = span_prf(ref, [plain.cut(t) for t in texts])[2]
    f_lex = span_prf(ref, [lex.cut(t) for t in texts])[2]
    assert len(gold) >= 300
    assert f_lex >= f_plain + 0.05, (f_plain, f_lex)


def test_lexicon_gain_holds_against_an_independent_annotator():
    # annotator B segmented the same sentences from the written standard alone
    gold_a, gold_b = load_gold(), load_gold(annotator="b")
    assert [t for t, _, _ in gold_a] == [t for t, _, _ in gold_b]
    texts = [t for t, _, _ in gold_b]
    ref = [g for _, g, _ in gold_b]
    agreement = span_prf([g for _, g, _ in gold_a], ref)[2]
    assert 0.85 <= agreement < 0.999  # two annotators, not one copied
    plain, lex = Segmenter(lexicon=None, engine="jieba"), Segmenter()
    f_plain = span_prf(ref, [plain.cut(t) for t in texts])[2]
    f_lex = span_prf(ref, [lex.cut(t) for t in texts])[2]
    assert f_lex >= f_plain + 0.05, (f_plain, f_lex)
    with pytest.raises(ValueError, match="annotator"):
        load_gold(annotator="c")


def test_gold_file_format():
    for text, toks, style in load_gold():
        assert all(t.strip() == t and t for t in toks)
        assert style in ("news", "minutes", "policy")


def _demo_texts() -> list[str]:
    root = Path(segmod.__file__).resolve().parent.parent / "data" / "demo"
    out = []
    for p in sorted(root.rglob("*")):
        if p.suffix in (".txt", ".html", ".md") and p.is_file():
            t = p.read_text(encoding="utf-8", errors="replace")
            out.append(re.sub(r"<[^>]+>", " ", t) if p.suffix == ".html" else t)
    return out


def test_theme_terms_whole_in_gold_and_demo():
    seg = Segmenter()
    texts = [t for t, _, _ in load_gold()] + _demo_texts()
    whole, total, _split = wholeness(texts, lambda x: [t for t, _, _ in seg.tokenize(x)], THEME_TERMS)
    assert total > 300
    assert whole / total >= 0.95


def test_tokens_table():
    df = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "text": ["社工站开放。网格员 入户！", None, "五社联动"]}
    )
    with pytest.warns(DataDroppedWarning, match="1 document"):
        out = Segmenter().tokens(df)
    assert list(out.columns) == ["doc_id", "sent_id", "token_id", "token", "pos", "start", "end"]
    assert out.attrs["n_dropped_docs"] == 1
    texts = dict(zip(df["doc_id"], df["text"]))
    for r in out.itertuples():
        assert texts[r.doc_id][r.start : r.end] == r.token
    a = out[out.doc_id == "a"]
    assert a["sent_id"].tolist() == [0, 0, 0, 1, 1, 1]
    assert a["token_id"].tolist() == list(range(6))
    with pytest.raises(TextError, match="column 'body' not found"):
        Segmenter().tokens(df, text_col="body")


@pytest.mark.parametrize("packing", ["codes", "joined"])
def test_cut_many_parallel_equals_serial(monkeypatch, packing):
    monkeypatch.setattr(segmod, "_PACKING", packing)
    seg = Segmenter()
    texts = [t for t, _, _ in load_gold()] * 3 + ["", None, "社工站\x1f测试", "\x1e"]
    serial = seg.cut_many(texts, progress=False)
    assert serial[-3] == [] and serial[-4] == []
    assert seg.cut_many(texts, n_jobs=2, progress=False) == serial
    assert seg.cut_many(texts, n_jobs=3, progress=False) == serial


def test_pickle_roundtrip():
    import pickle

    seg = Segmenter(user_dicts=[["青禾专用词"]])
    again = pickle.loads(pickle.dumps(seg))
    assert again.cut("青禾专用词") == ["青禾专用词"]


def test_bad_engine():
    with pytest.raises(TextError, match="engine"):
        Segmenter(engine="pkuseg")


def test_stopwords():
    seg = Segmenter()
    assert seg.is_stopword("的") and seg.is_stopword("。") and seg.is_stopword(" ")
    assert not seg.is_stopword("社工站")
    assert not Segmenter(stopwords=None).is_stopword("的")
    assert Segmenter(stopwords=["社工站"]).is_stopword("社工站")


def test_cache_falls_back_when_home_read_only(tmp_path, monkeypatch):
    import platformdirs

    blocker = tmp_path / "home_is_a_file"
    blocker.write_text("x")
    # a path below a regular file cannot be created, whoever runs the test (even root)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(blocker / "cache"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    cache = segmod.segmenter_cache_dir()
    assert str(cache).startswith(str(tmp_path / "tmp"))
    seg = Segmenter(engine="jieba")
    assert seg.cut("网格员") == ["网格员"]
    assert (cache / "jieba.cache").is_file()


def test_cache_last_resort_error(tmp_path, monkeypatch):
    import platformdirs
    import tempfile

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(blocker / "c"))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(blocker / "t"))

    def no_mkdtemp(*a, **k):
        raise OSError("read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", no_mkdtemp)
    with pytest.raises(TextError, match="no writable folder"):
        segmod.segmenter_cache_dir()


def test_auto_falls_back_to_jieba_without_rjieba(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "rjieba", None)  # makes `import rjieba` fail
    seg = Segmenter(engine="auto")
    assert seg.engine == "jieba" and seg.cut("接诉即办") == ["接诉即办"]
    from civictools import MissingDependencyError

    with pytest.raises(MissingDependencyError, match="pip install rjieba"):
        Segmenter(engine="rjieba")


def test_cut_many_worker_error_is_reported(monkeypatch):
    # a failure inside a worker must surface as a TextError in the caller, not as lost chunks
    def boom(results, texts):
        raise RuntimeError("packing failed")

    import os
    import time

    parent = os.getpid()
    cut = Segmenter.cut

    def slow_in_parent(self, text):
        if os.getpid() == parent:  # leave chunks for the worker to claim
            time.sleep(0.002)
        return cut(self, text)

    monkeypatch.setattr(segmod, "_pack", boom)
    monkeypatch.setattr(segmod, "_CHUNK_CHARS", 50)
    monkeypatch.setattr(Segmenter, "cut", slow_in_parent)
    texts = [t for t, _, _ in load_gold()]
    with pytest.raises(TextError, match="worker failed: RuntimeError: packing failed"):
        Segmenter().cut_many(texts, n_jobs=2, progress=False)


def test_cut_many_small_chunks_keep_order(monkeypatch):
    monkeypatch.setattr(segmod, "_CHUNK_CHARS", 30)
    seg = Segmenter()
    texts = [t for t, _, _ in load_gold()]
    assert seg.cut_many(texts, n_jobs=2, progress=False) == [seg.cut(t) for t in texts]
