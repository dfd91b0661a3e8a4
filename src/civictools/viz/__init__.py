"""civictools.viz: plots with Chinese labels that render out of the box.

Call :func:`setup_chinese_font` before drawing your own figures with Chinese
labels; the plotting functions here call it themselves.
"""

from civictools.viz._fonts import CHINESE_FONT_FAMILY, font_path, setup_chinese_font
from civictools.viz.text_plots import plot_term_over_time, plot_top_terms

__all__: list[str] = [
    "setup_chinese_font",
    "font_path",
    "CHINESE_FONT_FAMILY",
    "plot_top_terms",
    "plot_term_over_time",
]
