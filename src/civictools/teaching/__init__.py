"""civictools.teaching."""

__all__: list[str] = []
