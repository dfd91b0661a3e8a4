"""civictools.viz: plots with Chinese labels that render out of the box."""

from civictools.viz._fonts import CHINESE_FONT_FAMILY, font_path, setup_chinese_font

__all__: list[str] = ["setup_chinese_font", "font_path", "CHINESE_FONT_FAMILY"]
