"""Checks for units 3–4: a first difference-in-differences, and staggered roll-out."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from civictools.errors import CivictoolsError
from civictools.teaching._core import CheckResult, Mistake, exercise, judge_number, need_columns

__all__: list[str] = []


def _survey(data: Any) -> pd.DataFrame:
    if data is None:
        from civictools.datasets import load_demo_survey

        data = load_demo_survey()
    return need_columns(data, ["cohort", "wave", "community_id"], "data")


def did_cells(data: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Mean outcome by programme group (cohort > 0) and wave (post = wave 2)."""
    need_columns(data, [outcome], "data")
    d = data.assign(_g=(data["cohort"] > 0).astype(int), _p=(data["wave"] == data["wave"].max()).astype(int))
    return d.groupby(["_g", "_p"])[outcome].mean().unstack("_p")


# ---------------------------------------------------------------------------------------------
# unit 3
# ---------------------------------------------------------------------------------------------

@exercise("u3_did_2x2", 3, "手算 2×2 双重差分 / The 2x2 DiD by hand",
          defaults={"data": None, "outcome": "ucla_total"})
def _u3_did(ex_id: str, answer: Any, *, data: Any, outcome: str) -> CheckResult:
    d = _survey(data)
    m = did_cells(d, outcome)
    t_pre, t_post, c_pre, c_post = m.loc[1, 0], m.loc[1, 1], m.loc[0, 0], m.loc[0, 1]
    correct = float((t_post - t_pre) - (c_post - c_pre))
    cm = (d.assign(_g=(d["cohort"] > 0).astype(int), _p=(d["wave"] == d["wave"].max()).astype(int))
          .groupby(["community_id", "_g", "_p"])[outcome].mean().groupby(["_g", "_p"]).mean().unstack("_p"))
    mistakes = [
        Mistake("forgot_control_change", float(t_post - t_pre),
                "这只是处理组的前后变化：还要减去控制组同期的变化，否则全区共同的时间趋势会被算作项目效应。",
                "This is only the treated group's before–after change: subtract the control group's change too, or the district-wide trend is counted as an effect."),
        Mistake("post_difference", float(t_post - c_post),
                "这是第二期两组水平之差（天真的事后比较）：它混入了两组原本就存在的差异。请用两组各自的变化相减。",
                "This is the post-period difference in levels (a naive comparison): it includes differences the groups had all along. Subtract changes, not levels."),
        Mistake("pre_difference", float(t_pre - c_pre),
                "这是第一期（基线）两组的差异，还没有用到处理后的数据。",
                "This is the baseline gap between the groups; it does not use the post period at all."),
        Mistake("control_change_only", float(c_post - c_pre),
                "这是控制组的前后变化（共同趋势），还需要用处理组的变化减去它。",
                "This is the control group's change (the common trend); subtract it from the treated group's change."),
        Mistake("community_means", float((cm.loc[1, 1] - cm.loc[1, 0]) - (cm.loc[0, 1] - cm.loc[0, 0])),
                "你先算社区均值、再对社区平均，等于给每个社区相同权重。题目要求按受访者计算（每位居民权重相同）。",
                "You averaged community means, giving every community equal weight; the exercise weights every respondent equally."),
    ]
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：DiD = (处理组后 − 处理组前) − (控制组后 − 控制组前)；处理组 = cohort > 0，处理后 = wave == 2。",
                        hint_en="Hint: DiD = (treated after − treated before) − (control after − control before); treated = cohort > 0, after = wave == 2.")


