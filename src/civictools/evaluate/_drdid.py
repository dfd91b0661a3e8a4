"""Two-period, two-group DiD kernels for panel data with their influence functions.

These are the building blocks of :func:`civictools.evaluate.att_gt`: each
``(g, t)`` cell of Callaway & Sant'Anna (2021) is a 2x2 comparison of the
outcome change ``dy = Y_t - Y_base`` between cohort ``g`` (``D = 1``) and its
comparison units (``D = 0``), possibly conditional on covariates ``X`` (with an
intercept column first).

* :func:`dr_panel` -- the (traditional, locally efficient) doubly robust
  estimator of Sant'Anna & Zhao (2020, eq. 3.1): a logit propensity score plus
  a weighted least-squares outcome regression of ``dy`` on ``X`` among the
  comparison units. This is what R ``did`` (``est_method = "dr"`` calls
  ``DRDID::drdid_panel``), csdid and differences (``est_method="dr"``) use by
  default; the "improved" estimator ``drdid_imp_panel`` (inverse probability
  tilting) is *not* their default, so it is not ours either.
* :func:`ipw_panel` -- the normalised (Hajek) inverse-probability-weighted
  estimator (``DRDID::std_ipw_did_panel``).
* :func:`reg_panel` -- the outcome-regression estimator of Heckman, Ichimura &
  Todd (1997) (``DRDID::reg_did_panel``).

Each returns ``(att, inf)`` where ``inf`` is the estimator's influence function,
one value per unit of the 2x2 sample, scaled so that ``att - ATT ~ mean(inf)``;
the analytical standard error is ``sqrt(mean(inf**2) / n)``.

As in DRDID (>= 1.0.6), propensity scores are capped at ``1 - 1e-6`` and
comparison units with a score of at least ``trim_level = 0.995`` get weight 0.
The logit is fitted by Newton-Raphson to machine precision (same maximum as
statsmodels' ``GLM(Binomial)`` IRLS, but without its per-call overhead; the
information matrix is rebuilt from the final scores, as DRDID does).
"""

from __future__ import annotations

import numpy as np

from civictools.errors import EstimationError

__all__ = ["dr_panel", "ipw_panel", "reg_panel", "logit_fit", "KERNELS"]

TRIM_LEVEL = 0.995
_PS_CAP = 1.0 - 1e-6


def logit_fit(X: np.ndarray, d: np.ndarray, w: np.ndarray, *, maxiter: int = 100, tol: float = 1e-12) -> np.ndarray:
    """Weighted logistic regression by Newton-Raphson; returns the fitted probabilities.

    Parameters
    ----------
    X : numpy.ndarray
        ``(n, k)`` design with an intercept column.
    d : numpy.ndarray
        0/1 outcome.
    w : numpy.ndarray
        Non-negative weights (frequency-weight semantics, as ``GLM(freq_weights=)``).

    Raises
    ------
    EstimationError
        If the information matrix is singular or the iterations do not converge
        (e.g. perfect separation).

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), [0.0, 1, 2, 3, 4, 5]])
    >>> p = logit_fit(X, np.array([0, 0, 1, 0, 1, 1.0]), np.ones(6))
    >>> round(float(p.sum()), 10)   # the score equation: sum(p) = sum(d)
    3.0
    """
    k = X.shape[1]
    if k == 1:
        # Intercept only: the maximum is the weighted share, no iterations needed.
        pbar = float(np.sum(w * d) / np.sum(w))
        return np.full(X.shape[0], pbar)
    # Start from the intercept-only fit (as glm's mustart does, roughly).
    pbar = float(np.sum(w * d) / np.sum(w))
    beta = np.zeros(k)
    beta[0] = np.log(pbar / (1.0 - pbar))
    eta = X @ beta
    p = 1.0 / (1.0 + np.exp(-eta))
    for _ in range(maxiter):
        grad = X.T @ (w * (d - p))
        info = (X * (w * p * (1.0 - p))[:, None]).T @ X
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                "the propensity-score design is singular; remove collinear or constant covariates"
            ) from exc
        beta = beta + step
        eta = X @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        if np.max(np.abs(step)) <= tol * max(1.0, float(np.max(np.abs(beta)))):
            return p
    raise EstimationError(
        "the propensity-score logit did not converge (perfect separation?); check the "
        "overlap of covariates between the cohort and its comparison units"
    )


