"""evaluate_coding and suggest_terms."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import power_divergence

from civictools.coding import ThemeCoder, evaluate_coding, suggest_terms
from civictools.coding.validate import _g2, codes_to_matrix
from civictools.errors import CodebookError, DataDroppedWarning

GOLD = pd.DataFrame({
    "doc_id": ["d1", "d1", "d2", "d3"],
    "unit_id": ["g1", "g2", "g3", "g4"],
    "text": ["社区开展义诊，为老年人量血压。",  # convenience + elderly
             "物业公司清理楼道堆物。",  # living_environment
             "志愿者探访独居老人。",  # volunteering + elderly (gold omits elderly: an FP)
             "今天天气很好。"],  # nothing; gold says neighborhood_mutual_aid (an FN)
    "gold": ["convenience_services;elderly_care", "living_environment", "volunteering", "neighborhood_mutual_aid"],
    "split": ["dev", "dev", "test", "test"],
})


@pytest.fixture(scope="module")
def coder():
    return ThemeCoder()


def test_counts_precision_recall_f1_by_hand(coder):
    res = evaluate_coding(coder, GOLD)
    t = res.table.set_index("theme")
    # hand count: predictions {conv, eld}, {living}, {vol, eld}, {} vs gold above
    assert t.loc["elderly_care", ["tp", "fp", "fn"]].tolist() == [1, 1, 0]
    assert t.loc["neighborhood_mutual_aid", ["tp", "fp", "fn"]].tolist() == [0, 0, 1]
    assert t.loc["micro", ["tp", "fp", "fn"]].tolist() == [4, 1, 1]
    assert t.loc["micro", "precision"] == pytest.approx(4 / 5)
    assert t.loc["micro", "recall"] == pytest.approx(4 / 5)
    assert res.micro_f1 == pytest.approx(0.8)
    # macro over the 5 themes present in gold or predictions: F1 = 1, 2/3, 1, 1, 0
    assert res.macro_f1 == pytest.approx((1 + 2 / 3 + 1 + 1 + 0) / 5)
    e = res.errors.set_index(["unit_id", "theme"])
    assert e.loc[("g3", "elderly_care"), "error"] == "FP" and "独居老人" in e.loc[("g3", "elderly_care"), "terms"]
    assert e.loc[("g4", "neighborhood_mutual_aid"), "error"] == "FN"
    assert e.loc[("g4", "neighborhood_mutual_aid"), "text"] == "今天天气很好。"


def test_split_filter(coder):
    dev = evaluate_coding(coder, GOLD, split="dev")
    assert dev.n_units == 2 and dev.micro_f1 == 1.0
    assert "split=dev" in dev.summary().as_text()
    with pytest.raises(CodebookError, match="split"):
        evaluate_coding(coder, GOLD.drop(columns="split"), split="dev")


def test_coded_corpus_matched_by_offsets(coder):
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "text": ["社区开展义诊。\n\n物业公司清理楼道。", "志愿者上门。"]})
    cc = coder.code(docs, unit="paragraph", progress=False)
    u = cc.units
    gold = pd.DataFrame({"doc_id": u["doc_id"], "start": u["start"], "end": u["end"], "unit_id": ["x", "y", "z"],
                         "gold": ["convenience_services", "living_environment", ""]})
    res = evaluate_coding(cc, gold)
    assert res.table.set_index("theme").loc["micro", ["tp", "fp", "fn"]].tolist() == [2, 1, 0]
    gold2 = pd.concat([gold, pd.DataFrame({"doc_id": ["d9"], "start": [0], "end": [3], "unit_id": ["q"],
                                           "gold": [""]})])
    with pytest.warns(DataDroppedWarning, match="1 gold unit"):
        res2 = evaluate_coding(cc, gold2)
    assert res2.n_unmatched == 1 and res2.n_units == 3
    with pytest.raises(CodebookError, match="not in the codebook"):
        evaluate_coding(cc, gold.assign(gold="weather"))


def test_codes_to_matrix():
    m = codes_to_matrix(pd.Series(["a; b", None, frozenset({"b"})]), ["a", "b", "c"])
    assert m.to_numpy().tolist() == [[1, 1, 0], [0, 0, 0], [0, 1, 0]]


def test_gold_as_frozensets(coder):
    g = GOLD.assign(gold=GOLD["gold"].map(lambda s: frozenset(s.split(";"))))
    assert evaluate_coding(coder, g).micro_f1 == pytest.approx(0.8)


def test_g2_equals_scipy_log_likelihood():
    a, b, c, d = 12, 388, 5, 1995
    obs = [[a, b], [c, d]]
    import numpy as np

    exp = np.outer([a + b, c + d], [a + c, b + d]) / (a + b + c + d)
    # reference: scipy's G-test (power_divergence with lambda_="log-likelihood")
    ref = power_divergence(np.ravel(obs), np.ravel(exp), lambda_="log-likelihood").statistic
    assert _g2(a, b, c, d) == pytest.approx(ref, rel=1e-12)


def test_suggest_terms_finds_cooccurring_words_with_evidence(coder):
    texts = (["独居老人需要助餐，社区开设爱心饭堂，饭堂由志愿者值守。"] * 4
             + ["业委会讨论停车收费。", "楼道照明改造完成。"] * 4)
    cc = coder.code(texts, unit="document", progress=False)
    s = suggest_terms(cc, "elderly_care", top=5, min_count=2)
    assert s["term"].iloc[0] == "饭堂"
    assert "【饭堂】" in s["evidence"].iloc[0]
    assert not set(s["term"]) & {t.pattern for t in cc.codebook.themes["elderly_care"].terms}
    assert (s["llr"].diff().dropna() <= 1e-12).all()
    p = suggest_terms(cc, "elderly_care", measure="pmi", min_count=2)
    assert (p["pmi"] > 0).all()
    with pytest.raises(CodebookError):
        suggest_terms(cc, "weather")


# -- bootstrap confidence limits ----------------------------------------------------------

def _synthetic(n=240, k=5, seed=3):
    import numpy as np

    rng = np.random.default_rng(seed)
    T = (rng.random((n, k)) < [0.3, 0.15, 0.05, 0.4, 0.02]).astype(int)
    flip = rng.random((n, k)) < 0.12  # a coder right 88 % of the time
    P = np.where(flip, 1 - T, T)
    return P, T


def _micro_f1(P, T):
    tp = int((P & T).sum()); fp = int((P & (1 - T)).sum()); fn = int(((1 - P) & T).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_bootstrap_micro_f1_matches_scipy_bootstrap():
    import numpy as np
    from scipy.stats import bootstrap

    from civictools.coding.validate import _bootstrap_limits

    P, T = _synthetic()
    lim = _bootstrap_limits(P, T, n_boot=6000, level=0.9, seed=11)
    # reference: scipy.stats.bootstrap, percentile method, resampling whole units (rows)
    ref = bootstrap((np.arange(len(P)),), lambda i: _micro_f1(P[i], T[i]), vectorized=False,
                    n_resamples=6000, confidence_level=0.9, method="percentile", random_state=5)
    lo, hi = ref.confidence_interval
    k = P.shape[1]
    # two Monte Carlo runs of 6000 resamples: limits agree to about 0.005
    assert lim.loc[k, "f1_low"] == pytest.approx(lo, abs=0.01)
    assert lim.loc[k, "f1_high"] == pytest.approx(hi, abs=0.01)
    assert lim.loc[k, "f1_low"] < _micro_f1(P, T) < lim.loc[k, "f1_high"]


def test_bootstrap_replicates_recomputed_unit_by_unit():
    """Each resample's figures, recomputed from the resampled rows with the point-estimate
    code (_prf, and macro over the themes present), give the same percentiles."""
    import numpy as np

    from civictools.coding.validate import _bootstrap_limits, _prf

    P, T = _synthetic(n=60)
    n, k = P.shape
    B, seed = 300, 4
    lim = _bootstrap_limits(P, T, n_boot=B, level=0.8, seed=seed)
    W = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=B)
    per_theme = np.empty((B, k)); macro = np.empty(B); micro = np.empty(B)
    for b in range(B):
        idx = np.repeat(np.arange(n), W[b])
        p, t = P[idx], T[idx]
        f1s, used = [], []
        for j in range(k):
            tp = int((p[:, j] & t[:, j]).sum()); fp = int((p[:, j] & (1 - t[:, j])).sum())
            fn = int(((1 - p[:, j]) & t[:, j]).sum())
            per_theme[b, j] = _prf(tp, fp, fn)[2]
            if t[:, j].any() or p[:, j].any():
                used.append(per_theme[b, j])
        macro[b] = float(np.mean(used)) if used else 0.0
        micro[b] = _micro_f1(p, t)
    q = [0.1, 0.9]
    for j in range(k):
        assert lim.loc[j, ["f1_low", "f1_high"]].tolist() == pytest.approx(np.quantile(per_theme[:, j], q).tolist())
    assert lim.loc[k, ["f1_low", "f1_high"]].tolist() == pytest.approx(np.quantile(micro, q).tolist())
    assert lim.loc[k + 1, ["f1_low", "f1_high"]].tolist() == pytest.approx(np.quantile(macro, q).tolist())


def test_evaluate_coding_reports_limits(coder):
    import numpy as np

    res = evaluate_coding(coder, GOLD, n_boot=200, seed=1)
    t = res.table.set_index("theme")
    assert {"f1_low", "f1_high", "recall_low", "precision_high"} <= set(t.columns)
    assert t.loc["micro", "f1_low"] <= res.micro_f1 <= t.loc["micro", "f1_high"]
    # a theme neither in the gold nor predicted has no interval
    assert np.isnan(t.loc["party_leadership", "f1_low"])
    assert "bootstrap" in res.summary().as_text()
    again = evaluate_coding(coder, GOLD, n_boot=200, seed=1).table
    pd.testing.assert_frame_equal(res.table, again)  # seeded
    assert evaluate_coding(coder, GOLD, n_boot=0).table["f1_low"].isna().all()
    with pytest.raises(CodebookError, match="level"):
        evaluate_coding(coder, GOLD, level=95)


CAUSES = pd.DataFrame({
    "doc_id": ["c1", "c1", "c2"],
    "unit_id": ["k1", "k2", "k3"],
    "text": ["今天天气很好。",  # gold: mutual aid, and no term of it occurs
             "自治区的规定。",  # gold: self-government; 自治 occurs but not as a word of its own
             "独居老人张大爷说，邻居帮他买菜，邻居还陪他聊天。"],  # gold: none; two themes matched
    "gold": ["neighborhood_mutual_aid", "resident_selfgov", ""],
})


def test_errors_say_why(coder):
    res = evaluate_coding(coder, CAUSES, n_boot=0)
    e = res.errors.set_index(["unit_id", "theme"])
    assert e.loc[("k1", "neighborhood_mutual_aid"), ["error", "terms", "cause"]].tolist() == ["FN", "", "no candidate"]
    assert e.loc[("k2", "resident_selfgov"), ["error", "terms", "cause"]].tolist() == [
        "FN", "自治 (boundary)", "turned down: boundary"]
    assert e.loc[("k3", "elderly_care"), ["error", "cause"]].tolist() == ["FP", "1 match"]
    assert e.loc[("k3", "neighborhood_mutual_aid"), ["error", "terms", "cause"]].tolist() == ["FP", "邻居", "2 matches"]
    assert len(res.errors) == 4
    text = res.summary().as_text()
    assert ("false negatives: 1 with no candidate term (vocabulary gaps), 1 with candidates turned down "
            "(boundary 1)") in text
    assert "false positives: 1 from a single match, 1 from several matches" in text


def test_error_causes_same_from_a_coded_corpus(coder):
    # the coded-corpus path reads hits and rejected candidates from the tables of code();
    # it must tell the same story as explain() on each unit
    texts = CAUSES["text"].tolist() + ["社区尚未建立议事机制，居民意见无处表达。", "社工站建设提出如下意见。"]
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "text": ["\n\n".join(texts[:3]), "\n\n".join(texts[3:])]})
    cc = coder.code(docs, unit="paragraph", progress=False)
    u = cc.units
    gold = u[["doc_id", "start", "end", "text"]].assign(
        unit_id=[f"q{i}" for i in range(len(u))],
        gold=["neighborhood_mutual_aid", "resident_selfgov", "", "community_deliberation",
              "social_work_service"])
    cols = ["unit_id", "theme", "error", "terms", "cause"]
    a = evaluate_coding(cc, gold, n_boot=0).errors
    a = a.assign(unit_id=a["unit_id"].map(dict(zip(u["unit_id"].astype(str), gold["unit_id"]))))[cols]
    b = evaluate_coding(coder, gold, n_boot=0).errors[cols]
    key = ["unit_id", "theme"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True))
    assert (b["cause"].str.startswith("turned down")).sum() >= 2


def test_suggest_terms_from_missed_units(coder):
    # three units about a reporting app the codebook does not know (gold: digital_governance)
    texts = ["居民用随手拍上报楼道堆物。", "随手拍收到的问题当天转给街道。", "这个月随手拍共上报三十件。",
             "今天天气不错。", "会议室的灯坏了。", "居民在楼下聊天。"]
    cc = coder.code(texts, unit="document", progress=False)
    u = cc.units
    gold = u[["unit_id", "text"]].assign(gold=["digital_governance"] * 3 + [""] * 3)
    res = evaluate_coding(cc, gold, n_boot=0)
    missed = res.errors.query("theme == 'digital_governance' and error == 'FN'")
    assert len(missed) == 3 and set(missed["cause"]) == {"no candidate"}
    out = suggest_terms(cc, "digital_governance", units=missed["unit_id"], min_count=2)
    assert out["term"].iloc[0] == "随手拍"
    assert out.set_index("term").loc["随手拍", ["n_theme", "n_rest"]].tolist() == [3, 0]
    assert "【随手拍】" in out.set_index("term").loc["随手拍", "evidence"]
    # without units= the theme's coded units (none here) are the target: nothing to suggest
    assert suggest_terms(cc, "digital_governance", min_count=2).empty
    with pytest.raises(CodebookError, match="not units of the coded corpus"):
        suggest_terms(cc, "digital_governance", units=["nope"])
