"""civictools.evaluate: programme evaluation with fixed effects and few-cluster inference.

Public estimators: :func:`twfe`, :func:`event_study`, :func:`bacon_decomposition`,
:func:`wild_cluster_bootstrap`, :func:`randomization_inference`. The fixed-effects
engine (:mod:`civictools.evaluate._fe`) and the result helpers
(:mod:`civictools.evaluate._results`) are shared with the staggered-adoption
estimators.
"""

from civictools.evaluate.bacon import BaconResult, bacon_decomposition
from civictools.evaluate.event_study import EventStudyResult, event_study
from civictools.evaluate.ri import RIResult, randomization_inference
from civictools.evaluate.twfe import TWFEResult, twfe
from civictools.evaluate.wild import WildBootstrapResult, wild_cluster_bootstrap

__all__: list[str] = [
    "twfe",
    "TWFEResult",
    "bacon_decomposition",
    "BaconResult",
    "event_study",
    "EventStudyResult",
    "randomization_inference",
    "RIResult",
    "wild_cluster_bootstrap",
    "WildBootstrapResult",
]

# Staggered-adoption estimators (Callaway-Sant'Anna, Sun-Abraham, BJS imputation).
from civictools.evaluate._aggregate import AggregateResult  # noqa: E402
from civictools.evaluate.att_gt import ATTgtResult, att_gt  # noqa: E402
from civictools.evaluate.imputation import ImputationResult, did_imputation  # noqa: E402
from civictools.evaluate.sun_abraham import SunAbrahamResult, sun_abraham  # noqa: E402

__all__ += [
    "att_gt",
    "ATTgtResult",
    "AggregateResult",
    "sun_abraham",
    "SunAbrahamResult",
    "did_imputation",
    "ImputationResult",
]