def did_regression_ses(data: pd.DataFrame, outcome: str, cluster: str) -> dict[str, float]:
    """Standard errors of the interaction in ``y ~ g + p + g:p`` under several variance estimators."""
    import statsmodels.api as sm

    need_columns(data, [outcome, cluster], "data")
    d = data.dropna(subset=[outcome])
    g = (d["cohort"] > 0).to_numpy(dtype=float)
    p = (d["wave"] == d["wave"].max()).to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(d)), g, p, g * p])
    y = d[outcome].to_numpy(dtype=float)
    fit = sm.OLS(y, X).fit()
    out = {"coef": float(fit.params[3]), "iid": float(fit.bse[3])}
    out["hc1"] = float(fit.get_robustcov_results("HC1").bse[3])
    codes = pd.factorize(d[cluster])[0]
    cr1 = fit.get_robustcov_results("cluster", groups=codes)
    out["cr1"] = float(cr1.bse[3])
    n, k, G = len(d), X.shape[1], int(codes.max()) + 1
    out["cr0"] = out["cr1"] / np.sqrt(G / (G - 1) * (n - 1) / (n - k))
    out["n_clusters"] = G
    if "street" in d.columns and cluster != "street":
        sc = pd.factorize(d["street"])[0]
        out["street"] = float(fit.get_robustcov_results("cluster", groups=sc).bse[3])
    return out


@exercise("u3_cluster_se", 3, "聚类稳健标准误 / Cluster-robust standard error of the DiD",
          defaults={"data": None, "outcome": "ucla_total", "cluster": "community_id"})
def _u3_se(ex_id: str, answer: Any, *, data: Any, outcome: str, cluster: str) -> CheckResult:
    d = _survey(data)
    s = did_regression_ses(d, outcome, cluster)
    correct = s["cr1"]
    ratio = correct / s["iid"]
    mistakes = [
        Mistake("iid_se", s["iid"],
                f"这是普通（iid）标准误，假设每位受访者相互独立。同一社区的居民共享社区环境、项目也按社区分配，结果彼此相关；"
                f"按社区聚类后标准误约为它的 {ratio:.1f} 倍。请用 cov_type='cluster'。",
                f"This is the iid standard error, which assumes independent respondents. Residents of one community share it and the "
                f"programme is assigned by community; clustering by community gives an SE about {ratio:.1f} times larger. Use cov_type='cluster'."),
        Mistake("hc1_se", s["hc1"],
                "这是异方差稳健（HC1）标准误：它处理了方差不等，但没有处理同一社区内的相关。请按社区聚类。",
                "This is a heteroskedasticity-robust (HC1) SE: it allows unequal variances but not correlation within a community. Cluster by community."),
    ]
    if "street" in s:
        mistakes.append(Mistake(
            "clustered_by_street", s["street"],
            "你按街道聚类：只有 4 个街道，聚类稳健方差在这么少的聚类下极不可靠。项目按社区分配，应按社区聚类（28 个聚类）。",
            "You clustered by street: with only 4 streets the cluster-robust variance is very unreliable. The programme is assigned by community: cluster by community."))
    accept = [Mistake("cr0", s["cr0"],
                      "你用的聚类方差没有小样本校正（CR0，如某些软件的默认）。statsmodels 和 fixest 默认乘以 G/(G−1)·(N−1)/(N−K)。",
                      "Your clustered variance has no small-sample factor (CR0); statsmodels and fixest multiply by G/(G−1)·(N−1)/(N−K).")]
    return judge_number(ex_id, answer, correct, mistakes, accept=accept, rtol=0.005,
                        hint_zh="提示：smf.ols('y ~ g * post', data).fit(cov_type='cluster', cov_kwds={'groups': data['community_id']})。",
                        hint_en="Hint: smf.ols('y ~ g * post', data).fit(cov_type='cluster', cov_kwds={'groups': data['community_id']}).")


# ---------------------------------------------------------------------------------------------
# unit 4
# ---------------------------------------------------------------------------------------------

def _sim(sim: Any):
    if not (hasattr(sim, "data") and hasattr(sim, "truth") and hasattr(sim, "aggregate_truth")):
        raise CivictoolsError("sim= must be the result of civictools.simulate_rollout(...)")
    return sim


