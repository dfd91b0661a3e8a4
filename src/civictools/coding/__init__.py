"""civictools.coding: codebooks, the theme coder, validation and REFI-QDA exchange."""

from civictools.coding.agreement import AgreementResult, agreement
from civictools.coding.codebook import Codebook, Theme, codebook_schema, list_codebooks, load_codebook
from civictools.coding.coded import CodedCorpus
from civictools.coding.coder import ThemeCoder
from civictools.coding.dictionaries import read_liwc, read_yaml_dictionary
from civictools.coding.refi import QdaProject, export_qdpx, read_qdc, read_qdpx, write_qdc
from civictools.coding.validate import EvaluationResult, evaluate_coding, suggest_terms

__all__: list[str] = [
    "Codebook",
    "Theme",
    "load_codebook",
    "list_codebooks",
    "codebook_schema",
    "ThemeCoder",
    "CodedCorpus",
    "agreement",
    "AgreementResult",
    "evaluate_coding",
    "EvaluationResult",
    "suggest_terms",
    "write_qdc",
    "read_qdc",
    "export_qdpx",
    "read_qdpx",
    "QdaProject",
    "read_yaml_dictionary",
    "read_liwc",
]
