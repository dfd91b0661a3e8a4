"""civictools.teaching: self-checks for the short course in ``notebooks/teaching/``.

Not imported by ``import civictools``; use ``from civictools import teaching`` and
``teaching.check("u3_did_2x2", my_answer)``. Every check recomputes the right answer from
the data it is given and names common mistakes (sign flipped, control change forgotten,
iid instead of clustered standard errors, design effect left out, raw agreement given as
kappa, ...).

>>> from civictools import teaching
>>> teaching.check("u5_t_critical", 1.96, n_clusters=12).diagnosis
'normal_quantile'
"""

from civictools.teaching._core import EXERCISES, CheckResult, check, list_exercises
from civictools.teaching import ex_coding as _ex_coding  # noqa: F401  (registers units 1-2)
from civictools.teaching import ex_did as _ex_did  # noqa: F401  (registers units 3-4)
from civictools.teaching import ex_inference as _ex_inference  # noqa: F401  (registers units 5-6)

__all__: list[str] = ["check", "CheckResult", "list_exercises", "EXERCISES"]
