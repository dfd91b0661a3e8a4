"""Build a report site from parameterised notebooks, byte-identically.

Each section is a notebook in ``civictools/report/notebooks`` with a cell
tagged ``parameters``. :func:`build_report` injects the configuration,
executes the notebooks with nbclient, renders them with nbconvert and writes
``index.html`` plus one page per section, a ``manifest.json`` of inputs and
versions, and nothing that changes between runs: cell ids, timing metadata,
hash seeds, SVG salts and font timestamps are fixed. Executed sections are
cached by a hash of everything they read, so a rebuild redoes only the
sections whose inputs changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import nbformat

from civictools._version import __version__
from civictools.errors import ReportError
from civictools.report._page import render_page
from civictools.report.config import hash_inputs, load_report_config

__all__ = ["build_report", "check_report", "BuildResult", "SECTIONS"]

NOTEBOOK_DIR = Path(__file__).resolve().parent / "notebooks"
# (name, title, the kinds of input it reads)
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("index", "概览 Overview", ("corpus", "panel")),
    ("corpus", "语料 Corpus", ("corpus",)),
    ("themes", "主题 Themes", ("corpus", "codebook")),
    ("panel", "面板 Panel", ("corpus", "codebook", "panel")),
    ("estimates", "估计 Estimates", ("panel",)),
)
_VERSIONED = ("civictools", "pandas", "numpy", "scipy", "statsmodels", "jieba", "matplotlib", "nbclient", "nbconvert")
SOURCE_DATE_EPOCH = "1704067200"  # 2024-01-01, fixed so embedded dates never change


@dataclass(frozen=True)
class BuildResult:
    """What a build did: sections executed or reused, and where the site is."""

    out_dir: Path
    executed: tuple[str, ...]
    reused: tuple[str, ...]
    seconds: float
    files: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        return (
            f"report written to {self.out_dir}/index.html; executed: {', '.join(self.executed) or 'none'}; "
            f"reused from cache: {', '.join(self.reused) or 'none'}; {self.seconds:.1f} s"
        )

    def __repr__(self) -> str:
        return self.summary()


def _sections() -> list[tuple[str, str, tuple[str, ...]]]:
    return [s for s in SECTIONS if (NOTEBOOK_DIR / f"{s[0]}.ipynb").exists()]


def _versions() -> dict[str, str]:
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["civictools"] = __version__
    return out


def _git_commit(base: Path) -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=base, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


@contextlib.contextmanager
def _reproducible_env(rc_dir: Path) -> Iterator[None]:
    rc_dir.mkdir(parents=True, exist_ok=True)
    rc = rc_dir / "matplotlibrc"
    rc.write_text("svg.hashsalt: civictools\nsavefig.dpi: 100\nfigure.dpi: 100\npdf.compression: 6\n", "utf-8")
    new = {
        "PYTHONHASHSEED": "0",
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "MATPLOTLIBRC": str(rc),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "TQDM_DISABLE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _inject(nb: nbformat.NotebookNode, params: dict[str, Any]) -> nbformat.NotebookNode:
    src = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = ["injected-parameters"]
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
    nb.cells.insert(at, cell)
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:03d}"
    return nb


def _normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what varies between runs: timing, kernel stderr (paths, progress bars)."""
    nb.metadata.pop("widgets", None)
    for c in nb.cells:
        c.metadata.pop("execution", None)
        if c.cell_type == "code":
            c.outputs = [o for o in c.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def _execute(section: str, params: dict[str, Any], workdir: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(NOTEBOOK_DIR / f"{section}.ipynb", as_version=4)
    nb = _inject(nb, params)
    client = NotebookClient(
        nb, timeout=1200, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        raise ReportError(f"report section {section!r} failed while executing: {exc}") from exc
    return _normalise(nb)


def _section_key(section: str, deps: tuple[str, ...], cfg: dict, hashes: dict, versions: dict) -> str:
    h = hashlib.sha256()
    h.update((NOTEBOOK_DIR / f"{section}.ipynb").read_bytes())
    public = {k: v for k, v in cfg.items() if k != "base_dir"}
    h.update(json.dumps(public, sort_keys=True, ensure_ascii=False, default=str).encode())
    h.update(json.dumps({d: hashes.get(d, {}) for d in deps}, sort_keys=True).encode())
    h.update(json.dumps(versions, sort_keys=True).encode())
    return h.hexdigest()[:20]


def build_report(
    config: str | Path | None = None,
    out: str | Path = "build/report",
    *,
    cache_dir: str | Path | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the HTML report site for a configuration (``None``: the demo district).

    Parameters
    ----------
    config : path, optional
        A report YAML file (see :mod:`civictools.report.config`).
    out : path
        Output folder; ``index.html`` and ``manifest.json`` are written there.
    cache_dir : path, optional
        Where executed sections are cached (default ``<out>/../.report-cache``).
    force : bool
        Execute every section even when its cached copy is current.
    """
    t0 = time.perf_counter()
    cfg = load_report_config(config)
    out = Path(out).resolve()
    cache = Path(cache_dir).resolve() if cache_dir else out.parent / ".report-cache"
    cache.mkdir(parents=True, exist_ok=True)
    hashes = hash_inputs(cfg)
    versions = _versions()
    sections = _sections()
    executed, reused, pages = [], [], {}
    work = cache / "work"
    work.mkdir(exist_ok=True)
    cfg_file = cache / "config.json"
    cfg_file.write_text(json.dumps(cfg, ensure_ascii=False, sort_keys=True, indent=1), "utf-8")
    with _reproducible_env(cache / "mpl"):
        for name, title, deps in sections:
            key = _section_key(name, deps, cfg, hashes, versions)
            cached = cache / f"{name}-{key}.ipynb"
            if cached.exists() and not force:
                nb = nbformat.read(cached, as_version=4)
                reused.append(name)
            else:
                params = {"config_json": str(cfg_file), "cache_dir": str(cache / "data")}
                nb = _execute(name, params, work)
                for stale in cache.glob(f"{name}-*.ipynb"):
                    stale.unlink()
                nbformat.write(nb, cached)
                executed.append(name)
            pages[name] = (title, nb)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    nav = [(name, title) for name, title, _ in sections]
    written = render_page(pages, nav, out, title=cfg["title"], subtitle=cfg.get("title_en", ""))
    manifest = {
        "civictools_report": 1,
        "config": {k: v for k, v in cfg.items() if k not in ("base_dir",)},
        "inputs": hashes,
        "versions": versions,
        "seeds": {"report": cfg.get("seed"), "PYTHONHASHSEED": "0"},
        "source_date_epoch": SOURCE_DATE_EPOCH,
        "git_commit": _git_commit(Path(cfg["base_dir"])),
        "sections": [n for n, _, _ in sections],
        "files": sorted(written),
    }
    _relativise(manifest["config"], Path(cfg["base_dir"]))
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n", "utf-8")
    return BuildResult(out, tuple(executed), tuple(reused), time.perf_counter() - t0, tuple(sorted(written)))


def _relativise(cfg: dict, base: Path) -> None:
    """Paths in the manifest are relative, so two clones give identical files."""
    from civictools.datasets._paths import DATA_DIR

    def rel(p: str) -> str:
        path = Path(p)
        for root, label in ((DATA_DIR, "<civictools data>"), (base, ".")):
            with contextlib.suppress(ValueError):
                return f"{label}/{path.relative_to(root).as_posix()}"
        return path.name

    if cfg.get("corpus", {}).get("path"):
        cfg["corpus"]["path"] = rel(cfg["corpus"]["path"])
    if cfg.get("corpus", {}).get("metadata"):
        cfg["corpus"]["metadata"] = rel(cfg["corpus"]["metadata"])
    if isinstance(cfg.get("codebook"), str) and os.path.isabs(cfg["codebook"]):
        cfg["codebook"] = rel(cfg["codebook"])
    if isinstance(cfg.get("panel"), dict):
        for k in ("outcomes", "starts"):
            if cfg["panel"].get(k):
                cfg["panel"][k] = rel(cfg["panel"][k])


def check_report(out: str | Path, config: str | Path | None = None) -> dict[str, Any]:
    """Compare a built report with the current inputs.

    Returns a dict with ``current`` (bool) and lists of ``changed``,
    ``added`` and ``removed`` input files and ``versions`` that differ.
    """
    man_path = Path(out) / "manifest.json"
    if not man_path.is_file():
        raise ReportError(f"{man_path} not found: build the report first (civictools report build)")
    man = json.loads(man_path.read_text("utf-8"))
    cfg = load_report_config(config)
    now = hash_inputs(cfg)
    changed, added, removed = [], [], []
    for kind in sorted(set(now) | set(man["inputs"])):
        old, new = man["inputs"].get(kind, {}), now.get(kind, {})
        changed += [f"{kind}:{k}" for k in sorted(set(old) & set(new)) if old[k] != new[k]]
        added += [f"{kind}:{k}" for k in sorted(set(new) - set(old))]
        removed += [f"{kind}:{k}" for k in sorted(set(old) - set(new))]
    current = _versions()
    versions = {k: (v, current.get(k)) for k, v in man["versions"].items() if current.get(k) != v}
    return {
        "current": not (changed or added or removed or versions),
        "changed": changed,
        "added": added,
        "removed": removed,
        "versions": versions,
    }
