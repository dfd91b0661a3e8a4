"""Checks for units 1–2: documents to themes, and coding reliability."""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np
import pandas as pd

from civictools.errors import CivictoolsError
from civictools.teaching._core import CheckResult, Mistake, exercise, judge_number, need_columns

__all__: list[str] = []


# ---------------------------------------------------------------------------------------------
# unit 1
# ---------------------------------------------------------------------------------------------

def _coded_parts(coded: Any, theme: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (hasattr(coded, "matrix") and hasattr(coded, "units")):
        raise CivictoolsError("coded= must be a CodedCorpus (the result of ThemeCoder().code(...))")
    m = coded.matrix()
    if theme is not None and theme not in m.columns:
        raise CivictoolsError(f"theme {theme!r} is not in the codebook; themes: {', '.join(m.columns)}")
    return m, coded.units


@exercise("u1_share_coded", 1, "编码为某主题的单元比例 / Share of units coded with a theme",
          requires=("coded", "theme"))
def _u1_share_coded(ex_id: str, answer: Any, *, coded: Any, theme: str) -> CheckResult:
    m, units = _coded_parts(coded, theme)
    col = m[theme].to_numpy()
    counts = coded.matrix(binary=False)[theme].to_numpy()
    doc_ids = units["doc_id"].to_numpy()
    by_doc = pd.Series(col, index=doc_ids).groupby(level=0).max()
    n_docs = int(by_doc.size)
    correct = float(col.mean())
    mistakes = [
        Mistake("hits_not_units", float(counts.mean()),
                "你数的是命中次数（一个段落里出现多个词会被重复计算），而不是被编码的单元数：请用 matrix()（0/1）而不是 matrix(binary=False)。",
                "You counted hits (a unit with several matching terms counts several times), not coded units: use matrix() (0/1), not matrix(binary=False)."),
        Mistake("count_not_share", float(col.sum()),
                "这是被编码的单元个数，题目要的是比例：再除以单元总数。",
                "This is the number of coded units; the exercise asks for a share: divide by the number of units."),
        Mistake("document_share", float(by_doc.mean()),
                "这是“至少有一个段落被编码的文档”的比例：题目的分析单元是段落，不是文档。",
                "This is the share of documents with at least one coded paragraph: the unit of analysis is the paragraph, not the document."),
        Mistake("divided_by_documents", float(col.sum()) / n_docs,
                "分子是被编码的段落数，分母却是文档数：分子和分母必须是同一种单元。",
                "The numerator counts paragraphs but the denominator counts documents: both must count the same units."),
    ]
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：coded.matrix() 每行是一个单元、每列是一个主题（0/1）。",
                        hint_en="Hint: coded.matrix() has one row per unit and one 0/1 column per theme.")


@exercise("u1_top_theme", 1, "某类文档中最常见的主题 / Most frequent theme in one kind of document",
          requires=("coded",), defaults={"kind": "minutes"})
def _u1_top_theme(ex_id: str, answer: Any, *, coded: Any, kind: str) -> CheckResult:
    m, units = _coded_parts(coded)
    need_columns(units, ["kind"], "coded.units")
    if not isinstance(answer, str):
        return CheckResult(ex_id, False, "invalid", "not_a_theme_id",
                           "答案应当是一个主题 id（字符串），例如 'elderly_care'。\n"
                           "The answer should be a theme id (a string), e.g. 'elderly_care'.")
    sel = (units["kind"] == kind).to_numpy()
    if not sel.any():
        raise CivictoolsError(f"no units of kind {kind!r}; kinds: {', '.join(map(str, units['kind'].unique()))}")
    sums = m[sel].sum()
    best = set(sums[sums == sums.max()].index)
    themes = coded.codebook.themes
    labels = {t: {themes[t].label_zh, themes[t].label_en} - {""} for t in m.columns}
    ans = answer.strip()
    if ans in best:
        return CheckResult(ex_id, True, "correct", None, "正确！\nCorrect.")
    label_hit = [t for t in best if ans in labels.get(t, set())]
    if label_hit:
        return CheckResult(ex_id, True, "correct", "label_not_id",
                           f"正确，不过请习惯使用主题 id（'{label_hit[0]}'），代码和表格里都用 id。\n"
                           f"Correct, but prefer the theme id ('{label_hit[0]}'): code and tables use ids.")
    if ans not in m.columns:
        return CheckResult(ex_id, False, "invalid", "unknown_theme",
                           f"'{ans}' 不是码本里的主题 id。可用的 id 见 coded.theme_ids。\n"
                           f"'{ans}' is not a theme id of the codebook; see coded.theme_ids.")
    overall = m.sum()
    if ans in set(overall[overall == overall.max()].index):
        return CheckResult(ex_id, False, "mistake", "all_kinds",
                           f"这是全部文档中最常见的主题；题目只问 kind == '{kind}' 的单元，先筛选再计数。\n"
                           f"This is the most frequent theme over all documents; the exercise asks about kind == '{kind}' only: filter first.")
    hits = coded.matrix(binary=False)[sel].sum()
    if ans in set(hits[hits == hits.max()].index):
        return CheckResult(ex_id, False, "mistake", "hits_not_units",
                           "按命中次数排序会偏向用词重复的主题；请数被编码的单元数（matrix() 的 0/1）。\n"
                           "Ranking by hits favours themes whose terms repeat; count coded units (the 0/1 matrix()).")
    rank = int((sums > sums.get(ans, 0)).sum()) + 1
    return CheckResult(ex_id, False, "incorrect", None,
                       f"还不对：'{ans}' 在这类文档中排第 {rank} 位。按主题对 0/1 矩阵求和后取最大者。\n"
                       f"Not yet: '{ans}' ranks {rank} in these documents. Sum the 0/1 matrix by theme and take the largest.")


