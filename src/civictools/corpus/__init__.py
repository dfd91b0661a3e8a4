"""civictools.corpus: read documents, load corpora, parse news snapshots and minutes."""

from civictools.corpus.load import detect_kind, load_corpus
from civictools.corpus.minutes import Minutes, parse_minutes
from civictools.corpus.news import NewsArticle, parse_news
from civictools.corpus.read import Document, html_to_text, read_document, read_text

__all__: list[str] = [
    "Document",
    "read_document",
    "read_text",
    "html_to_text",
    "load_corpus",
    "detect_kind",
    "NewsArticle",
    "parse_news",
    "Minutes",
    "parse_minutes",
]
