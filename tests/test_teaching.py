"""Tests of civictools.teaching.check: right answers pass, common mistakes are named.

Mistaken values are computed here independently of the checkers (pandas/statsmodels formula
API, scipy, hand formulas), so a checker that computes a wrong "right answer" fails.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import civictools as ct
from civictools import teaching
from civictools.errors import CivictoolsError


def diag(ex, answer, **ctx):
    r = teaching.check(ex, answer, **ctx)
    assert isinstance(r.message, str) and r.message
    return r.passed, r.diagnosis


# ---------------------------------------------------------------------------------------------
# the machinery
# ---------------------------------------------------------------------------------------------

def test_import_is_separate_from_top_level():
    import civictools.teaching as t

    assert t.check is teaching.check
    assert "check" not in ct.__all__


def test_unknown_id_lists_valid_ids():
    with pytest.raises(CivictoolsError) as e:
        teaching.check("u9_nothing", 1.0)
    msg = str(e.value)
    assert "u9_nothing" in msg and "u3_did_2x2" in msg and "u6_mde" in msg


def test_missing_and_unexpected_context():
    with pytest.raises(CivictoolsError, match="needs icc="):
        teaching.check("u6_design_effect", 1.0, m=20)
    with pytest.raises(CivictoolsError, match="does not take"):
        teaching.check("u6_design_effect", 1.0, m=20, icc=0.1, k=3)


def test_unanswered_and_invalid_do_not_raise():
    r = teaching.check("u6_design_effect", None, m=20, icc=0.1)
    assert r.status == "unanswered" and not r.passed and "Not answered" in r.message
    r = teaching.check("u6_design_effect", "2.9", m=20, icc=0.1)
    assert r.status == "invalid" and not r
    r = teaching.check("u6_design_effect", [1.0, 2.0], m=20, icc=0.1)
    assert r.status == "invalid"
    r = teaching.check("u6_design_effect", float("nan"), m=20, icc=0.1)
    assert r.status == "invalid"


def test_result_html_and_bilingual_message():
    r = teaching.check("u6_design_effect", 1 + 19 * 0.1, m=20, icc=0.1)
    html = r._repr_html_()
    assert "u6_design_effect" in html and "Correct" in html and "正确" in html
    assert bool(r) is True and r.status == "correct"
    assert r.tidy().iloc[0].to_dict()["passed"] is True and "u6_design_effect" in r.summary()
    # Series with one element and numpy scalars are accepted
    assert teaching.check("u6_design_effect", pd.Series([2.9]), m=20, icc=0.1).passed
    assert teaching.check("u6_design_effect", np.float32(2.9), m=20, icc=0.1).passed


def test_list_exercises_covers_six_units():
    ex = teaching.list_exercises()
    assert set(ex["unit"]) == {1, 2, 3, 4, 5, 6}
    assert ex["exercise_id"].is_unique and len(ex) >= 12


def test_generic_mistakes_and_close():
    correct = 1 + 19 * 0.1
    assert diag("u6_design_effect", -correct, m=20, icc=0.1) == (False, "sign_flipped")
    r = teaching.check("u6_design_effect", round(correct * 1.02, 3), m=20, icc=0.1)
    assert r.status == "close"
    r = teaching.check("u6_design_effect", 7.5, m=20, icc=0.1)
    assert r.status == "incorrect" and "too large" in r.message


# ---------------------------------------------------------------------------------------------
# unit 1
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def coded():
    docs = pd.DataFrame({
        "doc_id": ["m1", "m2", "n1"],
        "kind": ["minutes", "minutes", "news"],
        "text": [
            "志愿者为独居老人送餐上门，老年人很满意。\n\n居民议事会讨论停车问题。\n\n社区为高龄老人安装紧急呼叫器。\n\n今天天气很好。",
            "网格员入户走访高龄老人。\n\n物业公司清理楼道杂物，业委会监督。",
            "社区开展义诊。\n\n物业公司更换路灯，整治停车秩序。\n\n物业费调整方案公示。\n\n社区召开居民代表大会。",
        ],
    })
    return ct.ThemeCoder().code(docs, unit="paragraph", progress=False)


def test_u1_share_coded(coded):
    m = coded.matrix()
    col = m["elderly_care"]
    assert col.sum() >= 2  # the fixture has elder-care paragraphs in two documents
    assert diag("u1_share_coded", col.sum() / len(col), coded=coded, theme="elderly_care") == (True, None)
    counts = coded.hits.query("theme == 'elderly_care'").groupby("unit_id").size()
    hits_mean = counts.sum() / len(coded.units)
    docs_with = coded.units.loc[col.to_numpy() == 1, "doc_id"].nunique()
    n_docs = coded.units["doc_id"].nunique()
    # the mistakes must give distinct numbers on this fixture, or the first one listed wins
    # (with the session-6 vocabulary the original fixture made hits per unit equal 2 of 3 documents)
    assert len({round(v, 9) for v in (col.mean(), hits_mean, col.sum(), docs_with / n_docs,
                                      col.sum() / n_docs, 100 * col.mean())}) == 6
    assert diag("u1_share_coded", hits_mean, coded=coded, theme="elderly_care") == (False, "hits_not_units")
    assert diag("u1_share_coded", float(col.sum()), coded=coded, theme="elderly_care") == (False, "count_not_share")
    assert diag("u1_share_coded", docs_with / n_docs, coded=coded, theme="elderly_care") == (False, "document_share")
    assert diag("u1_share_coded", col.sum() / n_docs, coded=coded, theme="elderly_care") == (False, "divided_by_documents")
    assert diag("u1_share_coded", 100 * col.mean(), coded=coded, theme="elderly_care") == (False, "percent_not_share")
    with pytest.raises(CivictoolsError, match="not in the codebook"):
        teaching.check("u1_share_coded", 0.1, coded=coded, theme="nope")


def test_u1_top_theme(coded):
    m = coded.matrix()
    minutes = (coded.units["kind"] == "minutes").to_numpy()
    top = m[minutes].sum().idxmax()
    assert diag("u1_top_theme", top, coded=coded) == (True, None)
    label = coded.codebook.themes[top].label_zh
    assert diag("u1_top_theme", label, coded=coded) == (True, "label_not_id")
    news_top = m[~minutes].sum().idxmax()
    overall_top = m.sum().idxmax()
    if overall_top not in set(m[minutes].sum()[m[minutes].sum() == m[minutes].sum().max()].index):
        assert diag("u1_top_theme", overall_top, coded=coded) == (False, "all_kinds")
    assert diag("u1_top_theme", news_top, coded=coded, kind="news") == (True, None)
    assert diag("u1_top_theme", "no_such_theme", coded=coded)[1] == "unknown_theme"
    assert diag("u1_top_theme", 3, coded=coded)[1] == "not_a_theme_id"


# ---------------------------------------------------------------------------------------------
# unit 2
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_coders():
    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.2
    a = np.where(truth, rng.random(300) < 0.8, rng.random(300) < 0.05).astype(int)
    b = np.where(truth, rng.random(300) < 0.9, rng.random(300) < 0.25).astype(int)
    return a, b


def test_u2_percent_agreement(two_coders):
    a, b = two_coders
    po = np.mean(a == b)
    assert diag("u2_percent_agreement", po, a=a, b=b) == (True, None)
    pos = np.sum((a == 1) & (b == 1)) / np.sum((a == 1) | (b == 1))
    assert diag("u2_percent_agreement", pos, a=a, b=b) == (False, "positive_agreement_only")
    assert diag("u2_percent_agreement", 1 - po, a=a, b=b) == (False, "disagreement")


def test_u2_cohen_kappa(two_coders):
    from statsmodels.stats.inter_rater import cohens_kappa

    a, b = two_coders
    table = pd.crosstab(a, b).to_numpy()
    kappa = cohens_kappa(table, return_results=False)  # reference: statsmodels
    assert diag("u2_cohen_kappa", kappa, a=a, b=b) == (True, None)
    n = table.sum()
    po = np.trace(table) / n
    pa, pb = table.sum(1) / n, table.sum(0) / n
    pe = float(pa @ pb)
    pbar = (pa + pb) / 2
    scott = (po - pbar @ pbar) / (1 - pbar @ pbar)
    assert diag("u2_cohen_kappa", po, a=a, b=b) == (False, "raw_agreement")
    assert diag("u2_cohen_kappa", scott, a=a, b=b) == (False, "scott_pi")
    assert diag("u2_cohen_kappa", 2 * po - 1, a=a, b=b) == (False, "uniform_chance")
    assert diag("u2_cohen_kappa", po - pe, a=a, b=b) == (False, "no_denominator")
    assert diag("u2_cohen_kappa", pe, a=a, b=b) == (False, "chance_agreement")
    assert diag("u2_cohen_kappa", -kappa, a=a, b=b) == (False, "sign_flipped")


def test_u2_krippendorff_alpha():
    import krippendorff  # test-only reference implementation

    rng = np.random.default_rng(4)
    truth = rng.random(200) < 0.3
    cols = {}
    for name, se, fp in [("a", 0.85, 0.05), ("b", 0.75, 0.1), ("c", 0.8, 0.04)]:
        cols[name] = np.where(truth, rng.random(200) < se, rng.random(200) < fp).astype(float)
    r = pd.DataFrame(cols).mask(rng.random((200, 3)) < 0.3)
    ref = krippendorff.alpha(reliability_data=r.T.to_numpy(), level_of_measurement="nominal")
    assert diag("u2_krippendorff_alpha", ref, ratings=r) == (True, None)
    # civictools.agreement gives the same value
    tbl = r.assign(unit_id=range(200), theme="t")
    ct_alpha = ct.agreement(tbl, coders=["a", "b", "c"], n_boot=0).wide().loc["t", "krippendorff_alpha"]
    assert ct_alpha == pytest.approx(ref, abs=1e-9)
    complete = r.dropna()
    listwise = krippendorff.alpha(reliability_data=complete.T.to_numpy(), level_of_measurement="nominal")
    assert diag("u2_krippendorff_alpha", listwise, ratings=r) == (False, "complete_units_only")
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    fk = fleiss_kappa(aggregate_raters(complete.to_numpy().astype(int))[0])
    assert diag("u2_krippendorff_alpha", fk, ratings=r) == (False, "fleiss_complete")
    shares = []
    for row in r.to_numpy():
        v = row[~np.isnan(row)]
        if len(v) >= 2:
            pairs = [(i, j) for i in range(len(v)) for j in range(i + 1, len(v))]
            shares.append(np.mean([v[i] == v[j] for i, j in pairs]))
    assert diag("u2_krippendorff_alpha", np.mean(shares), ratings=r) == (False, "percent_agreement")
    ab = r[["a", "b"]].dropna()
    from statsmodels.stats.inter_rater import cohens_kappa

    ck = cohens_kappa(pd.crosstab(ab["a"], ab["b"]).to_numpy(), return_results=False)
    assert diag("u2_krippendorff_alpha", ck, ratings=r) == (False, "cohen_first_two")


# ---------------------------------------------------------------------------------------------
# unit 3
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def survey():
    s = ct.load_demo_survey().merge(ct.load_district()[["community_id", "street"]], on="community_id")
    return s.assign(programme=(s["cohort"] > 0).astype(int), post=(s["wave"] == 2).astype(int))


def test_u3_did_2x2(survey):
    import statsmodels.formula.api as smf

    coef = smf.ols("ucla_total ~ programme * post", data=survey).fit().params["programme:post"]
    assert diag("u3_did_2x2", coef, data=survey) == (True, None)
    assert diag("u3_did_2x2", coef) == (True, None)  # default data = the demo survey
    mean = lambda g, p: survey.query("programme == @g and post == @p")["ucla_total"].mean()  # noqa: E731
    assert diag("u3_did_2x2", mean(1, 1) - mean(1, 0), data=survey) == (False, "forgot_control_change")
    assert diag("u3_did_2x2", mean(1, 1) - mean(0, 1), data=survey) == (False, "post_difference")
    assert diag("u3_did_2x2", mean(1, 0) - mean(0, 0), data=survey) == (False, "pre_difference")
    assert diag("u3_did_2x2", mean(0, 1) - mean(0, 0), data=survey) == (False, "control_change_only")
    assert diag("u3_did_2x2", -coef, data=survey) == (False, "sign_flipped")
    cm = survey.groupby(["community_id", "programme", "post"])["ucla_total"].mean().reset_index()
    cmm = lambda g, p: cm.query("programme == @g and post == @p")["ucla_total"].mean()  # noqa: E731
    assert diag("u3_did_2x2", (cmm(1, 1) - cmm(1, 0)) - (cmm(0, 1) - cmm(0, 0)), data=survey) == (False, "community_means")
    # another outcome
    coef_s = smf.ols("swls_total ~ programme * post", data=survey).fit().params["programme:post"]
    assert diag("u3_did_2x2", coef_s, data=survey, outcome="swls_total") == (True, None)


def test_u3_cluster_se(survey):
    import statsmodels.formula.api as smf

    f = "ucla_total ~ programme * post"
    cl = smf.ols(f, data=survey).fit(cov_type="cluster", cov_kwds={"groups": survey["community_id"]})
    assert diag("u3_cluster_se", cl.bse["programme:post"], data=survey) == (True, None)
    iid = smf.ols(f, data=survey).fit().bse["programme:post"]
    hc1 = smf.ols(f, data=survey).fit(cov_type="HC1").bse["programme:post"]
    street = smf.ols(f, data=survey).fit(cov_type="cluster", cov_kwds={"groups": survey["street"]}).bse["programme:post"]
    assert diag("u3_cluster_se", iid, data=survey) == (False, "iid_se")
    assert diag("u3_cluster_se", hc1, data=survey) == (False, "hc1_se")
    assert diag("u3_cluster_se", street, data=survey) == (False, "clustered_by_street")
    cr0 = smf.ols(f, data=survey).fit(cov_type="cluster", cov_kwds={"groups": survey["community_id"],
                                                                    "use_correction": False}).bse["programme:post"]
    assert diag("u3_cluster_se", cr0, data=survey) == (True, "cr0")
    msg = teaching.check("u3_cluster_se", iid, data=survey).message
    assert "iid" in msg and "cluster" in msg


# ---------------------------------------------------------------------------------------------
# unit 4
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim():
    return ct.simulate_rollout(n_units=90, n_periods=8, cohorts=(3, 6), seed=11)


def test_u4_true_att(sim):
    d = sim.data
    correct = d.loc[d["treated"] == 1, "te"].mean()
    assert diag("u4_true_att", correct, sim=sim) == (True, None)
    assert diag("u4_true_att", d["te"].mean(), sim=sim) == (False, "all_rows_te")
    tr = sim.truth
    incl_pre = (tr["att"] * tr["n_units"]).sum() / tr["n_units"].sum()
    assert diag("u4_true_att", incl_pre, sim=sim) == (False, "included_pre_periods")
    post = tr[tr["event_time"] >= 0]
    cohort_avg = post.groupby("group")["att"].mean().mean()
    assert diag("u4_true_att", cohort_avg, sim=sim) == (False, "cohort_average")
    ev = d[d["treated"] == 1].assign(e=lambda x: x["period"] - x["first_treat"]).groupby("e")["te"].mean().mean()
    assert diag("u4_true_att", ev, sim=sim) == (False, "event_time_average")


def test_u4_att_gt(sim):
    d = sim.data
    ybar = d.groupby(["first_treat", "period"])["y"].mean()
    g, t = 3, 7
    correct = (ybar[g, t] - ybar[g, g - 1]) - (ybar[0, t] - ybar[0, g - 1])
    assert diag("u4_att_gt", correct, data=d, g=g, t=t) == (True, None)
    # reference: R did-style estimates by civictools.att_gt (no covariates: equals the 2x2)
    from civictools.evaluate.att_gt import att_gt

    res = att_gt(d, "y", "unit", "period", "first_treat")
    row = res.tidy().query("group == @g and time == @t")
    assert float(row["estimate"].iloc[0]) == pytest.approx(correct, abs=1e-8)
    assert diag("u4_att_gt", ybar[g, t] - ybar[g, g - 1], data=d, g=g, t=t) == (False, "forgot_control_change")
    assert diag("u4_att_gt", ybar[g, t] - ybar[0, t], data=d, g=g, t=t) == (False, "post_level_difference")
    short = (ybar[g, t] - ybar[g, t - 1]) - (ybar[0, t] - ybar[0, t - 1])
    assert diag("u4_att_gt", short, data=d, g=g, t=t) == (False, "short_difference")
    # at t = 7 the only not-yet-treated units are never-treated ones; at t = 4 cohort 6 adds to them
    ny4 = d[(d["first_treat"] == 0) | (d["first_treat"] > 4)].groupby("period")["y"].mean()
    notyet4 = (ybar[g, 4] - ybar[g, g - 1]) - (ny4[4] - ny4[g - 1])
    assert diag("u4_att_gt", notyet4, data=d, g=g, t=4) == (False, "not_yet_treated_control")
    with pytest.raises(CivictoolsError, match="no units"):
        teaching.check("u4_att_gt", 1.0, data=d, g=5, t=6)


def test_u4_twfe_bias(sim):
    import statsmodels.formula.api as smf

    d = sim.data
    # reference TWFE by dummy regression (independent of civictools' FE engine)
    est = smf.ols("y ~ treated + C(unit) + C(period)", data=d).fit().params["treated"]
    truth = d.loc[d["treated"] == 1, "te"].mean()
    assert diag("u4_twfe_bias", est - truth, sim=sim) == (True, None)
    assert diag("u4_twfe_bias", truth - est, sim=sim) == (False, "truth_minus_estimate")
    assert diag("u4_twfe_bias", (est - truth) / truth, sim=sim) == (False, "relative_bias")
    assert diag("u4_twfe_bias", est, sim=sim) == (False, "estimate_not_bias")


# ---------------------------------------------------------------------------------------------
# unit 5
# ---------------------------------------------------------------------------------------------

def test_u5_t_critical():
    G = 12
    assert diag("u5_t_critical", stats.t.ppf(0.975, G - 1), n_clusters=G) == (True, None)
    assert diag("u5_t_critical", 1.959964, n_clusters=G) == (False, "normal_quantile")
    assert diag("u5_t_critical", stats.t.ppf(0.975, G), n_clusters=G) == (False, "df_equals_G")
    assert diag("u5_t_critical", stats.t.ppf(0.95, G - 1), n_clusters=G) == (False, "one_sided_t")
    assert diag("u5_t_critical", 1.644854, n_clusters=G) == (False, "one_sided_normal")
    assert diag("u5_t_critical", stats.t.ppf(0.975, 94), n_clusters=G, n_obs=96) == (False, "df_from_observations")
    assert diag("u5_t_critical", stats.t.ppf(0.995, G - 1), n_clusters=G, alpha=0.01) == (True, None)


def test_u5_rejection_rate():
    p = np.random.default_rng(2).random(500) ** 1.5
    rate = np.mean(p < 0.05)
    assert diag("u5_rejection_rate", rate, p_values=p) == (True, None)
    assert diag("u5_rejection_rate", 1 - rate, p_values=p) == (False, "complement")
    assert diag("u5_rejection_rate", float(np.sum(p < 0.05)), p_values=p) == (False, "count_not_share")
    assert diag("u5_rejection_rate", np.mean(p < 0.025), p_values=p) == (False, "halved_alpha")
    assert diag("u5_rejection_rate", 100 * rate, p_values=p) == (False, "percent_not_share")


@pytest.fixture(scope="module")
def few_cluster_fit():
    rng = np.random.default_rng(6)
    G, T = 12, 6
    d = pd.DataFrame({"u": np.repeat(np.arange(G), T), "t": np.tile(np.arange(T), G)})
    d["d"] = ((d.u < 3) & (d.t >= 3)).astype(float)
    d["y"] = rng.standard_normal(G)[d.u] + 0.2 * d.t + 0.6 * d.d + rng.normal(0, 1, len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ct.twfe(d, "y", "u", "t", "d")


def test_u5_wild_p(few_cluster_fit):
    fit = few_cluster_fit
    wb = ct.wild_cluster_bootstrap(fit, B=999, seed=1)
    assert diag("u5_wild_p", wb.p_value, result=fit) == (True, None)
    # another seed: Monte Carlo noise is accepted
    other = ct.wild_cluster_bootstrap(fit, B=999, seed=7).p_value
    assert diag("u5_wild_p", other, result=fit)[0] is True
    tid = fit.tidy().iloc[0]
    assert abs(tid["p_value"] - wb.p_value) > 0.02
    assert diag("u5_wild_p", tid["p_value"], result=fit) == (False, "cr1_p_value")
    p_norm = 2 * stats.norm.sf(abs(tid["statistic"]))
    assert abs(p_norm - wb.p_value) > 0.05
    assert diag("u5_wild_p", p_norm, result=fit) == (False, "normal_p_value")
    wcu = ct.wild_cluster_bootstrap(fit, B=999, seed=1, impose_null=False).p_value
    if abs(wcu - wb.p_value) > 0.03:
        assert diag("u5_wild_p", wcu, result=fit) == (False, "wcu_not_wcr")


# ---------------------------------------------------------------------------------------------
# unit 6
# ---------------------------------------------------------------------------------------------

def test_u6_design_effect():
    m, icc = 25, 0.04
    assert diag("u6_design_effect", 1 + 24 * 0.04, m=m, icc=icc) == (True, None)
    assert diag("u6_design_effect", 1 + 25 * 0.04, m=m, icc=icc) == (False, "m_instead_of_m_minus_1")
    assert diag("u6_design_effect", 24 * 0.04, m=m, icc=icc) == (False, "forgot_one")
    assert diag("u6_design_effect", 1 / 1.96, m=m, icc=icc) == (False, "inverse")
    assert diag("u6_design_effect", 1.4, m=m, icc=icc) == (False, "sqrt_deff")
    with pytest.raises(CivictoolsError, match="icc"):
        teaching.check("u6_design_effect", 1.0, m=m, icc=1.5)


def _power_two_sample_t(d, n1):
    """Power of a two-sided two-sample t test, equal groups, via the noncentral t (scipy)."""
    df = 2 * n1 - 2
    nc = d * math.sqrt(n1 / 2)
    crit = stats.t.ppf(0.975, df)
    return stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)


def test_u6_mde():
    from statsmodels.stats.power import TTestIndPower

    k, m, icc, sd = 12, 15, 0.08, 2.5
    deff = 1 + (m - 1) * icc
    d = abs(float(TTestIndPower().solve_power(effect_size=None, nobs1=k * m / deff, alpha=0.05, power=0.8)))
    assert _power_two_sample_t(d, k * m / deff) == pytest.approx(0.8, abs=1e-4)  # independent reference
    ctx = dict(n_clusters=k, m=m, icc=icc, sd=sd)
    assert diag("u6_mde", d * sd, **ctx) == (True, None)
    z = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * sd * math.sqrt(2 * deff / (k * m))
    assert diag("u6_mde", z, **ctx) == (True, "normal_approximation")
    d0 = abs(float(TTestIndPower().solve_power(effect_size=None, nobs1=k * m, alpha=0.05, power=0.8)))
    assert diag("u6_mde", d0 * sd, **ctx) == (False, "no_design_effect")
    assert diag("u6_mde", d0 * sd * deff, **ctx) == (False, "deff_on_effect")
    assert diag("u6_mde", d, **ctx) == (False, "standardized_not_raw")
    d2 = abs(float(TTestIndPower().solve_power(effect_size=None, nobs1=2 * k * m / deff, alpha=0.05, power=0.8)))
    assert diag("u6_mde", d2 * sd, **ctx) == (False, "total_not_per_arm")
    d1 = abs(float(TTestIndPower().solve_power(effect_size=None, nobs1=k * m / deff, alpha=0.05, power=0.8,
                                               alternative="larger")))
    assert diag("u6_mde", d1 * sd, **ctx) == (False, "one_sided")
    dk = abs(float(TTestIndPower().solve_power(effect_size=None, nobs1=k, alpha=0.05, power=0.8)))
    assert diag("u6_mde", dk * sd, **ctx) == (False, "clusters_as_n")


def test_u6_clusters_needed():
    from statsmodels.stats.power import TTestIndPower

    mde, m, icc, sd = 0.5, 20, 0.05, 2.0
    n = float(TTestIndPower().solve_power(effect_size=mde / sd, nobs1=None, alpha=0.05, power=0.8))
    deff = 1 + (m - 1) * icc
    exact = n * deff / m
    k = math.ceil(exact)
    assert exact != k
    ctx = dict(mde=mde, m=m, icc=icc, sd=sd)
    assert diag("u6_clusters_needed", k, **ctx) == (True, None)
    assert diag("u6_clusters_needed", exact, **ctx) == (False, "not_rounded_up")
    assert diag("u6_clusters_needed", math.floor(exact), **ctx) == (False, "rounded_down")
    assert diag("u6_clusters_needed", math.ceil(n / m), **ctx) == (False, "no_design_effect")
    assert diag("u6_clusters_needed", 2 * k, **ctx) == (False, "both_arms")
    assert diag("u6_clusters_needed", math.ceil(exact * m), **ctx) == (False, "people_not_clusters")
    assert teaching.check("u6_clusters_needed", k + 7, **ctx).status == "incorrect"
