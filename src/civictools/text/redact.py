"""Redaction of personal data."""

__all__: list[str] = []
