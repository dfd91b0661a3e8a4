"""Exploration functions, with statistics checked against independent references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2 as chi2_dist
from scipy.stats import chi2_contingency

from civictools import (
    KWIC,
    Segmenter,
    TextError,
    collocations,
    keyness,
    keywords,
    kwic,
    ngrams,
    term_frequencies,
)
from civictools.text.explore import _textrank

DOCS = pd.DataFrame(
    {
        "doc_id": ["n1", "n2", "m1", "m2"],
        "year": [2021, 2021, 2022, 2022],
        "text": [
            "纺机社区召开居民议事会，讨论加装电梯。居民议事会决定先摸底。",
            "社工站为独居老人提供助餐服务，网格员每周入户走访独居老人。",
            "居民议事会第二次讨论加装电梯的出资比例，社工站列席。",
            "网格员反映停车难，社区召开恳谈会协商停车方案。",
        ],
    }
)


@pytest.fixture(scope="module")
def toks():
    return Segmenter().tokens(DOCS).merge(DOCS[["doc_id", "year"]], on="doc_id")


def test_term_frequencies_counts_by_hand(toks):
    tf = term_frequencies(toks)
    assert list(tf.columns) == ["term", "count", "share"]
    counts = dict(zip(tf.term, tf["count"]))
    assert counts["居民议事会"] == 3 and counts["独居老人"] == 2 and counts["网格员"] == 2
    assert "的" not in counts and "，" not in counts and "。" not in counts
    assert tf["share"].sum() == pytest.approx(1.0)
    # keeping stopwords keeps 的 but never punctuation
    with_stop = term_frequencies(toks, stopwords=False)
    assert "的" in set(with_stop.term) and "，" not in set(with_stop.term)


def test_term_frequencies_by_group(toks):
    tf = term_frequencies(toks, by="year")
    assert list(tf.columns) == ["year", "term", "count", "share"]
    got = tf.set_index(["year", "term"])["count"]
    assert got[(2021, "居民议事会")] == 2 and got[(2022, "居民议事会")] == 1
    assert tf.groupby("year")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(TextError, match="merge the document"):
        term_frequencies(toks, by="street")
    with pytest.raises(TextError, match="token table"):
        term_frequencies([["社工站"]], by="year")


def test_term_frequencies_on_lists():
    tf = term_frequencies([["社工站", "的", "社工"], ["社工站", "。"]])
    assert tf.values.tolist() == [["社工站", 2, 2 / 3], ["社工", 1, 1 / 3]]
    with pytest.raises(TextError):
        term_frequencies("社工站")


def test_tfidf_by_hand():
    # three documents as token lists; reference computed step by step from the formula
    docs = pd.DataFrame(
        {
            "doc_id": [1, 1, 1, 1, 2, 2, 3, 3, 3],
            "sent_id": [0] * 9,
            "token": ["社工站", "社工站", "网格员", "议事会", "网格员", "巡逻", "社工站", "巡逻", "巡逻"],
        }
    )
    out = keywords(docs, top=10, by="doc_id")
    n = 3
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in {"社工站": 2, "网格员": 2, "议事会": 1, "巡逻": 2}.items()}
    d1 = out[out.doc_id == 1].set_index("term")["score"]
    assert d1["社工站"] == pytest.approx(2 / 4 * idf["社工站"])
    assert d1["议事会"] == pytest.approx(1 / 4 * idf["议事会"])
    assert out[out.doc_id == 1]["term"].tolist()[0] == "社工站"
    d3 = out[out.doc_id == 3].set_index("term")["score"]
    assert d3["巡逻"] == pytest.approx(2 / 3 * idf["巡逻"])
    assert out[out.doc_id == 3]["rank"].tolist() == [1, 2]


def test_keywords_on_text_and_groups():
    kw = keywords(DOCS, top=3, by="year")
    assert list(kw.columns) == ["year", "rank", "term", "score"]
    assert set(kw["year"]) == {2021, 2022} and kw.groupby("year").size().max() <= 3
    top2021 = kw[kw.year == 2021]["term"].tolist()
    assert "居民议事会" in top2021 or "独居老人" in top2021
    tr = keywords(DOCS, method="textrank", top=5)
    assert tr["score"].iloc[0] == pytest.approx(1.0) and len(tr) == 5
    with pytest.raises(TextError, match="method"):
        keywords(DOCS, method="lda")


def test_textrank_matches_linear_solution():
    seqs = [["社工站", "网格员", "议事会", "社工站"], ["网格员", "巡逻", "停车"], ["议事会", "停车", "社工站"]]
    got = _textrank(seqs, window=3)
    # reference: solve x = (1-d)/n + d M x exactly (M column-stochastic), then scale to max 1
    terms = sorted(got)
    idx = {t: i for i, t in enumerate(terms)}
    w = np.zeros((len(terms), len(terms)))
    for seq in seqs:
        for i, a in enumerate(seq):
            for b in seq[i + 1 : i + 3]:
                if a != b:
                    w[idx[a], idx[b]] += 1
                    w[idx[b], idx[a]] += 1
    m = (w / w.sum(axis=1, keepdims=True)).T
    d, n = 0.85, len(terms)
    x = np.linalg.solve(np.eye(n) - d * m, np.full(n, (1 - d) / n))
    x = x / x.max()
    for t in terms:
        assert got[t] == pytest.approx(x[idx[t]], abs=1e-8)


def test_kwic_columns_and_html():
    out = kwic(DOCS, "加装电梯", window=5)
    assert isinstance(out, KWIC)
    assert list(out.columns) == ["doc_id", "left", "match", "right", "start"]
    assert out["doc_id"].tolist() == ["n1", "m1"]
    for r in out.itertuples():
        text = DOCS.set_index("doc_id").loc[r.doc_id, "text"]
        assert text[r.start : r.start + len(r.match)] == r.match
        assert text[: r.start].endswith(r.left) and text[r.start + len(r.match) :].startswith(r.right)
        assert len(r.left) <= 5 and len(r.right) <= 5
    html = out._repr_html_()
    assert "text-align:right" in html and "加装电梯" in html and "2 matches in 2 documents" in html
    assert isinstance(out.head(1), KWIC)
    rx = kwic(DOCS, r"网格员|社工站", regex=True, window=3)
    assert len(rx) == 4 and set(rx["match"]) == {"网格员", "社工站"}
    with pytest.raises(TextError, match="regular expression"):
        kwic(DOCS, "(", regex=True)
    # literal mode escapes regex metacharacters
    assert len(kwic(pd.DataFrame({"doc_id": [1], "text": ["a.b a-b"]}), ".")) == 1


def test_kwic_newlines_flattened():
    out = kwic(pd.DataFrame({"doc_id": [1], "text": ["第一行\n社工站\n第三行"]}), "社工站", window=2)
    assert out.loc[0, "left"] == "行 " and out.loc[0, "right"] == " 第"


def test_ngrams():
    seqs = [["社工站", "开展", "个案", "服务"], ["社工站", "开展", "小组", "活动"], ["社工站", "的", "开展"]]
    out = ngrams(seqs, n=2)
    got = dict(zip(out.ngram, out["count"]))
    assert got["社工站 开展"] == 2 and "社工站 的" not in got
    tri = ngrams(seqs, n=3, min_count=1, stopwords=False)
    assert "社工站 的 开展" in set(tri.ngram)
    # never across a sentence end
    table = pd.DataFrame({"doc_id": [1, 1, 1], "sent_id": [0, 0, 1], "token": ["社工站", "开放", "网格员"]})
    assert ngrams(table)["ngram"].tolist() == ["社工站 开放"]


def test_collocations_against_scipy_and_hand():
    seqs = [["居民", "议事", "会议"]] * 6 + [["社区", "会议"]] * 3 + [["居民", "社区"]] * 2 + [["议事", "规则"]]
    out = collocations(seqs, min_count=1, measure="llr").set_index(["w1", "w2"])
    n_pairs = 6 * 2 + 3 + 2 + 1
    row = out.loc[("居民", "议事")]
    c12, c1, c2 = 6, 8, 6  # 居民 starts 8 pairs, 议事 ends 6 pairs
    assert (row["count"], row["count_w1"], row["count_w2"]) == (c12, c1, c2)
    assert row["pmi"] == pytest.approx(math.log2(c12 * n_pairs / (c1 * c2)))
    table = np.array([[c12, c1 - c12], [c2 - c12, n_pairs - c1 - c2 + c12]])
    g2_ref = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    assert row["llr"] == pytest.approx(g2_ref, rel=1e-10)
    # min_count filters, pmi ordering puts the rarest perfect pair first
    assert len(collocations(seqs, min_count=5)) == 2
    assert collocations(seqs, min_count=1, measure="pmi").iloc[0][["w1", "w2"]].tolist() == ["议事", "规则"]
    with pytest.raises(TextError):
        collocations(seqs, measure="dice")


def test_g2_by_definition():
    # Dunning (1993), "Accurate methods for the statistics of surprise and coincidence",
    # Computational Linguistics 19(1): -2 log lambda = 2 * sum O ln(O / E); computed here
    # cell by cell, and by scipy's power-divergence statistic with lambda_="log-likelihood"
    from civictools.text.explore import _g2

    o = np.array([[110.0, 2442.0], [111.0, 29114.0]])
    e = o.sum(1, keepdims=True) * o.sum(0, keepdims=True) / o.sum()
    by_hand = 2 * sum(o.flat[i] * math.log(o.flat[i] / e.flat[i]) for i in range(4))
    assert _g2(o) == pytest.approx(by_hand, rel=1e-12)
    assert _g2(o) == pytest.approx(chi2_contingency(o, correction=False, lambda_="log-likelihood")[0])
    # a zero cell contributes nothing (0 ln 0 = 0)
    z = np.array([[0.0, 5.0], [7.0, 9.0]])
    ez = z.sum(1, keepdims=True) * z.sum(0, keepdims=True) / z.sum()
    ref = 2 * sum(z.flat[i] * math.log(z.flat[i] / ez.flat[i]) for i in range(1, 4))
    assert _g2(z) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("measure", ["chi2", "llr"])
def test_keyness_against_scipy(measure):
    target = [["加装电梯", "协商", "加装电梯", "居民", "出资"]] * 4
    reference = [["垃圾分类", "居民", "协商", "志愿者", "居民"]] * 6
    out = keyness(target, reference, measure=measure, min_count=1)
    assert out.columns.tolist()[-2:] == [measure, "p_value"]
    nt, nr = 20, 30
    for r in out.itertuples():
        a, b = r.count_target, r.count_reference
        table = np.array([[a, b], [nt - a, nr - b]])
        kw = {"correction": False}
        if measure == "llr":
            kw["lambda_"] = "log-likelihood"
        stat, p, _dof, _e = chi2_contingency(table, **kw)
        value = getattr(r, measure)
        assert abs(value) == pytest.approx(stat, rel=1e-10)
        assert r.p_value == pytest.approx(chi2_dist.sf(stat, 1), rel=1e-10)
        assert (value > 0) == (a / nt > b / nr)
    assert out["term"].iloc[0] == "加装电梯"


def test_keyness_errors():
    with pytest.raises(TextError, match="measure"):
        keyness([["a"]], [["b"]], measure="z")
    with pytest.raises(TextError, match="no tokens"):
        keyness([["的"]], [["社工站"]])
