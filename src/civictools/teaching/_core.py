"""Self-checks for the course: the result object, the exercise registry and :func:`check`.

Every check recomputes the right answer from the data it is given (never a stored number)
and also computes the values that common mistakes produce, so a wrong answer can be named:
"you forgot to subtract the control group's change" helps more than "wrong".
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from civictools.errors import CivictoolsError

__all__ = ["CheckResult", "check", "list_exercises", "EXERCISES"]

_STATUS_STYLE = {
    "correct": ("#e8f5e9", "#2e7d32", "✔"),
    "mistake": ("#fff3e0", "#e65100", "✘"),
    "close": ("#fffde7", "#f9a825", "≈"),
    "incorrect": ("#ffebee", "#c62828", "✘"),
    "unanswered": ("#eceff1", "#455a64", "…"),
    "invalid": ("#ffebee", "#c62828", "?"),
}


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` says about one answer.

    Attributes
    ----------
    exercise_id : str
    passed : bool
        True when the answer is right (within the exercise's tolerance).
    status : str
        ``correct``, ``mistake`` (a known common mistake was recognised), ``close`` (near but
        outside the tolerance), ``incorrect``, ``unanswered`` (answer is ``None``) or
        ``invalid`` (not a usable value, e.g. text where a number is expected).
    diagnosis : str or None
        Machine-readable name of the recognised mistake (e.g. ``"sign_flipped"``), or of the
        accepted variant for a passed answer (e.g. ``"normal_approximation"``).
    message : str
        Chinese explanation followed by one English line.
    """

    exercise_id: str
    passed: bool
    status: str
    diagnosis: str | None
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def tidy(self) -> pd.DataFrame:
        """One row: exercise_id, passed, status, diagnosis, message."""
        return pd.DataFrame([{"exercise_id": self.exercise_id, "passed": self.passed, "status": self.status,
                              "diagnosis": self.diagnosis, "message": self.message}])

    def summary(self) -> str:
        """The feedback as plain text (same as ``str(result)``)."""
        return str(self)

    def __str__(self) -> str:
        mark = _STATUS_STYLE.get(self.status, ("", "", ""))[2]
        return f"{mark} [{self.exercise_id}] {self.message}"

    def __repr__(self) -> str:
        return (f"CheckResult(exercise_id={self.exercise_id!r}, passed={self.passed}, "
                f"status={self.status!r}, diagnosis={self.diagnosis!r})\n{self.message}")

    def _repr_html_(self) -> str:
        bg, fg, mark = _STATUS_STYLE.get(self.status, ("#ffffff", "#000000", ""))
        lines = "<br>".join(html.escape(x) for x in self.message.splitlines())
        return (f'<div style="background:{bg};border-left:5px solid {fg};padding:8px 12px;'
                f'margin:4px 0;font-family:sans-serif">'
                f'<b style="color:{fg}">{mark} {html.escape(self.exercise_id)}</b><br>{lines}</div>')


@dataclass(frozen=True)
class Exercise:
    """A registered exercise (see :data:`EXERCISES`)."""

    id: str
    unit: int
    title: str
    requires: tuple[str, ...]
    defaults: Mapping[str, Any]
    func: Callable[..., CheckResult] = field(repr=False)


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, unit: int, title: str, requires: Sequence[str] = (),
             defaults: Mapping[str, Any] | None = None):
    """Register a checker ``func(answer, **context) -> CheckResult`` under ``id``."""

    def deco(func):
        EXERCISES[id] = Exercise(id, unit, title, tuple(requires), dict(defaults or {}), func)
        return func

    return deco


def list_exercises() -> pd.DataFrame:
    """All exercises: id, unit, title, required and optional context.

    Examples
    --------
    >>> ex = list_exercises()
    >>> {"u3_did_2x2", "u6_mde"} <= set(ex["exercise_id"])
    True
    """
    rows = [(e.id, e.unit, e.title, ", ".join(e.requires),
             ", ".join(f"{k}={v!r}" if not isinstance(v, (pd.DataFrame, np.ndarray)) else k
                       for k, v in e.defaults.items()))
            for e in EXERCISES.values()]
    return pd.DataFrame(rows, columns=["exercise_id", "unit", "title", "requires", "optional"]).sort_values(
        ["unit", "exercise_id"], ignore_index=True)


