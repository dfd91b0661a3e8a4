"""Multiplier bootstrap of influence functions, with a uniform critical value.

Callaway & Sant'Anna (2021, Algorithm 1), as R ``did``'s ``mboot``: for draws
``b = 1..B`` of i.i.d. Rademacher multipliers ``V_i`` (one per unit, or one per
cluster when clustering), the bootstrap estimate of ``sqrt(n)(theta_hat -
theta)`` is ``R_b = sqrt(n) * mean_i(V_i * psi_i)``. Standard errors are the
interquartile range of ``R_b`` divided by that of the standard normal
(robust to heavy tails), divided by ``sqrt(n)``; the simultaneous (uniform)
critical value is the ``1 - alpha`` quantile of ``max_k |R_bk| / sigma_k``
over the columns ``k``, so the band ``theta_hat_k +- c * se_k`` covers all
``k`` jointly.

Draws are chunked so that the ``(chunk, n)`` multiplier matrix stays below
about 40 MB.
"""

from __future__ import annotations

import numpy as np
from civictools.evaluate._lazy import stats

__all__ = ["multiplier_bootstrap", "cluster_sums"]

_IQR_NORMAL = 1.3489795003921634  # stats.norm.ppf(0.75) - stats.norm.ppf(0.25), kept literal so import stays cheap


def cluster_sums(inf: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Sum the rows of ``inf`` (``(n, K)``) within clusters coded ``0..G-1``.

    Examples
    --------
    >>> cluster_sums(np.array([[1.0], [2.0], [4.0]]), np.array([0, 1, 0]))
    array([[5.],
           [2.]])
    """
    inf = np.asarray(inf, dtype=float)
    if inf.ndim == 1:
        inf = inf[:, None]
    g = int(codes.max()) + 1
    out = np.zeros((g, inf.shape[1]))
    np.add.at(out, codes, inf)
    return out


def multiplier_bootstrap(
    inf: np.ndarray,
    biters: int = 999,
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    cluster: np.ndarray | None = None,
) -> dict:
    """Rademacher multiplier bootstrap of an ``(n, K)`` influence-function matrix.

    Parameters
    ----------
    inf : numpy.ndarray
        Influence functions, one row per unit, one column per parameter.
    biters : int
        Number of bootstrap draws.
    alpha : float
        1 - coverage of the uniform band.
    rng : numpy.random.Generator, optional
        Source of randomness (seed it for reproducible results).
    cluster : numpy.ndarray, optional
        Cluster codes ``0..G-1`` per unit: multipliers are drawn per cluster.

    Returns
    -------
    dict
        ``se`` (length K, NaN where degenerate), ``crit_val`` (uniform critical
        value, NaN when not computable) and ``draws`` (``(B, K)``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> psi = rng.normal(size=(2000, 2))
    >>> out = multiplier_bootstrap(psi, 999, rng=np.random.default_rng(1))
    >>> bool(abs(out["se"][0] / (psi[:, 0].std() / np.sqrt(2000)) - 1) < 0.1)
    True
    >>> 1.96 < out["crit_val"] < 2.6
    True
    """
    inf = np.asarray(inf, dtype=float)
    if inf.ndim == 1:
        inf = inf[:, None]
    n, k = inf.shape
    rng = rng if rng is not None else np.random.default_rng()
    if cluster is not None:
        mat = cluster_sums(inf, np.asarray(cluster, dtype=np.int64))
    else:
        mat = inf
    m = mat.shape[0]
    finite_cols = np.all(np.isfinite(mat), axis=0)
    mat = np.where(np.isfinite(mat), mat, 0.0)
    biters = int(biters)
    draws = np.empty((biters, k))
    chunk = max(1, min(biters, int(5_000_000 // max(m, 1))))
    pos = 0
    while pos < biters:
        c = min(chunk, biters - pos)
        v = rng.integers(0, 2, size=(c, m), dtype=np.int8).astype(np.float64)
        v *= 2.0
        v -= 1.0
        draws[pos : pos + c] = v @ mat
        pos += c
    # R_b = sqrt(m) * mean over clusters(V * S); se = sigma * sqrt(m) / n.
    draws *= np.sqrt(m) / m
    ok = finite_cols & np.any(draws != 0, axis=0)
    se = np.full(k, np.nan)
    crit = np.nan
    if ok.any():
        q75 = np.quantile(draws[:, ok], 0.75, axis=0, method="inverted_cdf")
        q25 = np.quantile(draws[:, ok], 0.25, axis=0, method="inverted_cdf")
        sigma = (q75 - q25) / _IQR_NORMAL
        good = np.isfinite(sigma) & (sigma > 0)
        sig_full = np.full(k, np.nan)
        idx = np.flatnonzero(ok)
        sig_full[idx[good]] = sigma[good]
        se = sig_full * np.sqrt(m) / n
        if good.any():
            tmax = np.max(np.abs(draws[:, idx[good]] / sigma[good]), axis=1)
            crit = float(np.quantile(tmax, 1.0 - alpha, method="inverted_cdf"))
    return {"se": se, "crit_val": crit, "draws": draws}