@exercise("u4_true_att", 4, "模拟中真实的总体 ATT / The true overall ATT of a simulation", requires=("sim",))
def _u4_true_att(ex_id: str, answer: Any, *, sim: Any) -> CheckResult:
    sim = _sim(sim)
    tr = sim.truth
    correct = float(sim.aggregate_truth("simple")["att"].iloc[0])
    post = tr[tr["event_time"] >= 0]
    data = sim.data
    mistakes = [
        Mistake("included_pre_periods", float(np.average(tr["att"], weights=tr["n_units"])),
                "你把处理前的 (g, t) 格子（效应为 0）也平均进去了：ATT 只对处理后的单元-时期求平均（event_time ≥ 0）。",
                "You averaged in the pre-treatment (g, t) cells, whose effect is 0: the ATT averages treated unit-periods only (event_time ≥ 0)."),
        Mistake("all_rows_te", float(data["te"].mean()),
                "这是 te 在所有行（包括从未处理和处理前）上的平均：只对 treated == 1 的行求平均。",
                "This averages te over all rows, including never-treated and pre-treatment rows: average over treated == 1 rows only."),
        Mistake("cohort_average", float(sim.aggregate_truth("group")["att"].mean()),
                "你先按批次求平均、再对批次等权平均：早批次处理后的时期更多，在“所有处理单元-时期”的平均里权重更大。",
                "You averaged cohort means with equal weights: early cohorts have more treated periods and weigh more in the average over treated unit-periods."),
        Mistake("event_time_average", float(sim.aggregate_truth("dynamic")["att"].mean()),
                "你对各事件时间的效应等权平均：长暴露期只有早批次，等权会高估它们的分量。",
                "You averaged the event-time effects with equal weights: long exposures come from early cohorts only and get too much weight."),
        Mistake("unweighted_cells", float(post["att"].mean()),
                "你对处理后的 (g, t) 格子等权平均，没有按每个格子的单位数加权。",
                "You averaged post-treatment (g, t) cells without weighting by their number of units."),
    ]
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：sim.data 里 te 是每个单元-时期的真实效应。",
                        hint_en="Hint: te in sim.data is every unit-period's true effect.")


def att_gt_by_hand(data: pd.DataFrame, g: int, t: int, *, y: str = "y", time: str = "period",
                   group: str = "first_treat", control: str = "never", base: str = "fixed") -> float:
    """ATT(g, t) of Callaway & Sant'Anna (2021) from four means, without covariates.

    ``base="fixed"`` compares with period g−1 for post periods (t−1 before treatment, the
    ``did`` package's "varying" default); ``base="short"`` always uses t−1.
    """
    need_columns(data, [y, time, group], "data")
    b = g - 1 if (t >= g and base == "fixed") else t - 1
    if control == "never":
        ctrl = data[group] == 0
    elif control == "notyet":
        ctrl = (data[group] == 0) | (data[group] > max(t, b))
        ctrl &= data[group] != g
    else:  # pragma: no cover - internal
        raise ValueError(control)
    treat = data[group] == g

    def mean(mask, period):
        v = data.loc[mask & (data[time] == period), y]
        return float(v.mean()) if len(v) else float("nan")

    return (mean(treat, t) - mean(treat, b)) - (mean(ctrl, t) - mean(ctrl, b))


@exercise("u4_att_gt", 4, "手算 ATT(g, t)（从未处理组为对照）/ ATT(g, t) by hand with never-treated controls",
          requires=("data", "g", "t"), defaults={"y": "y", "time": "period", "group": "first_treat"})
