"""civictools.evaluate: programme evaluation with fixed effects and few-cluster inference.

Fixed effects and few clusters: :func:`twfe`, :func:`event_study`,
:func:`bacon_decomposition`, :func:`wild_cluster_bootstrap`,
:func:`randomization_inference`. Staggered adoption: :func:`att_gt`
(Callaway & Sant'Anna), :func:`sun_abraham`, :func:`did_imputation`.
The fixed-effects engine (:mod:`civictools.evaluate._fe`) and the result helpers
(:mod:`civictools.evaluate._results`) are shared by all of them.
"""

from civictools.evaluate.att_gt import ATTgtResult, att_gt
from civictools.evaluate.bacon import BaconResult, bacon_decomposition
from civictools.evaluate.event_study import EventStudyResult, event_study
from civictools.evaluate.imputation import ImputationResult, did_imputation
from civictools.evaluate.ri import RIResult, randomization_inference
from civictools.evaluate.sun_abraham import SunAbrahamResult, sun_abraham
from civictools.evaluate.twfe import TWFEResult, twfe
from civictools.evaluate.wild import WildBootstrapResult, wild_cluster_bootstrap

__all__: list[str] = [
    "twfe",
    "TWFEResult",
    "event_study",
    "EventStudyResult",
    "bacon_decomposition",
    "BaconResult",
    "wild_cluster_bootstrap",
    "WildBootstrapResult",
    "randomization_inference",
    "RIResult",
    "att_gt",
    "ATTgtResult",
    "sun_abraham",
    "SunAbrahamResult",
    "did_imputation",
    "ImputationResult",
]