def check(exercise_id: str, answer: Any, **context: Any) -> CheckResult:
    """Check a student's answer and say what is wrong with it.

    Parameters
    ----------
    exercise_id : str
        One of ``list_exercises()["exercise_id"]``.
    answer : object
        The student's answer; ``None`` means not answered yet (no error is raised).
    **context
        The data the exercise is about (e.g. ``data=``, ``sim=``, ``m=``, ``icc=``); the
        right answer is recomputed from it.

    Returns
    -------
    CheckResult
        ``.passed``, ``.status``, ``.diagnosis`` and a helpful ``.message``.

    Raises
    ------
    CivictoolsError
        Unknown exercise id (the message lists the valid ids) or missing context.

    Examples
    --------
    >>> r = check("u6_design_effect", 1 + 19 * 0.05, m=20, icc=0.05)
    >>> r.passed
    True
    >>> check("u6_design_effect", 1 + 20 * 0.05, m=20, icc=0.05).diagnosis
    'm_instead_of_m_minus_1'
    >>> check("u6_design_effect", None, m=20, icc=0.05).status
    'unanswered'
    """
    ex = EXERCISES.get(exercise_id)
    if ex is None:
        valid = ", ".join(sorted(EXERCISES))
        raise CivictoolsError(f"unknown exercise id {exercise_id!r}; valid ids: {valid}")
    missing = [k for k in ex.requires if k not in context]
    if missing:
        raise CivictoolsError(
            f"exercise {exercise_id!r} needs {', '.join(f'{k}=' for k in missing)} "
            f"(required context: {', '.join(ex.requires) or 'none'}; "
            f"optional: {', '.join(ex.defaults) or 'none'})")
    known = set(ex.requires) | set(ex.defaults)
    unknown = [k for k in context if k not in known]
    if unknown:
        raise CivictoolsError(
            f"exercise {exercise_id!r} does not take {', '.join(unknown)}; "
            f"it takes: {', '.join(sorted(known)) or 'nothing'}")
    ctx = {**ex.defaults, **context}
    if answer is None:
        return CheckResult(exercise_id, False, "unanswered", None,
                           "尚未作答：请在上面的练习单元格中给答案变量赋值，然后重新运行本单元格。\n"
                           "Not answered yet: assign your answer to the variable above and run this cell again.")
    return ex.func(exercise_id, answer, **ctx)


# ---------------------------------------------------------------------------------------------
# helpers shared by the checkers
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """A common mistake: its value and what to tell the student."""

    code: str
    value: float
    zh: str
    en: str


