"""civictools: community-governance text analysis and programme evaluation.

The public API of every subpackage is re-exported here, following the data
flow ``corpus -> text -> coding -> panel -> evaluate -> report``.

>>> import civictools
>>> isinstance(civictools.__version__, str)
True
"""

from civictools._version import __version__
from civictools.errors import *  # noqa: F401,F403
from civictools.errors import __all__ as _errors_all
from civictools.corpus import *  # noqa: F401,F403
from civictools.corpus import __all__ as _corpus_all
from civictools.text import *  # noqa: F401,F403
from civictools.text import __all__ as _text_all
from civictools.coding import *  # noqa: F401,F403
from civictools.coding import __all__ as _coding_all
from civictools.panel import *  # noqa: F401,F403
from civictools.panel import __all__ as _panel_all
from civictools.evaluate import *  # noqa: F401,F403
from civictools.evaluate import __all__ as _evaluate_all
from civictools.datasets import *  # noqa: F401,F403
from civictools.datasets import __all__ as _datasets_all
from civictools.report import *  # noqa: F401,F403
from civictools.report import __all__ as _report_all

__all__ = [
    "__version__",
    *_errors_all,
    *_corpus_all,
    *_text_all,
    *_coding_all,
    *_panel_all,
    *_evaluate_all,
    *_datasets_all,
    *_report_all,
]
