"""The bundled font makes Chinese render in matplotlib, with no system CJK font needed."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from civictools.viz import CHINESE_FONT_FAMILY, font_path, setup_chinese_font  # noqa: E402


def _glyph_pixels(char: str) -> np.ndarray:
    fig = plt.figure(figsize=(0.6, 0.6), dpi=100)
    fig.text(0.5, 0.5, char, fontsize=28, ha="center", va="center")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    buf.seek(0)
    img = plt.imread(buf)
    return (img[..., :3].mean(axis=2) < 0.5).astype(np.uint8)


def test_font_file_and_licence():
    path = font_path()
    assert path.is_file() and path.stat().st_size < 10 * 1024 * 1024
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1


def test_font_covers_gb2312_and_rare_name_characters():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path()), lazy=True).getBestCmap()
    gb2312 = []
    for hi in range(0xB0, 0xF8):  # GB2312 level-1 and level-2 hanzi rows
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) > 6700
    missing = [c for c in gb2312 if ord(c) not in cmap]
    assert not missing
    for c in "珺喆堃镕昇" + "，。！？《》“”（）" + "Aa1":
        assert ord(c) in cmap, c


def test_chinese_glyphs_render_not_tofu():
    with matplotlib.rc_context():
        assert setup_chinese_font() == CHINESE_FONT_FAMILY
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise
            a, b = _glyph_pixels("社"), _glyph_pixels("区")
        assert a.sum() > 20 and b.sum() > 20
        assert (a != b).sum() > 20


def test_negative_control_without_the_font_draws_identical_boxes():
    # with only DejaVu Sans in the family list every CJK character is the same box;
    # this shows the rendering test above can fail
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            a, b = _glyph_pixels("社"), _glyph_pixels("区")
        assert any("missing from font" in str(w.message) for w in rec)
        assert np.array_equal(a, b)


def test_setup_is_idempotent_and_keeps_latin_font_first():
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        setup_chinese_font()
        first = list(matplotlib.rcParams["font.family"])
        setup_chinese_font()
        assert matplotlib.rcParams["font.family"] == first
        assert first[-1] == CHINESE_FONT_FAMILY and first[0] != CHINESE_FONT_FAMILY


@pytest.mark.parametrize("fmt", ["pdf", "svg"])
def test_vector_formats_embed_without_warnings(fmt):
    with matplotlib.rc_context():
        setup_chinese_font()
        fig, ax = plt.subplots()
        ax.set_title("社工站与网格员 珺喆")
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(buf, format=fmt)
        plt.close(fig)
        assert buf.tell() > 1000
