"""Locations of the data that ship inside the package."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    """Return the path of a packaged data file (no check that it exists)."""
    return DATA_DIR.joinpath(*parts)
