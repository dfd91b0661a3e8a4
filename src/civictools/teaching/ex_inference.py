"""Checks for units 5–6: few clusters and the wild bootstrap; power for cluster designs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from civictools.errors import CivictoolsError
from civictools.teaching._core import CheckResult, Mistake, as_number, exercise, judge_number

__all__: list[str] = []


def _positive_int(v: Any, name: str, minimum: int = 1) -> int:
    try:
        iv = int(v)
    except (TypeError, ValueError):
        raise CivictoolsError(f"{name}= must be an integer, got {v!r}") from None
    if iv != v or iv < minimum:
        raise CivictoolsError(f"{name}= must be an integer >= {minimum}, got {v!r}")
    return iv


def _prob(v: Any, name: str) -> float:
    f = float(v)
    if not 0 < f < 1:
        raise CivictoolsError(f"{name}= must be between 0 and 1, got {v!r}")
    return f


# ---------------------------------------------------------------------------------------------
# unit 5
# ---------------------------------------------------------------------------------------------

@exercise("u5_t_critical", 5, "少聚类时的临界值 / Critical value with G clusters",
          requires=("n_clusters",), defaults={"alpha": 0.05, "n_obs": None})
def _u5_tcrit(ex_id: str, answer: Any, *, n_clusters: Any, alpha: Any, n_obs: Any) -> CheckResult:
    from scipy import stats

    G = _positive_int(n_clusters, "n_clusters", 2)
    a = _prob(alpha, "alpha")
    correct = float(stats.t.ppf(1 - a / 2, G - 1))
    mistakes = [
        Mistake("normal_quantile", float(stats.norm.ppf(1 - a / 2)),
                f"这是标准正态的临界值。只有 {G} 个聚类时，聚类稳健 t 统计量近似服从自由度 G − 1 = {G - 1} 的 t 分布，临界值更大。",
                f"This is the normal quantile. With {G} clusters the cluster-robust t statistic is compared with t(G − 1 = {G - 1}), whose critical value is larger."),
        Mistake("df_equals_G", float(stats.t.ppf(1 - a / 2, G)),
                f"自由度差了 1：聚类稳健推断用 G − 1 = {G - 1}，不是 G。",
                f"Off by one degree of freedom: cluster-robust inference uses G − 1 = {G - 1}, not G."),
        Mistake("one_sided_t", float(stats.t.ppf(1 - a, G - 1)),
                "这是单侧检验的临界值；双侧检验要用 1 − α/2 分位数。",
                "This is the one-sided critical value; a two-sided test uses the 1 − α/2 quantile."),
        Mistake("one_sided_normal", float(stats.norm.ppf(1 - a)),
                "这是单侧、正态的临界值：应当是双侧（1 − α/2）并用 t(G − 1)。",
                "This is a one-sided normal quantile: use the two-sided (1 − α/2) quantile of t(G − 1)."),
    ]
    if n_obs is not None:
        n = _positive_int(n_obs, "n_obs", 3)
        mistakes.append(Mistake(
            "df_from_observations", float(stats.t.ppf(1 - a / 2, max(n - 2, 1))),
            "你的自由度来自观测数 N：聚类稳健方差的信息量取决于聚类数，自由度应为 G − 1。",
            "Your degrees of freedom come from the number of observations; a cluster-robust variance has as much information as there are clusters: use G − 1."))
    return judge_number(ex_id, answer, correct, mistakes, rtol=0.002,
                        hint_zh="提示：scipy.stats.t.ppf(1 - alpha/2, G - 1)。",
                        hint_en="Hint: scipy.stats.t.ppf(1 - alpha/2, G - 1).")


@exercise("u5_rejection_rate", 5, "模拟中的拒绝率（检验水平）/ Rejection rate in a size simulation",
          requires=("p_values",), defaults={"alpha": 0.05})
def _u5_rate(ex_id: str, answer: Any, *, p_values: Any, alpha: Any) -> CheckResult:
    p = np.asarray(p_values, dtype=float).ravel()
    p = p[np.isfinite(p)]
    if p.size == 0:
        raise CivictoolsError("p_values= holds no finite p-values")
    a = _prob(alpha, "alpha")
    correct = float(np.mean(p < a))
    mistakes = [
        Mistake("complement", float(np.mean(p >= a)),
                "这是“没有拒绝”的比例；检验水平（size）是原假设为真时拒绝的比例：p < α。",
                "This is the share NOT rejected; the size is the share of rejections under the null: p < α."),
        Mistake("count_not_share", float(np.sum(p < a)),
                "这是拒绝的次数，请除以模拟次数得到比例。",
                "This is the number of rejections; divide by the number of simulations."),
        Mistake("halved_alpha", float(np.mean(p < a / 2)),
                "p 值已经是双侧的，直接与 α 比较即可，不要再用 α/2。",
                "The p-values are already two-sided: compare them with α, not α/2."),
    ]
    return judge_number(ex_id, answer, correct, mistakes, hint_zh="提示：np.mean(p < alpha)。", hint_en="Hint: np.mean(p < alpha).")


@exercise("u5_wild_p", 5, "野聚类自助法 p 值 / Wild cluster bootstrap p-value",
          requires=("result",), defaults={"B": 999, "seed": 1})
def _u5_wild(ex_id: str, answer: Any, *, result: Any, B: Any, seed: Any) -> CheckResult:
    from scipy import stats

    from civictools.evaluate import wild_cluster_bootstrap

    if not hasattr(result, "_design"):
        raise CivictoolsError("result= must be a clustered fit from civictools.twfe(...)")
    wb = wild_cluster_bootstrap(result, B=int(B), seed=seed, ci=False)
    wcu = wild_cluster_bootstrap(result, B=int(B), seed=seed, ci=False, impose_null=False)
    term = wb.term
    tidy = result.tidy().set_index("term")
    t_stat = float(tidy.loc[term, "statistic"])
    correct = float(wb.p_value)
    # another seed gives another p-value; accept three Monte Carlo standard errors
    mc = 0.0 if wb.enumerated else 3 * math.sqrt(max(correct * (1 - correct), 1.0 / wb.B) / wb.B)
    mistakes = [
        Mistake("cr1_p_value", float(tidy.loc[term, "p_value"]),
                f"这是常规聚类稳健（CR1）t 检验的 p 值。只有 {wb.n_clusters} 个聚类（处理聚类更少）时它往往过小；题目要求野聚类自助法的 p 值（wild_cluster_bootstrap(...).p_value）。",
                f"This is the usual cluster-robust (CR1) t-test p-value, often too small with {wb.n_clusters} clusters and fewer treated ones; the exercise asks for the wild cluster bootstrap p-value."),
        Mistake("normal_p_value", float(2 * stats.norm.sf(abs(t_stat))),
                "这是用正态分布算的 p 值，在少聚类时最容易过度拒绝。",
                "This p-value uses the normal distribution, which over-rejects most with few clusters."),
        Mistake("wcu_not_wcr", float(wcu.p_value),
                "这是不施加原假设的 WCU 自助法。少聚类时施加原假设的 WCR（impose_null=True，默认）检验水平更准确。",
                "This is the WCU bootstrap (null not imposed). With few clusters the WCR bootstrap (impose_null=True, the default) has more accurate size."),
    ]
    return judge_number(ex_id, answer, correct, mistakes, rtol=0.0, atol=max(mc, 1e-9), generic=False,
                        mistake_tol=(0.005, 1e-4),
                        hint_zh="提示：ct.wild_cluster_bootstrap(fit, B=999, seed=1).p_value。",
                        hint_en="Hint: ct.wild_cluster_bootstrap(fit, B=999, seed=1).p_value.")


# ---------------------------------------------------------------------------------------------
# unit 6
# ---------------------------------------------------------------------------------------------

def design_effect(m: float, icc: float) -> float:
    """Kish design effect of equal clusters of size ``m``: 1 + (m − 1)·ICC."""
    return 1.0 + (m - 1.0) * icc


def _design_args(m: Any, icc: Any) -> tuple[float, float]:
    mm = float(m)
    if mm < 1:
        raise CivictoolsError(f"m= (people per cluster) must be >= 1, got {m!r}")
    r = float(icc)
    if not 0 <= r < 1:
        raise CivictoolsError(f"icc= must be in [0, 1), got {icc!r}")
    return mm, r


@exercise("u6_design_effect", 6, "设计效应 / Design effect", requires=("m", "icc"))
def _u6_deff(ex_id: str, answer: Any, *, m: Any, icc: Any) -> CheckResult:
    mm, r = _design_args(m, icc)
    correct = design_effect(mm, r)
    mistakes = [
        Mistake("m_instead_of_m_minus_1", 1 + mm * r,
                "公式是 1 + (m − 1)·ICC：一个聚类里每个人与另外 m − 1 个人相关，不是 m 个。",
                "The formula is 1 + (m − 1)·ICC: each person correlates with the m − 1 others in the cluster, not m."),
        Mistake("forgot_one", (mm - 1) * r,
                "漏掉了 1：设计效应 = 1 + (m − 1)·ICC；ICC = 0 时它等于 1（与简单随机抽样相同）。",
                "You dropped the 1: DEFF = 1 + (m − 1)·ICC, which equals 1 when ICC = 0 (as simple random sampling)."),
        Mistake("inverse", 1 / correct,
                "这是设计效应的倒数（有效样本量占比）。设计效应本身 ≥ 1。",
                "This is the inverse of the design effect (the effective share of the sample); the design effect itself is ≥ 1."),
        Mistake("sqrt_deff", math.sqrt(correct),
                "这是 √DEFF，即标准误的膨胀倍数；设计效应是方差的膨胀倍数。",
                "This is √DEFF, the inflation of the standard error; the design effect inflates the variance."),
    ]
    return judge_number(ex_id, answer, correct, mistakes, rtol=1e-4, atol=1e-9,
                        hint_zh="提示：DEFF = 1 + (m − 1)·ICC。", hint_en="Hint: DEFF = 1 + (m − 1)·ICC.")


def _power_args(alpha: Any, power: Any, sd: Any) -> tuple[float, float, float]:
    s = float(sd)
    if s <= 0:
        raise CivictoolsError(f"sd= must be positive, got {sd!r}")
    return _prob(alpha, "alpha"), _prob(power, "power"), s


def cluster_mde(n_clusters: float, m: float, icc: float, sd: float = 1.0, alpha: float = 0.05,
                power: float = 0.8, *, use_deff: bool = True, alternative: str = "two-sided") -> float:
    """Minimum detectable effect (outcome units) of a two-arm cluster design, ``n_clusters`` per arm.

    Effective sample size per arm ``n_clusters·m / DEFF`` in statsmodels' ``TTestIndPower``.
    """
    from statsmodels.stats.power import TTestIndPower

    n_eff = n_clusters * m / (design_effect(m, icc) if use_deff else 1.0)
    d = TTestIndPower().solve_power(effect_size=None, nobs1=n_eff, alpha=alpha, power=power, ratio=1.0,
                                    alternative=alternative)
    return abs(float(np.asarray(d).ravel()[0])) * sd


@exercise("u6_mde", 6, "整群设计的最小可检测效应 / Minimum detectable effect of a cluster design",
          requires=("n_clusters", "m", "icc"), defaults={"sd": 1.0, "alpha": 0.05, "power": 0.8})
def _u6_mde(ex_id: str, answer: Any, *, n_clusters: Any, m: Any, icc: Any, sd: Any, alpha: Any,
            power: Any) -> CheckResult:
    from scipy import stats

    k = _positive_int(n_clusters, "n_clusters", 2)
    mm, r = _design_args(m, icc)
    a, pw, s = _power_args(alpha, power, sd)
    deff = design_effect(mm, r)
    correct = cluster_mde(k, mm, r, s, a, pw)
    no_deff = cluster_mde(k, mm, r, s, a, pw, use_deff=False)
    z = (stats.norm.ppf(1 - a / 2) + stats.norm.ppf(pw)) * s * math.sqrt(2 * deff / (k * mm))
    mistakes = [
        Mistake("no_design_effect", no_deff,
                f"你忽略了整群：把 {k}×{mm:g} 人当作独立个体。设计效应 DEFF = {deff:.2f}，有效样本量要除以它，MDE 约放大 √DEFF = {math.sqrt(deff):.2f} 倍。",
                f"You ignored the clustering and treated {k}×{mm:g} people as independent. With DEFF = {deff:.2f} divide the sample size by it; the MDE grows by about √DEFF = {math.sqrt(deff):.2f}."),
        Mistake("deff_on_effect", no_deff * deff,
                "你把 MDE 直接乘以了 DEFF。设计效应放大的是方差：样本量除以 DEFF，MDE 只放大 √DEFF 倍。",
                "You multiplied the MDE by DEFF. The design effect inflates the variance: divide the sample size by DEFF; the MDE grows by √DEFF only."),
        Mistake("total_not_per_arm", cluster_mde(2 * k, mm, r, s, a, pw),
                "TTestIndPower 的 nobs1 是每组（每臂）的样本量，你给的是两组合计。",
                "nobs1 in TTestIndPower is the sample size per arm; you gave the total of both arms."),
        Mistake("one_sided", cluster_mde(k, mm, r, s, a, pw, alternative="larger"),
                "这是单侧检验的 MDE；本题使用双侧检验（alternative='two-sided'）。",
                "This is the one-sided MDE; the exercise uses a two-sided test (alternative='two-sided')."),
        Mistake("clusters_as_n", cluster_mde(k, 1.0, 0.0, s, a, pw),
                "你把聚类数当作样本量，完全没有利用每个社区里的多位居民。有效样本量是 聚类数 × m / DEFF。",
                "You used the number of clusters as the sample size, ignoring the residents inside each cluster; the effective size is clusters × m / DEFF."),
    ]
    if s != 1.0:
        mistakes.append(Mistake(
            "standardized_not_raw", correct / s,
            f"这是标准化效应量（Cohen's d）。题目要原单位下的 MDE：再乘以结果的标准差 {s:g}。",
            f"This is the standardised effect (Cohen's d); the exercise asks for the MDE in outcome units: multiply by the SD {s:g}."))
    accept = [Mistake("normal_approximation", z,
                      "你用了正态近似 (z₁₋α/₂ + z_power)·σ·√(2·DEFF/(k·m))；与 t 分布的结果只差一点。",
                      "You used the normal approximation (z₁₋α/₂ + z_power)·σ·√(2·DEFF/(k·m)), slightly smaller than the t-based value.")]
    return judge_number(ex_id, answer, correct, mistakes, accept=accept, rtol=0.005,
                        hint_zh="提示：DEFF = 1 + (m−1)·ICC；nobs1 = k·m/DEFF；TTestIndPower().solve_power(effect_size=None, nobs1=..., alpha=..., power=...) 给出标准化的 MDE。",
                        hint_en="Hint: DEFF = 1 + (m−1)·ICC; nobs1 = k·m/DEFF; TTestIndPower().solve_power(effect_size=None, ...) gives the standardised MDE.")


def clusters_needed(mde: float, m: float, icc: float, sd: float = 1.0, alpha: float = 0.05, power: float = 0.8,
                    *, use_deff: bool = True, exact: bool = False) -> float:
    """Clusters per arm for a two-arm cluster design to detect ``mde`` (rounded up unless ``exact``)."""
    from statsmodels.stats.power import TTestIndPower

    n = TTestIndPower().solve_power(effect_size=mde / sd, nobs1=None, alpha=alpha, power=power, ratio=1.0)
    k = float(np.asarray(n).ravel()[0]) * (design_effect(m, icc) if use_deff else 1.0) / m
    return k if exact else float(math.ceil(k - 1e-6))


@exercise("u6_clusters_needed", 6, "需要多少个社区 / Clusters needed per arm",
          requires=("mde", "m", "icc"), defaults={"sd": 1.0, "alpha": 0.05, "power": 0.8})
def _u6_k(ex_id: str, answer: Any, *, mde: Any, m: Any, icc: Any, sd: Any, alpha: Any, power: Any) -> CheckResult:
    mm, r = _design_args(m, icc)
    a, pw, s = _power_args(alpha, power, sd)
    if float(mde) <= 0:
        raise CivictoolsError(f"mde= must be positive, got {mde!r}")
    x = as_number(answer)
    if x is None:
        return judge_number(ex_id, answer, 0.0)
    correct = clusters_needed(float(mde), mm, r, s, a, pw)
    exact = clusters_needed(float(mde), mm, r, s, a, pw, exact=True)
    if x == correct:
        return CheckResult(ex_id, True, "correct", None, "正确！\nCorrect.")
    deff = design_effect(mm, r)
    people = float(math.ceil(exact * mm - 1e-9))
    cases = [
        (abs(x - exact) < 1e-6 * max(1, exact) or (x != int(x) and abs(x - exact) < 0.01), "not_rounded_up",
         "计算对了，但社区数必须是整数，并且要向上取整（math.ceil），否则功效达不到要求。",
         "The computation is right, but the number of clusters must be a whole number rounded up (math.ceil), or the power falls short."),
        (x == math.floor(exact) and x != correct, "rounded_down",
         "你向下取整了：少一个社区功效就达不到目标，要向上取整。",
         "You rounded down: one cluster fewer misses the target power; round up."),
        (x == clusters_needed(float(mde), mm, r, s, a, pw, use_deff=False), "no_design_effect",
         f"你没有乘以设计效应 DEFF = {deff:.2f}：同一社区的居民相关，需要的人数要放大 DEFF 倍。",
         f"You did not multiply by the design effect DEFF = {deff:.2f}: residents of one community are correlated, so the number of people grows by DEFF."),
        (x == 2 * correct, "both_arms",
         "这是两臂合计的社区数；题目问的是每臂需要多少个社区。",
         "This is the total for both arms; the exercise asks for clusters per arm."),
        (x == people or x == float(math.ceil(exact)) * mm, "people_not_clusters",
         f"这是每臂需要的居民人数；再除以每个社区的样本量 m = {mm:g}，得到社区数。",
         f"This is the number of residents per arm; divide by m = {mm:g} per cluster to get clusters."),
    ]
    for hit, code, zh, en in cases:
        if hit:
            return CheckResult(ex_id, False, "mistake", code, f"{zh}\n{en}")
    return judge_number(ex_id, x, correct, generic=True, rtol=0.0, atol=1e-9,
                        hint_zh="提示：人数 n = solve_power(effect_size=mde/sd, nobs1=None, ...)；社区数 = ceil(n·DEFF/m)。",
                        hint_en="Hint: people n = solve_power(effect_size=mde/sd, nobs1=None, ...); clusters = ceil(n·DEFF/m).")
