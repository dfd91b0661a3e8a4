"""civictools.viz."""

__all__: list[str] = []
