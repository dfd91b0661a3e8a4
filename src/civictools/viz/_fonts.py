"""Registering the bundled Chinese font with matplotlib.

With no CJK font installed, matplotlib draws every Chinese character as an
empty box and warns once per glyph. civictools ships a subset of Noto Sans
CJK SC (SIL OFL 1.1) and registers it on demand; nothing is written into
matplotlib's install folder or the user's font cache.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["font_path", "setup_chinese_font", "CHINESE_FONT_FAMILY"]

_FONT_FILE = Path(__file__).resolve().parent.parent / "data" / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
#: Family name of the bundled font, as matplotlib reports it.
CHINESE_FONT_FAMILY = "Noto Sans CJK SC"
_registered = False
_GENERIC = ("sans-serif", "serif", "monospace", "cursive", "fantasy")


def font_path() -> Path:
    """Path of the bundled Simplified Chinese font (OpenType, CFF outlines).

    Examples
    --------
    >>> font_path().name
    'NotoSansCJKsc-Regular-subset.otf'
    >>> font_path().is_file()
    True
    """
    return _FONT_FILE


def setup_chinese_font() -> str:
    """Make Chinese text render in matplotlib; return the font family name.

    Registers the bundled font with ``matplotlib.font_manager`` and puts it in
    ``rcParams["font.family"]`` after DejaVu Sans, so Latin letters and digits
    keep matplotlib's default look and every CJK glyph falls back to the
    bundled font. Calling it again does nothing new.

    Call it **before** creating a figure: tick labels take their font when the
    Axes is created, so an Axes made earlier still draws boxes (the civictools
    plotting functions repair the Axes they draw on).

    Returns
    -------
    str
        The family name (``"Noto Sans CJK SC"``).

    Examples
    --------
    >>> import matplotlib
    >>> setup_chinese_font()
    'Noto Sans CJK SC'
    >>> matplotlib.rcParams["font.family"][-1]
    'Noto Sans CJK SC'
    """
    global _registered
    import matplotlib
    from matplotlib import font_manager

    if not _registered:
        font_manager.fontManager.addfont(str(_FONT_FILE))
        _registered = True
    families: list[str] = []
    for fam in matplotlib.rcParams["font.family"]:
        # a generic name resolves to one font only, which would hide the
        # fallback: put the concrete first choice of that generic list instead
        if fam in _GENERIC:
            rc = matplotlib.rcParams.get(f"font.{fam}") or ["DejaVu Sans"]
            fam = next((f for f in rc if f != CHINESE_FONT_FAMILY), "DejaVu Sans")
        if fam != CHINESE_FONT_FAMILY and fam not in families:
            families.append(fam)
    matplotlib.rcParams["font.family"] = [*families, CHINESE_FONT_FAMILY]
    return CHINESE_FONT_FAMILY
