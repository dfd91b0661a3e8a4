"""Write the student notebooks of the course from the solution notebooks.

The solution notebooks in ``solutions/`` are the master copies. In their code cells, lines
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers) are removed for
students, and cells tagged ``solution`` (worked answers to discussion questions) are dropped.
Outputs are cleared. Run after editing a solution notebook::

    python notebooks/teaching/make_student.py          # rewrite the student notebooks
    python notebooks/teaching/make_student.py --check  # exit 1 if any is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOLUTIONS = HERE / "solutions"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def strip_solution(source: str) -> str:
    """Remove the solution blocks of one code cell."""
    out, inside = [], False
    for line in source.splitlines():
        s = line.strip()
        if s == BEGIN:
            inside = True
            continue
        if s == END:
            inside = False
            continue
        if not inside:
            out.append(line)
    if inside:
        raise ValueError(f"unclosed {BEGIN!r} block in cell:\n{source[:200]}")
    return "\n".join(out)


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a solution notebook with the solutions removed and outputs cleared."""
    new = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        c = nbformat.from_dict(dict(cell))
        if c.cell_type == "code":
            c.source = strip_solution(c.source)
            c.outputs = []
            c.execution_count = None
        new.cells.append(c)
    return new


def render(path: Path) -> str:
    return nbformat.writes(student_version(nbformat.read(path, as_version=4))) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report student notebooks that are out of date")
    args = ap.parse_args(argv)
    stale = []
    for sol in sorted(SOLUTIONS.glob("*.ipynb")):
        target = HERE / sol.name
        text = render(sol)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target.name)
        if not args.check:
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + " (run python notebooks/teaching/make_student.py)")
        return 1
    print(("rewrote: " + ", ".join(stale)) if stale and not args.check else "student notebooks are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
