"""civictools.corpus."""

__all__: list[str] = []
