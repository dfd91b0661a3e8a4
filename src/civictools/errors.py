"""Exception and warning classes shared by every civictools subpackage.

Every error a user can trigger with bad input derives from
:class:`CivictoolsError` and says what to do about it.
"""

from __future__ import annotations


class CivictoolsError(Exception):
    """Base class of all civictools errors."""


class CorpusError(CivictoolsError):
    """A document or corpus could not be read (names the file and the reason)."""


class TextError(CivictoolsError):
    """Bad input to segmentation, lexicons, exploration or redaction."""


class CodebookError(CivictoolsError):
    """A codebook is invalid (names the file and line) or cannot be used."""


class PanelError(CivictoolsError):
    """A panel cannot be built or validated (names the column or row)."""


class EstimationError(CivictoolsError):
    """An estimator cannot be run on the given data."""


class ReportError(CivictoolsError):
    """A report cannot be built or checked."""


class MissingDependencyError(CivictoolsError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class CivictoolsWarning(UserWarning):
    """Base class of all civictools warnings."""


class DataDroppedWarning(CivictoolsWarning):
    """Documents, rows or observations were dropped (the message says how many and why)."""


class FewClustersWarning(CivictoolsWarning):
    """Cluster-robust inference rests on few clusters or few treated clusters."""


__all__ = [
    "CivictoolsError",
    "CorpusError",
    "TextError",
    "CodebookError",
    "PanelError",
    "EstimationError",
    "ReportError",
    "MissingDependencyError",
    "CivictoolsWarning",
    "DataDroppedWarning",
    "FewClustersWarning",
]
