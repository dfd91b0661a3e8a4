"""civictools.panel."""

__all__: list[str] = []
