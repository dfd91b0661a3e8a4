"""civictools.panel: build and validate unit × period panels."""

from civictools.panel.build import *  # noqa: F401,F403
from civictools.panel.build import __all__ as _build_all

__all__: list[str] = [*_build_all]
