"""civictools.text: segmentation, sentence splitting, exploration and redaction."""

from civictools.text.segment import *  # noqa: F401,F403
from civictools.text.segment import __all__ as _segment_all
from civictools.text.redact import *  # noqa: F401,F403
from civictools.text.redact import __all__ as _redact_all

__all__: list[str] = [*_segment_all, *_redact_all]
