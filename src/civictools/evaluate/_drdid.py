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

__all__ = ["dr_panel", "ipw_panel", "reg_panel", "dr_rc", "ipw_rc", "reg_rc", "logit_fit", "KERNELS", "KERNELS_RC"]

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


# ---------------------------------------------------------------------------
# repeated cross-sections: one row per observation, ``post`` marks period t
# ---------------------------------------------------------------------------


def _ols_linrep(X, y, w, mask):
    """WLS of y on X among ``mask`` rows: fitted values for all rows and the
    asymptotic linear representation of the coefficients (``(n, k)``)."""
    n = X.shape[0]
    beta, inv = _wls(X[mask], y[mask], w[mask])
    fit = X @ beta
    wm = w * mask
    return fit, (X * (wm * (y - fit))[:, None]) @ (inv * n)


def reg_rc(y, post, d, X, w=None, ps=None):
    """Outcome-regression DiD for repeated cross-sections (``DRDID::reg_did_rc``).

    Parameters are those of :func:`dr_rc`.

    Examples
    --------
    >>> rng = np.random.default_rng(8)
    >>> n = 800; x = rng.normal(size=n); d = (rng.random(n) < 0.4) * 1.0; post = (rng.random(n) < 0.5) * 1.0
    >>> y = x + 0.5 * d + 0.3 * post + 2.0 * d * post + rng.normal(size=n)
    >>> abs(reg_rc(y, post, d, np.column_stack([np.ones(n), x]))[0] - 2.0) < 0.4
    True
    """
    n = d.shape[0]
    w = _normalise(w, n)
    c = d == 0
    out_pre, lin_pre = _ols_linrep(X, y, w, c & (post == 0))
    out_post, lin_post = _ols_linrep(X, y, w, c & (post == 1))
    w_tpre, w_tpost, w_t = w * d * (1 - post), w * d * post, w * d
    m_tpre, m_tpost, m_t = np.mean(w_tpre), np.mean(w_tpost), np.mean(w_t)
    eta_tpre = np.mean(w_tpre * y) / m_tpre
    eta_tpost = np.mean(w_tpost * y) / m_tpost
    cont = w_t * (out_post - out_pre)
    eta_c = np.mean(cont) / m_t
    att = eta_tpost - eta_tpre - eta_c
    inf_tpre = (w_tpre * y - w_tpre * eta_tpre) / m_tpre
    inf_tpost = (w_tpost * y - w_tpost * eta_tpost) / m_tpost
    mom = (w_t[:, None] * X).mean(axis=0)
    inf_c = (cont - w_t * eta_c + (lin_post - lin_pre) @ mom) / m_t
    return float(att), inf_tpost - inf_tpre - inf_c


def ipw_rc(y, post, d, X, w=None, ps=None):
    """Normalised IPW DiD for repeated cross-sections (``DRDID::std_ipw_did_rc``)."""
    n = d.shape[0]
    w = _normalise(w, n)
    if ps is None:
        ps = logit_fit(X, d, w)
    ps, keep = _trim(ps, d)
    odds = ps / (1.0 - ps)
    w_tpre, w_tpost = keep * w * d * (1 - post), keep * w * d * post
    w_cpre, w_cpost = keep * w * odds * (1 - d) * (1 - post), keep * w * odds * (1 - d) * post
    parts = []
    for wt in (w_tpre, w_tpost, w_cpre, w_cpost):
        m = np.mean(wt)
        eta = wt * y / m
        att_k = np.mean(eta)
        parts.append((wt, m, eta, att_k))
    (a_tpre, a_tpost, a_cpre, a_cpost) = [p[3] for p in parts]
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre)
    inf = [p[2] - p[0] * p[3] / p[1] for p in parts]
    inf_t = inf[1] - inf[0]
    inf_c = inf[3] - inf[2]
    if X.shape[1] > 1:
        m2_pre = ((w_cpre * (y - a_cpre))[:, None] * X).mean(axis=0) / parts[2][1]
        m2_post = ((w_cpost * (y - a_cpost))[:, None] * X).mean(axis=0) / parts[3][1]
        inf_c = inf_c + _ps_linrep(X, d, w, ps) @ (m2_post - m2_pre)
    return float(att), inf_t - inf_c


