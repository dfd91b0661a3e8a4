"""Report configuration: which corpus, codebook, outcome data and estimators.

A report is described by a small YAML file; paths are relative to the file.
With no file, the bundled demo district is used::

    title: 青禾区社区治理与社工室项目评估
    corpus: {path: corpora/demo}          # folder of documents (+ metadata.csv)
    codebook: default                     # built-in name or a YAML path
    unit: paragraph                       # coding unit
    panel:                                # or the word "demo"
      outcomes: data/outcomes.csv         # unit x time table
      unit: community_id
      time: month
      starts: data/starts.csv             # unit -> programme start
      start_col: programme_start
    outcomes: [satisfaction, complaints_12345]
    estimators: [twfe, att_gt, sun_abraham, imputation]
    seed: 20240101
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

from civictools.datasets._paths import data_path
from civictools.errors import ReportError

__all__ = ["load_report_config", "DEFAULT_CONFIG"]

DEFAULT_CONFIG: dict[str, Any] = {
    "title": "青禾区社区治理与社工室项目评估报告",
    "title_en": "Qinghe District: community governance and the social-work room programme",
    "corpus": {"path": None, "metadata": None},
    "codebook": "default",
    "unit": "paragraph",
    "panel": "demo",
    "outcomes": ["satisfaction", "complaints_12345", "volunteer_hours", "elder_visit_coverage"],
    "estimators": ["twfe", "att_gt", "sun_abraham", "imputation"],
    "seed": 20240101,
}
_KNOWN = set(DEFAULT_CONFIG) | {"base_dir"}


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_report_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate a report configuration (``None``: the demo district).

    Returns a dict with absolute paths and defaults filled in.

    Examples
    --------
    >>> cfg = load_report_config()
    >>> cfg["panel"], cfg["codebook"], Path(cfg["corpus"]["path"]).name
    ('demo', 'default', 'demo')
    """
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    base = Path.cwd()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ReportError(f"report config {str(path)!r} not found; pass a YAML file or nothing for the demo")
        try:
            user = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ReportError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(user, dict):
            raise ReportError(f"{path}: the top level must be a mapping of settings")
        unknown = set(user) - _KNOWN
        if unknown:
            raise ReportError(f"{path}: unknown settings {sorted(unknown)}; known: {sorted(_KNOWN - {'base_dir'})}")
        base = path.resolve().parent
        cfg.update(user)
    corpus = cfg["corpus"]
    if isinstance(corpus, str):
        corpus = {"path": corpus}
    corpus = {"metadata": None, **corpus}
    corpus["path"] = str(data_path("demo")) if corpus.get("path") in (None, "demo") else str((base / corpus["path"]).resolve())
    if not Path(corpus["path"]).exists():
        raise ReportError(f"corpus folder {corpus['path']!r} does not exist; fix corpus.path in the config")
    if corpus["metadata"]:
        corpus["metadata"] = str((base / corpus["metadata"]).resolve())
    cfg["corpus"] = corpus
    if isinstance(cfg["codebook"], str) and cfg["codebook"].endswith((".yml", ".yaml")):
        cfg["codebook"] = str((base / cfg["codebook"]).resolve())
    panel = cfg["panel"]
    if panel != "demo":
        if not isinstance(panel, dict):
            raise ReportError("panel must be 'demo' or a mapping with outcomes, unit, time, starts")
        missing = {"outcomes", "unit", "time"} - set(panel)
        if missing:
            raise ReportError(f"panel settings miss {sorted(missing)}")
        for key in ("outcomes", "starts"):
            if panel.get(key):
                p = (base / panel[key]).resolve()
                if not p.is_file():
                    raise ReportError(f"panel.{key} file {str(p)!r} not found")
                panel[key] = str(p)
    cfg["base_dir"] = str(base)
    return cfg


def input_files(cfg: dict[str, Any]) -> dict[str, list[Path]]:
    """The files each report section reads, by kind of input."""
    root = Path(cfg["corpus"]["path"])
    corpus = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    out: dict[str, list[Path]] = {"corpus": corpus, "codebook": [], "panel": []}
    if isinstance(cfg["codebook"], str) and Path(cfg["codebook"]).is_file():
        out["codebook"] = [Path(cfg["codebook"])]
    if cfg["panel"] == "demo":
        out["panel"] = [data_path("district", "district.csv")]
    else:
        out["panel"] = [Path(cfg["panel"][k]) for k in ("outcomes", "starts") if cfg["panel"].get(k)]
    return out


def hash_inputs(cfg: dict[str, Any]) -> dict[str, dict[str, str]]:
    """SHA-256 of every input file, keyed by kind and a path relative to its root."""
    result: dict[str, dict[str, str]] = {}
    corpus_root = Path(cfg["corpus"]["path"])
    for kind, files in input_files(cfg).items():
        entries = {}
        for f in files:
            try:
                key = f.relative_to(corpus_root).as_posix() if kind == "corpus" else f.name
            except ValueError:
                key = f.name
            entries[key] = _hash_file(f)
        result[kind] = entries
    return result