def _u4_att_gt(ex_id: str, answer: Any, *, data: Any, g: int, t: int, y: str, time: str, group: str) -> CheckResult:
    data = need_columns(data, [y, time, group], "data")
    g, t = int(g), int(t)
    if g not in set(data[group]):
        raise CivictoolsError(f"no units with {group} == {g}; cohorts: {sorted(set(data[group]) - {0})}")
    kw = dict(y=y, time=time, group=group)
    correct = att_gt_by_hand(data, g, t, **kw)
    tg = data[group] == g
    at = lambda mask, per: float(data.loc[mask & (data[time] == per), y].mean())  # noqa: E731
    mistakes = [
        Mistake("not_yet_treated_control", att_gt_by_hand(data, g, t, control="notyet", **kw),
                "你用了“尚未处理”的单元作对照。这在 Callaway–Sant'Anna 中也是合法的选择，但本题要求只用从未处理的单元（first_treat == 0）。",
                "You used not-yet-treated units as controls. That is a valid Callaway–Sant'Anna choice, but this exercise asks for never-treated controls (first_treat == 0)."),
        Mistake("forgot_control_change", at(tg, t) - at(tg, g - 1 if t >= g else t - 1),
                "这只是批次 g 自身的前后变化，还要减去从未处理组同期的变化。",
                "This is cohort g's own before–after change; subtract the never-treated group's change over the same periods."),
        Mistake("post_level_difference", at(tg, t) - at(data[group] == 0, t),
                "这是 t 期批次 g 与从未处理组的水平差：两组本来就不同（选择进入），请比较变化而不是水平。",
                "This is the level gap between cohort g and the never-treated in period t: the groups differ anyway (selection). Compare changes, not levels."),
    ]
    if t > g:
        mistakes.append(Mistake(
            "short_difference", att_gt_by_hand(data, g, t, base="short", **kw),
            f"你以 t−1 = {t - 1} 期为基期：这只估计了从 t−1 到 t 的效应增量。处理后各期都应以处理前最后一期 g−1 = {g - 1} 为基期。",
            f"You used t−1 = {t - 1} as the base period, which estimates only the change in the effect from t−1 to t. Post periods compare with the last pre-treatment period g−1 = {g - 1}."))
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh=f"提示：ATT({g},{t}) = [批次{g}在{t}期均值 − 在{g - 1}期均值] − [从未处理组同样两期的均值之差]。",
                        hint_en=f"Hint: ATT({g},{t}) = [cohort {g} mean at {t} − at {g - 1}] − [the same difference for never-treated units].")


@exercise("u4_twfe_bias", 4, "TWFE 的偏差 / Bias of TWFE against the truth", requires=("sim",))
def _u4_twfe_bias(ex_id: str, answer: Any, *, sim: Any) -> CheckResult:
    from civictools.evaluate import twfe

    sim = _sim(sim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = float(twfe(sim.data, "y", "unit", "period", "treated").coef().iloc[0])
    truth = float(sim.aggregate_truth("simple")["att"].iloc[0])
    correct = est - truth
    mistakes = [
        Mistake("truth_minus_estimate", truth - est,
                "偏差的定义是“估计值 − 真值”；你算的是“真值 − 估计值”，符号反了。",
                "Bias is estimate minus truth; you computed truth minus estimate."),
        Mistake("relative_bias", correct / truth,
                "这是相对偏差（偏差 / 真值）。题目要的是原单位下的偏差：估计值 − 真值。",
                "This is the relative bias (bias / truth); the exercise asks for the bias in outcome units: estimate − truth."),
        Mistake("estimate_not_bias", est,
                "这是 TWFE 估计值本身，还需要减去真实的总体 ATT。",
                "This is the TWFE estimate itself; subtract the true overall ATT."),
        Mistake("bias_vs_event_average", est - float(sim.aggregate_truth("dynamic")["att"].mean()),
                "你用的“真值”是各事件时间效应的等权平均，不是所有处理单元-时期的平均 ATT（sim.aggregate_truth('simple')）。",
                "Your 'truth' is an equal-weight average of event-time effects, not the ATT over treated unit-periods (sim.aggregate_truth('simple'))."),
    ]
    return judge_number(ex_id, answer, correct, mistakes,
                        hint_zh="提示：偏差 = ct.twfe(...) 的系数 − sim.aggregate_truth('simple')。",
                        hint_en="Hint: bias = the ct.twfe(...) coefficient − sim.aggregate_truth('simple').")
