"""civictools.datasets: the demo district, reference panels and simulations."""

from civictools.datasets.demo import *  # noqa: F401,F403
from civictools.datasets.demo import __all__ as _demo_all
from civictools.datasets.external import *  # noqa: F401,F403
from civictools.datasets.external import __all__ as _external_all
from civictools.datasets.simulate import *  # noqa: F401,F403
from civictools.datasets.simulate import __all__ as _simulate_all
from civictools.datasets.survey import *  # noqa: F401,F403
from civictools.datasets.survey import __all__ as _survey_all

__all__: list[str] = [*_demo_all, *_external_all, *_simulate_all, *_survey_all]