def _ps_linrep(X: np.ndarray, d: np.ndarray, w: np.ndarray, ps: np.ndarray) -> np.ndarray:
    """Asymptotic linear representation of the logit coefficients, ``(n, k)``."""
    n = X.shape[0]
    info = (X * (w * ps * (1.0 - ps))[:, None]).T @ X
    try:
        hess = np.linalg.inv(info) * n
    except np.linalg.LinAlgError as exc:
        raise EstimationError("singular propensity-score information matrix") from exc
    return (X * (w * (d - ps))[:, None]) @ hess


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares; returns (coefficients, (X'WX)^-1)."""
    xtwx = (X * w[:, None]).T @ X
    try:
        inv = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "the outcome-regression design is singular among comparison units; remove "
            "collinear or constant covariates"
        ) from exc
    if not np.all(np.isfinite(inv)) or np.linalg.cond(xtwx) > 1.0 / np.finfo(float).eps:
        raise EstimationError(
            "the outcome-regression design is singular among comparison units; remove "
            "collinear or constant covariates"
        )
    beta = inv @ ((X * w[:, None]).T @ y)
    return beta, inv


def _normalise(w: np.ndarray | None, n: int) -> np.ndarray:
    if w is None:
        return np.ones(n)
    return w / np.mean(w)


def _trim(ps: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ps = np.minimum(ps, _PS_CAP)
    keep = np.where(d == 1, 1.0, (ps < TRIM_LEVEL).astype(float))
    return ps, keep


def dr_panel(dy, d, X, w=None, ps=None):
    """Doubly robust DiD (Sant'Anna & Zhao 2020, traditional) on a 2x2 panel sample.

    Parameters
    ----------
    dy : numpy.ndarray
        Outcome change per unit.
    d : numpy.ndarray
        1 for the treated cohort, 0 for comparison units.
    X : numpy.ndarray
        ``(n, k)`` covariates with an intercept column first.
    w : numpy.ndarray, optional
        Sampling weights (normalised to mean 1 inside).
    ps : numpy.ndarray, optional
        Pre-computed propensity scores (a cache; must be the logit fit on the same sample).

    Returns
    -------
    (float, numpy.ndarray)
        ATT and influence function.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400); d = (rng.random(400) < 0.4).astype(float)
    >>> dy = 0.5 * x + 2.0 * d + rng.normal(size=400)
    >>> att, inf = dr_panel(dy, d, np.column_stack([np.ones(400), x]))
    >>> abs(att - 2.0) < 0.3, inf.shape
    (True, (400,))
    """
    n = d.shape[0]
    w = _normalise(w, n)
    if ps is None:
        ps = logit_fit(X, d, w)
    ps, keep = _trim(ps, d)
    ctrl = d == 0
    beta, xpx_inv = _wls(X[ctrl], dy[ctrl], w[ctrl])
    out = X @ beta
    w_t = keep * w * d
    w_c = keep * w * ps * (1.0 - d) / (1.0 - ps)
    resid = dy - out
    m_t, m_c = np.mean(w_t), np.mean(w_c)
    eta_t = np.mean(w_t * resid) / m_t
    eta_c = np.mean(w_c * resid) / m_c
    att = eta_t - eta_c
    # Estimation effect of the outcome regression (n x k), scaled as in DRDID.
    wols = w * (1.0 - d)
    lin_or = (X * (wols * resid)[:, None]) @ (xpx_inv * n)
    lin_ps = _ps_linrep(X, d, w, ps) if X.shape[1] > 1 else None
    m1 = (w_t[:, None] * X).mean(axis=0)
    inf_t = (w_t * resid - w_t * eta_t - lin_or @ m1) / m_t
    m3 = (w_c[:, None] * X).mean(axis=0)
    inf_c = w_c * resid - w_c * eta_c - lin_or @ m3
    if lin_ps is not None:
        m2 = ((w_c * (resid - eta_c))[:, None] * X).mean(axis=0)
        inf_c = inf_c + lin_ps @ m2
    return float(att), inf_t - inf_c / m_c


def ipw_panel(dy, d, X, w=None, ps=None):
    """Normalised (Hajek) IPW DiD (Abadie 2005; ``DRDID::std_ipw_did_panel``).

    Same arguments and return value as :func:`dr_panel`.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=400); d = (rng.random(400) < 1 / (1 + np.exp(-x))).astype(float)
    >>> dy = 0.5 * x + 2.0 * d + rng.normal(size=400)
    >>> abs(ipw_panel(dy, d, np.column_stack([np.ones(400), x]))[0] - 2.0) < 0.3
    True
    """
    n = d.shape[0]
    w = _normalise(w, n)
    if ps is None:
        ps = logit_fit(X, d, w)
    ps, keep = _trim(ps, d)
    w_t = keep * w * d
    w_c = keep * w * ps * (1.0 - d) / (1.0 - ps)
    m_t, m_c = np.mean(w_t), np.mean(w_c)
    eta_t = np.mean(w_t * dy) / m_t
    eta_c = np.mean(w_c * dy) / m_c
    att = eta_t - eta_c
    inf_t = (w_t * dy - w_t * eta_t) / m_t
    inf_c = w_c * dy - w_c * eta_c
    if X.shape[1] > 1:
        m2 = ((w_c * (dy - eta_c))[:, None] * X).mean(axis=0)
        inf_c = inf_c + _ps_linrep(X, d, w, ps) @ m2
    return float(att), inf_t - inf_c / m_c


def reg_panel(dy, d, X, w=None, ps=None):
    """Outcome-regression DiD (Heckman, Ichimura & Todd 1997; ``DRDID::reg_did_panel``).

    Same arguments and return value as :func:`dr_panel` (``ps`` is ignored).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=400); d = (rng.random(400) < 0.4).astype(float)
    >>> dy = 0.5 * x + 2.0 * d + rng.normal(size=400)
    >>> abs(reg_panel(dy, d, np.column_stack([np.ones(400), x]))[0] - 2.0) < 0.3
    True
    """
    n = d.shape[0]
    w = _normalise(w, n)
    ctrl = d == 0
    beta, xpx_inv = _wls(X[ctrl], dy[ctrl], w[ctrl])
    out = X @ beta
    w_t = w * d
    m_t = np.mean(w_t)
    if m_t <= 0:
        raise EstimationError("no treated units with positive weight in this cell")
    eta_t = np.mean(w_t * dy) / m_t
    eta_c = np.mean(w_t * out) / m_t
    att = eta_t - eta_c
    wols = w * (1.0 - d)
    lin_or = (X * (wols * (dy - out))[:, None]) @ (xpx_inv * n)
    m1 = (w_t[:, None] * X).mean(axis=0)
    inf_t = (w_t * dy - w_t * eta_t) / m_t
    inf_c = (w_t * out - w_t * eta_c + lin_or @ m1) / m_t
    return float(att), inf_t - inf_c


KERNELS = {"dr": dr_panel, "ipw": ipw_panel, "reg": reg_panel}
