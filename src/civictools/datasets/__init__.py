"""civictools.datasets."""

__all__: list[str] = []
