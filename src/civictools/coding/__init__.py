"""civictools.coding."""

__all__: list[str] = []
