"""Segmentation, sentences, exploration (owned by the text-seg work; re-export its public API here)."""

__all__: list[str] = []
