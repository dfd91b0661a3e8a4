"""civictools.corpus: read documents, load corpora, parse news snapshots and minutes."""

from civictools.corpus.minutes import Minutes, parse_minutes

__all__: list[str] = ["Minutes", "parse_minutes"]
