"""civictools.coding: codebooks, the theme coder, validation and REFI-QDA exchange."""

from civictools.coding.codebook import Codebook, Theme, codebook_schema, list_codebooks, load_codebook
from civictools.coding.coder import ThemeCoder
from civictools.coding.coded import CodedCorpus

__all__: list[str] = [
    "Codebook",
    "Theme",
    "load_codebook",
    "list_codebooks",
    "codebook_schema",
    "ThemeCoder",
    "CodedCorpus",
]