# ---------------------------------------------------------------------------------------------
# unit 2
# ---------------------------------------------------------------------------------------------

def _two_coders(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(pd.Series(a).to_numpy(), dtype=object)
    b = np.asarray(pd.Series(b).to_numpy(), dtype=object)
    if a.shape != b.shape or a.ndim != 1:
        raise CivictoolsError(f"a= and b= must be two 1-d codings of the same units (lengths {a.size} and {b.size})")
    ok = ~(pd.isna(a) | pd.isna(b))
    if not ok.all():
        raise CivictoolsError(f"a= and b= contain {int((~ok).sum())} missing codes; this exercise uses complete codings")
    return a, b


def cohen_parts(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Observed and chance agreement of two coders (Cohen 1960; Scott 1955; Bennett et al. 1954)."""
    cats = pd.unique(np.concatenate([a, b]))
    po = float(np.mean(a == b))
    pa = np.array([np.mean(a == c) for c in cats])
    pb = np.array([np.mean(b == c) for c in cats])
    pe = float(np.sum(pa * pb))
    pe_scott = float(np.sum(((pa + pb) / 2) ** 2))
    k = len(cats)
    return {"po": po, "pe": pe, "pe_scott": pe_scott, "k": k}


@exercise("u2_percent_agreement", 2, "百分比一致率 / Percent agreement", requires=("a", "b"))
def _u2_percent(ex_id: str, answer: Any, *, a: Any, b: Any) -> CheckResult:
    a, b = _two_coders(a, b)
    correct = float(np.mean(a == b))
    mistakes = []
    vals = set(pd.unique(np.concatenate([a, b])))
    if vals <= {0, 1, True, False}:
        pos_a, pos_b = a.astype(bool), b.astype(bool)
        either = (pos_a | pos_b).sum()
        if either:
            mistakes.append(Mistake(
                "positive_agreement_only", float((pos_a & pos_b).sum() / either),
                "你只看了至少一人编码为 1 的单元（正类一致率）。百分比一致率把“两人都编码为 0”也算作一致。",
                "You looked only at units that someone coded 1 (positive agreement). Percent agreement also counts units both coded 0."))
        mistakes.append(Mistake(
            "disagreement", 1 - correct,
            "这是不一致的比例（1 − 一致率）。",
            "This is the share of disagreements (1 − agreement)."))
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：np.mean(a == b)。", hint_en="Hint: the share of units where a == b.")


@exercise("u2_cohen_kappa", 2, "Cohen's kappa", requires=("a", "b"))
def _u2_kappa(ex_id: str, answer: Any, *, a: Any, b: Any) -> CheckResult:
    a, b = _two_coders(a, b)
    p = cohen_parts(a, b)
    po, pe, ps, k = p["po"], p["pe"], p["pe_scott"], p["k"]
    if pe >= 1:
        raise CivictoolsError("both coders used a single identical category: kappa is undefined")
    correct = (po - pe) / (1 - pe)
    mistakes = [
        Mistake("raw_agreement", po,
                "这是原始一致率 p_o，不是 kappa：kappa 要扣除随机一致 p_e，κ = (p_o − p_e)/(1 − p_e)。",
                "This is raw agreement p_o, not kappa: kappa removes chance agreement, κ = (p_o − p_e)/(1 − p_e)."),
        Mistake("scott_pi", (po - ps) / (1 - ps) if ps < 1 else np.nan,
                "你用两位编码员合并的边际比例计算 p_e——这是 Scott's π（也是两人时的 Fleiss' κ）。Cohen's κ 用各自的边际：p_e = Σ p_a(k)·p_b(k)。",
                "You pooled the coders' marginals for p_e: that is Scott's pi (Fleiss' kappa for two coders). Cohen's kappa uses each coder's own marginals: p_e = Σ p_a(k)·p_b(k)."),
        Mistake("uniform_chance", (po - 1 / k) / (1 - 1 / k),
                f"你假设随机一致 p_e = 1/{k}（各类别等可能）——这是 Bennett 的 S。请用两位编码员实际的类别比例计算 p_e。",
                f"You assumed chance agreement p_e = 1/{k} (equally likely categories), which is Bennett's S. Compute p_e from the coders' actual category shares."),
        Mistake("no_denominator", po - pe,
                "分子对了（p_o − p_e），但忘了除以 (1 − p_e)。",
                "The numerator p_o − p_e is right, but you forgot to divide by (1 − p_e)."),
        Mistake("chance_agreement", pe,
                "这是随机一致 p_e 本身，还需要代入 κ = (p_o − p_e)/(1 − p_e)。",
                "This is the chance agreement p_e itself; plug it into κ = (p_o − p_e)/(1 − p_e)."),
    ]
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：先算 p_o = 一致的比例，p_e = Σ_k p_a(k)·p_b(k)。",
                        hint_en="Hint: p_o = share agreeing, p_e = Σ_k p_a(k)·p_b(k).")


def krippendorff_alpha_nominal(ratings: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data; ``ratings`` is units × coders with NaN for missing.

    Krippendorff (2011), "Computing Krippendorff's alpha-reliability": coincidence matrix over
    units with at least two values, each pair weighted 1/(m_u − 1).
    """
    r = np.asarray(ratings, dtype=float)
    cats = np.unique(r[~np.isnan(r)])
    idx = {c: i for i, c in enumerate(cats)}
    o = np.zeros((len(cats), len(cats)))
    for row in r:
        vals = row[~np.isnan(row)]
        mu = len(vals)
        if mu < 2:
            continue
        for i, j in permutations(range(mu), 2):
            o[idx[vals[i]], idx[vals[j]]] += 1.0 / (mu - 1)
    nc = o.sum(axis=1)
    n = nc.sum()
    if n <= 1:
        return float("nan")
    d_o = o.sum() - np.trace(o)
    d_e = (n * n - np.sum(nc * nc)) / (n - 1)
    return float(1 - d_o / d_e) if d_e > 0 else float("nan")


def _pairwise_agreement(r: np.ndarray) -> float:
    shares = []
    for row in r:
        vals = row[~np.isnan(row)]
        mu = len(vals)
        if mu < 2:
            continue
        agree = sum(vals[i] == vals[j] for i in range(mu) for j in range(i + 1, mu))
        shares.append(agree / (mu * (mu - 1) / 2))
    return float(np.mean(shares)) if shares else float("nan")


def _fleiss(r: np.ndarray) -> float:
    cats = np.unique(r[~np.isnan(r)])
    counts = np.stack([(r == c).sum(axis=1) for c in cats], axis=1).astype(float)
    n = counts.sum(axis=1)[0]
    p_j = counts.sum(axis=0) / counts.sum()
    p_i = ((counts * counts).sum(axis=1) - n) / (n * (n - 1))
    pbar, pe = p_i.mean(), np.sum(p_j ** 2)
    return float((pbar - pe) / (1 - pe)) if pe < 1 else float("nan")


@exercise("u2_krippendorff_alpha", 2, "Krippendorff's alpha（含缺失编码）/ Krippendorff's alpha with missing codes",
          requires=("ratings",))
def _u2_alpha(ex_id: str, answer: Any, *, ratings: Any) -> CheckResult:
    if not isinstance(ratings, pd.DataFrame):
        raise CivictoolsError("ratings= must be a DataFrame with one row per unit and one column per coder (NaN = not coded)")
    r = ratings.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    correct = krippendorff_alpha_nominal(r)
    complete = r[~np.isnan(r).any(axis=1)]
    mistakes = [
        Mistake("percent_agreement", _pairwise_agreement(r),
                "这是（成对的）百分比一致率，没有扣除随机一致。",
                "This is (pairwise) percent agreement: chance agreement has not been removed."),
        Mistake("complete_units_only", krippendorff_alpha_nominal(complete),
                "你只用了所有编码员都编码过的单元（列表删除）。α 的长处正是能利用缺失编码的单元：只要一个单元有至少两个编码就参与计算。",
                "You kept only units every coder coded (listwise deletion). Alpha's strength is using incomplete units: every unit with at least two codes counts."),
        Mistake("fleiss_complete", _fleiss(complete) if len(complete) else np.nan,
                "这是在完整单元上计算的 Fleiss' κ。题目要求能处理缺失编码的 Krippendorff's α。",
                "This is Fleiss' kappa on complete units. The exercise asks for Krippendorff's alpha, which handles missing codes."),
    ]
    first2 = r[:, :2]
    both = ~np.isnan(first2).any(axis=1)
    if both.sum() > 1 and r.shape[1] > 2:
        p = cohen_parts(first2[both, 0], first2[both, 1])
        if p["pe"] < 1:
            mistakes.append(Mistake(
                "cohen_first_two", (p["po"] - p["pe"]) / (1 - p["pe"]),
                "这是前两位编码员之间的 Cohen's κ；题目要求所有编码员一起的 α。",
                "This is Cohen's kappa of the first two coders; the exercise asks for alpha over all coders."))
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：可以用 civictools.agreement(...)，或按 Krippendorff (2011) 的一致矩阵手算。",
                        hint_en="Hint: use civictools.agreement(...) or build the coincidence matrix of Krippendorff (2011).")
