"""Static checks of the course notebooks (they are executed by ``--nbmake notebooks``)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "notebooks" / "teaching"
SOLUTIONS = sorted((COURSE / "solutions").glob("*.ipynb"))


def _make_student():
    spec = importlib.util.spec_from_file_location("make_student", COURSE / "make_student.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell: dict) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def test_six_units_with_student_and_solution_versions():
    names = [p.name for p in SOLUTIONS]
    assert len(names) >= 6
    for n in names:
        assert (COURSE / n).exists(), f"student notebook {n} missing; run python notebooks/teaching/make_student.py"


def test_student_notebooks_are_in_sync():
    ms = _make_student()
    for sol in SOLUTIONS:
        assert (COURSE / sol.name).read_text(encoding="utf-8") == ms.render(sol), (
            f"{sol.name} is out of date: run python notebooks/teaching/make_student.py")


@pytest.mark.parametrize("sol", SOLUTIONS, ids=lambda p: p.stem)
def test_structure_of_each_unit(sol):
    sol_cells, stu_cells = _cells(sol), _cells(COURSE / sol.name)
    md = "\n".join(_src(c) for c in sol_cells if c["cell_type"] == "markdown")
    for heading in ("## The story", "## 要点 Key ideas", "## 参考文献 References", "### Exercise"):
        assert heading in md, f"{sol.name} lacks {heading!r}"
    assert re.search(r"[\u4e00-\u9fff]", md)
    sol_code = [_src(c) for c in sol_cells if c["cell_type"] == "code"]
    stu_code = [_src(c) for c in stu_cells if c["cell_type"] == "code"]
    n_checks = sum("r = teaching.check(" in s for s in sol_code)  # exercise checks (demos call check() bare)
    assert n_checks >= 2
    # every check in the solutions must pass (asserted), none is asserted for students
    assert sum("assert r.passed" in s for s in sol_code) == n_checks
    assert not any("assert r.passed" in s for s in stu_code)
    assert not any("BEGIN SOLUTION" in s or "END SOLUTION" in s for s in stu_code)
    assert sum("# YOUR CODE HERE" in s for s in stu_code) >= 2
    # every exercise variable is initialised to None, so student notebooks run unanswered
    for s in stu_code:
        if "# YOUR CODE HERE" in s:
            assert re.search(r"^\w+ = None  # YOUR CODE HERE", s, re.M), s
    assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in stu_cells)
    assert all(not c.get("outputs") for c in stu_cells if c["cell_type"] == "code")


def test_exercise_ids_used_in_notebooks_are_registered():
    from civictools import teaching

    ids = set(teaching.list_exercises()["exercise_id"])
    used = set()
    for sol in SOLUTIONS:
        for c in _cells(sol):
            used |= set(re.findall(r'teaching\.check\("(\w+)"', _src(c)))
    assert used and used <= ids
    assert {i.split("_")[0] for i in used} == {f"u{k}" for k in range(1, 7)}


def test_strip_solution_rejects_unclosed_block():
    ms = _make_student()
    assert ms.strip_solution("a = None\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\nb") == "a = None\nb"
    with pytest.raises(ValueError, match="unclosed"):
        ms.strip_solution("### BEGIN SOLUTION\na = 1")