def as_number(answer: Any) -> float | None:
    """A float from a number, a 0-d/1-element array or Series, else None."""
    # text such as "0.34" is usually a printed value copied by hand: ask for the computed number
    if isinstance(answer, (bool, np.bool_, str, bytes)):
        return None
    if isinstance(answer, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        arr = np.asarray(answer, dtype=object).ravel()
        if arr.size != 1:
            return None
        answer = arr[0]
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def close(a: float, b: float, rtol: float, atol: float) -> bool:
    return bool(np.isfinite(a) and np.isfinite(b) and abs(a - b) <= atol + rtol * abs(b))


def _invalid(ex_id: str, answer: Any, kind_zh: str = "一个数值", kind_en: str = "a single number") -> CheckResult:
    shown = type(answer).__name__
    if isinstance(answer, (pd.Series, np.ndarray, list, tuple)):
        shown += f" of length {len(answer)}"
    return CheckResult(ex_id, False, "invalid", "not_a_number",
                       f"答案应当是{kind_zh}，收到的是 {shown}。若结果是只有一个元素的表格，请用 float(...) 取出数值。\n"
                       f"The answer should be {kind_en}; got {shown}. Use float(...) to extract a single value.")


def judge_number(ex_id: str, answer: Any, correct: float, mistakes: Sequence[Mistake] = (), *,
                 rtol: float = 0.005, atol: float = 1e-4, hint_zh: str = "", hint_en: str = "",
                 accept: Sequence[Mistake] = (), generic: bool = True,
                 mistake_tol: tuple[float, float] | None = None) -> CheckResult:
    """Compare a numeric answer with the right value and with known mistakes.

    ``accept`` lists other values that are also right (e.g. a normal approximation); they
    pass with their note. Generic mistakes (sign flipped, percent instead of share, close but
    too rounded) are recognised for every exercise unless ``generic=False``. ``mistake_tol``
    (rtol, atol) matches mistakes more tightly than the answer when the answer's tolerance is
    wide (Monte Carlo noise) but the mistaken values are exact.
    """
    m_rtol, m_atol = mistake_tol if mistake_tol is not None else (rtol, atol)
    x = as_number(answer)
    if x is None:
        return _invalid(ex_id, answer)
    if not np.isfinite(x):
        return CheckResult(ex_id, False, "invalid", "not_finite",
                           f"答案是 {x}，不是有限数值：检查计算中是否有缺失值或除以零。\n"
                           f"The answer is {x}, not a finite number: look for missing values or a division by zero.")
    if close(x, correct, rtol, atol):
        return CheckResult(ex_id, True, "correct", None, "正确！\nCorrect.")
    for m in accept:
        if close(x, m.value, rtol, atol):
            return CheckResult(ex_id, True, "correct", m.code, f"正确（可接受的做法）：{m.zh}\nCorrect (accepted variant): {m.en}")
    for m in mistakes:
        if np.isfinite(m.value) and close(x, m.value, m_rtol, m_atol) and not close(m.value, correct, rtol, atol):
            return CheckResult(ex_id, False, "mistake", m.code, f"{m.zh}\n{m.en}")
    if generic:
        if correct != 0 and close(x, -correct, rtol, atol):
            return CheckResult(ex_id, False, "mistake", "sign_flipped",
                               "大小对了，但符号反了：检查减法的先后顺序（处理组减控制组、处理后减处理前）。\n"
                               "Right size, wrong sign: check the order of the subtractions (treated minus control, after minus before).")
        if correct != 0 and close(x, 100 * correct, rtol, atol):
            return CheckResult(ex_id, False, "mistake", "percent_not_share",
                               "你的答案是正确值的 100 倍：请以小数（比例）作答，不要用百分数。\n"
                               "Your answer is 100 times the right value: give a share (0.12), not a percentage (12).")
        if close(x, correct, 0.05, 10 * atol):
            return CheckResult(ex_id, False, "close", "rounding",
                               "很接近，但不在容差内：是不是四舍五入得太早了？请直接把计算结果赋给变量，不要手抄数字。\n"
                               "Close but outside the tolerance: did you round too early? Assign the computed value, do not copy digits by hand.")
    rel = (x - correct) / abs(correct) if correct != 0 else float("inf")
    direction_zh = "偏大" if x > correct else "偏小"
    direction_en = "too large" if x > correct else "too small"
    size = f"{abs(rel):.0%}" if math.isfinite(rel) else "?"
    msg_zh = f"还不对：你的答案{direction_zh}（相差约 {size}）。" + (hint_zh or "")
    msg_en = f"Not yet: your answer is {direction_en} (off by about {size}). " + (hint_en or "")
    return CheckResult(ex_id, False, "incorrect", None, f"{msg_zh}\n{msg_en.strip()}")


def need_columns(df: Any, cols: Sequence[str], what: str) -> pd.DataFrame:
    """Clear error when a context table lacks a column."""
    if not isinstance(df, pd.DataFrame):
        raise CivictoolsError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise CivictoolsError(f"{what} lacks column(s) {', '.join(map(repr, missing))}; "
                              f"it has: {', '.join(map(str, df.columns[:30]))}")
    return df