def dr_rc(y, post, d, X, w=None, ps=None):
    """Locally efficient doubly robust DiD for repeated cross-sections (``DRDID::drdid_rc``).

    Parameters
    ----------
    y : numpy.ndarray
        Outcome of each observation.
    post : numpy.ndarray
        1 if observed in period t, 0 if in the base period.
    d : numpy.ndarray
        1 for the treated cohort, 0 for comparison observations.
    X : numpy.ndarray
        ``(n, k)`` covariates with an intercept column first.
    w : numpy.ndarray, optional
        Sampling weights.
    ps : numpy.ndarray, optional
        Cached propensity scores.

    Returns
    -------
    (float, numpy.ndarray)
        ATT and influence function per observation.

    Examples
    --------
    >>> rng = np.random.default_rng(8)
    >>> n = 800; x = rng.normal(size=n); d = (rng.random(n) < 0.4) * 1.0; post = (rng.random(n) < 0.5) * 1.0
    >>> y = x + 0.5 * d + 0.3 * post + 2.0 * d * post + rng.normal(size=n)
    >>> abs(dr_rc(y, post, d, np.column_stack([np.ones(n), x]))[0] - 2.0) < 0.4
    True
    """
    n = d.shape[0]
    w = _normalise(w, n)
    if ps is None:
        ps = logit_fit(X, d, w)
    ps, keep = _trim(ps, d)
    c = d == 0
    out_cpre, lin_cpre = _ols_linrep(X, y, w, c & (post == 0))
    out_cpost, lin_cpost = _ols_linrep(X, y, w, c & (post == 1))
    out_c = post * out_cpost + (1 - post) * out_cpre
    out_tpre, lin_tpre = _ols_linrep(X, y, w, (d == 1) & (post == 0))
    out_tpost, lin_tpost = _ols_linrep(X, y, w, (d == 1) & (post == 1))
    odds = ps / (1.0 - ps)
    w_tpre, w_tpost = keep * w * d * (1 - post), keep * w * d * post
    w_cpre, w_cpost = keep * w * odds * (1 - d) * (1 - post), keep * w * odds * (1 - d) * post
    w_d, w_dt1, w_dt0 = keep * w * d, keep * w * d * post, keep * w * d * (1 - post)
    r = y - out_c

    def piece(wt, v):
        m = np.mean(wt)
        eta = wt * v / m
        a = np.mean(eta)
        return m, a, eta - wt * a / m

    m_tpre, a_tpre, i_tpre = piece(w_tpre, r)
    m_tpost, a_tpost, i_tpost = piece(w_tpost, r)
    m_cpre, a_cpre, i_cpre = piece(w_cpre, r)
    m_cpost, a_cpost, i_cpost = piece(w_cpost, r)
    m_d, a_dpost, i_e1 = piece(w_d, out_tpost - out_cpost)
    m_dt1, a_dt1, i_e2 = piece(w_dt1, out_tpost - out_cpost)
    _, a_dpre, i_e3 = piece(w_d, out_tpre - out_cpre)
    m_dt0, a_dt0, i_e4 = piece(w_dt0, out_tpre - out_cpre)
    att = (a_tpost - a_tpre) - (a_cpost - a_cpre) + (a_dpost - a_dt1) - (a_dpre - a_dt0)
    # Estimation effects of the outcome regressions and the propensity score.
    m1_post = -(w_tpost[:, None] * post[:, None] * X).mean(axis=0) / m_tpost
    m1_pre = -(w_tpre[:, None] * (1 - post)[:, None] * X).mean(axis=0) / m_tpre
    inf_t_or = lin_cpost @ m1_post - lin_cpre @ m1_pre
    m3_post = -(w_cpost[:, None] * post[:, None] * X).mean(axis=0) / m_cpost
    m3_pre = -(w_cpre[:, None] * (1 - post)[:, None] * X).mean(axis=0) / m_cpre
    inf_c_or = lin_cpost @ m3_post - lin_cpre @ m3_pre
    inf_c = i_cpost - i_cpre + inf_c_or
    if X.shape[1] > 1:
        m2_pre = ((w_cpre * (r - a_cpre))[:, None] * X).mean(axis=0) / m_cpre
        m2_post = ((w_cpost * (r - a_cpost))[:, None] * X).mean(axis=0) / m_cpost
        inf_c = inf_c + _ps_linrep(X, d, w, ps) @ (m2_post - m2_pre)
    inf_eff = (i_e1 - i_e2) - (i_e3 - i_e4)
    mom_post = ((w_d / m_d - w_dt1 / m_dt1)[:, None] * X).mean(axis=0)
    mom_pre = ((w_d / m_d - w_dt0 / m_dt0)[:, None] * X).mean(axis=0)
    inf_or = (lin_tpost - lin_cpost) @ mom_post - (lin_tpre - lin_cpre) @ mom_pre
    inf_t = i_tpost - i_tpre + inf_t_or
    return float(att), inf_t - inf_c + inf_eff + inf_or


KERNELS_RC = {"dr": dr_rc, "ipw": ipw_rc, "reg": reg_rc}
