"""Fixed-effects engine: factorising, singleton removal and weighted demeaning.

Every linear estimator in :mod:`civictools.evaluate` absorbs its fixed effects
here, so the API is deliberately small and array-based:

* :func:`factorize_fe` turns DataFrame columns into an ``(n, m)`` int64 code matrix;
* :func:`drop_singletons` returns the keep-mask fixest uses (iterated until no
  fixed-effect level has a single observation);
* :func:`demean` projects columns on the orthogonal complement of the fixed-effect
  dummies by alternating projections with Irons-Tuck acceleration, weighted or not;
* :func:`fe_nested_in_cluster` / :func:`fe_dof` count the fixed-effect parameters
  entering fixest's small-sample factor (levels nested in the cluster not counted).

Group means are ``np.bincount`` sums over Fortran-ordered columns (with two fixed effects the
iteration runs on the smaller factor's coefficients through a sparse cross-tabulation); on a
1,000,000-row panel this measured faster than a ``scipy.sparse`` incidence product
(about 6 ms per column and fixed effect against 10-15 ms).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from civictools.errors import EstimationError

__all__ = [
    "demean",
    "drop_singletons",
    "factorize_fe",
    "factorize_column",
    "recode_fe",
    "fe_nested_in_cluster",
    "fe_dof",
]


def factorize_fe(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Encode fixed-effect columns as an ``(n, m)`` int64 matrix of codes ``0..L-1``.

    Parameters
    ----------
    df : DataFrame
        The data.
    cols : sequence of str
        Columns holding the fixed-effect identifiers (any hashable dtype).

    Returns
    -------
    numpy.ndarray
        Codes, one column per fixed effect, levels numbered in sorted order.

    Raises
    ------
    EstimationError
        If a column is absent or has missing values (drop those rows first).

    Examples
    --------
    >>> import pandas as pd
    >>> factorize_fe(pd.DataFrame({"u": ["b", "a", "b"], "t": [1, 1, 2]}), ["u", "t"])
    array([[1, 0],
           [0, 0],
           [1, 1]])
    """
    cols = list(cols)
    if not cols:
        return np.zeros((len(df), 0), dtype=np.int64)
    out = np.empty((len(df), len(cols)), dtype=np.int64)
    for j, col in enumerate(cols):
        if col not in df.columns:
            raise EstimationError(
                f"fixed-effect column {col!r} is not in the data; available columns: "
                f"{', '.join(map(str, df.columns[:20]))}"
            )
        codes = factorize_column(df[col])
        if (codes < 0).any():
            raise EstimationError(
                f"fixed-effect column {col!r} has {(codes < 0).sum()} missing values; "
                "drop or fill those rows first"
            )
        out[:, j] = codes
    return out


def factorize_column(s: pd.Series) -> np.ndarray:
    """Codes ``0..L-1`` in sorted order of the values, ``-1`` for missing values.

    Integer columns with a compact range take an O(n) bincount path instead of
    hashing (about 10x faster on a million rows).

    >>> factorize_column(pd.Series([30, 10, 30, 20])).tolist()
    [2, 0, 2, 1]
    >>> factorize_column(pd.Series(["b", None, "a"])).tolist()
    [1, -1, 0]
    """
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # plain numpy integers only
        v = s.to_numpy()
        if v.size:
            lo, hi = int(v.min()), int(v.max())
            if hi - lo <= 4 * v.size + 1024:
                shifted = (v - lo).astype(np.int64, copy=False)
                present = np.bincount(shifted, minlength=hi - lo + 1) > 0
                mapping = np.cumsum(present) - 1
                return mapping[shifted].astype(np.int64, copy=False)
    codes, _ = pd.factorize(s, sort=True)
    return codes.astype(np.int64, copy=False)


def recode_fe(fe: np.ndarray) -> np.ndarray:
    """Renumber each column of a code matrix to consecutive codes ``0..L-1``.

    Needed after rows were removed, so that ``np.bincount`` lengths equal the
    number of levels actually present.

    Examples
    --------
    >>> recode_fe(np.array([[3, 0], [7, 5], [3, 5]]))
    array([[0, 0],
           [1, 1],
           [0, 1]])
    """
    fe = _as_codes(fe)
    out = np.empty_like(fe)
    for j in range(fe.shape[1]):
        _, out[:, j] = np.unique(fe[:, j], return_inverse=True)
    return out


def drop_singletons(fe: np.ndarray) -> np.ndarray:
    """Return the keep-mask that removes fixed-effect singletons, as fixest does.

    An observation alone in a level of any fixed effect is perfectly fitted and
    carries no information; removing it can create new singletons in another
    fixed effect, so removal is repeated until none is left.

    Parameters
    ----------
    fe : numpy.ndarray
        ``(n, m)`` integer codes (see :func:`factorize_fe`).

    Returns
    -------
    numpy.ndarray
        Boolean mask of length ``n``; True keeps the row.

    Examples
    --------
    >>> fe = np.array([[0, 0], [0, 1], [1, 1], [2, 0], [2, 1]])
    >>> drop_singletons(fe)
    array([ True,  True, False,  True,  True])
    """
    fe = _as_codes(fe)
    n, m = fe.shape
    keep = np.ones(n, dtype=bool)
    if m == 0 or n == 0:
        return keep
    while True:
        changed = False
        for j in range(m):
            codes = fe[:, j]
            counts = np.bincount(codes[keep], minlength=int(codes.max()) + 1)
            single = keep & (counts[codes] == 1)
            if single.any():
                keep &= ~single
                changed = True
        if not changed:
            return keep


def fe_nested_in_cluster(fe: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Flag, for each fixed effect, whether every level lies inside a single cluster.

    Parameters
    ----------
    fe : numpy.ndarray
        ``(n, m)`` integer codes.
    cluster : numpy.ndarray
        Length-``n`` integer cluster codes.

    Returns
    -------
    numpy.ndarray
        Boolean array of length ``m``.

    Examples
    --------
    >>> fe = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> fe_nested_in_cluster(fe, np.array([0, 0, 1, 1]))
    array([ True, False])
    """
    fe = _as_codes(fe)
    cluster = np.asarray(cluster, dtype=np.int64).ravel()
    if cluster.shape[0] != fe.shape[0]:
        raise EstimationError("cluster codes and fixed-effect codes differ in length")
    flags = np.zeros(fe.shape[1], dtype=bool)
    n_clusters = int(np.count_nonzero(np.bincount(cluster))) if cluster.size else 0
    for j in range(fe.shape[1]):
        codes = fe[:, j]
        n_levels = int(codes.max()) + 1 if codes.size else 0
        if codes.size and int(np.count_nonzero(np.bincount(codes))) < n_clusters:
            # fewer levels than clusters: some level must span two clusters
            continue
        # one representative cluster per level (any row of it will do)
        rep = np.empty(n_levels, dtype=np.int64)
        rep[codes] = cluster
        flags[j] = bool(np.array_equal(rep[codes], cluster))
    return flags


def fe_dof(fe: np.ndarray, cluster: np.ndarray | None = None) -> int:
    """Number of fixed-effect parameters counted in fixest's small-sample ``K``.

    fixest (``ssc(fixef.K = "nested")``) and pyfixest (``k_fixef="nonnested"``)
    count all levels, minus one per fixed effect beyond the first (the redundant
    intercepts), and do not count levels of a fixed effect nested in the cluster
    variable (each such fixed effect then counts as one parameter).

    Parameters
    ----------
    fe : numpy.ndarray
        ``(n, m)`` integer codes of the rows used in estimation.
    cluster : numpy.ndarray, optional
        Cluster codes; None for iid/heteroskedasticity-robust inference.

    Examples
    --------
    >>> fe = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]])
    >>> fe_dof(fe)          # 3 + 2 levels, minus one redundant intercept
    4
    >>> fe_dof(fe, cluster=fe[:, 0])   # first FE nested in the cluster: counts as 1
    2
    """
    fe = _as_codes(fe)
    m = fe.shape[1]
    if m == 0:
        return 0
    levels = np.array([int(np.count_nonzero(np.bincount(fe[:, j]))) for j in range(m)])
    k_fe = int(levels.sum()) - (m - 1 if m > 1 else 0)
    if cluster is None:
        return k_fe
    nested = fe_nested_in_cluster(fe, cluster)
    if not nested.any():
        return k_fe
    return k_fe - int(levels[nested].sum()) + int(nested.sum())


def demean(
    x: np.ndarray,
    fe: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    maxiter: int = 100_000,
) -> np.ndarray:
    """Sweep fixed effects out of the columns of ``x`` (weighted within transformation).

    Alternating projections (method of alternating projections / Gauss-Seidel
    over fixed effects) with Irons-Tuck extrapolation every two sweeps, as in
    fixest; each column iterates until the largest change of a sweep is below
    ``tol`` times the column's scale. One fixed effect is a single exact
    projection; a balanced two-way panel converges in one sweep.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, k)`` (or ``(n,)``) float array; not modified.
    fe : numpy.ndarray
        ``(n, m)`` int64 codes ``0..L-1`` (see :func:`factorize_fe`).
    weights : numpy.ndarray, optional
        Positive observation weights; group means are weighted means.
    tol : float
        Convergence tolerance, relative to ``max(1, max|x_j|)``.
    maxiter : int
        Maximum number of sweeps per column.

    Returns
    -------
    numpy.ndarray
        Demeaned copy of ``x``, same shape, float64.

    Raises
    ------
    EstimationError
        On shape mismatches, non-positive weights, or no convergence.

    Examples
    --------
    >>> fe = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> demean(np.array([1.0, 2.0, 3.0, 5.0]), fe).round(6)
    array([ 0.25, -0.25, -0.25,  0.25])
    """
    arr = np.asarray(x, dtype=np.float64)
    squeeze = arr.ndim == 1
    if squeeze:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise EstimationError("demean expects a 1-D or 2-D array")
    fe = _as_codes(fe)
    n, k = arr.shape
    if fe.shape[0] != n:
        raise EstimationError(
            f"demean: x has {n} rows but the fixed-effect codes have {fe.shape[0]}"
        )
    out = np.array(arr, dtype=np.float64, order="F", copy=True)
    _demean_inplace(out, fe, weights, tol=tol, maxiter=maxiter)
    return out[:, 0] if squeeze else out


def _demean_inplace(out: np.ndarray, fe: np.ndarray, weights=None, *, tol: float = 1e-12,
                    maxiter: int = 100_000) -> None:
    """Demean the columns of a Fortran-ordered float64 array in place (no copy)."""
    _Demeaner(fe, weights, tol=tol, maxiter=maxiter).apply(out)


class _Demeaner:
    """Fixed-effect structure prepared once, applied to many column blocks.

    Randomization inference and the wild bootstrap demean many new columns
    against the same fixed effects; the group sizes (and, for two factors, the
    sparse cross-tabulation) are built here only once.
    """

    def __init__(self, fe: np.ndarray, weights=None, *, tol: float = 1e-12, maxiter: int = 100_000):
        from scipy import sparse

        fe = _as_codes(fe)
        self.n, self.m = fe.shape
        self.tol, self.maxiter = tol, maxiter
        if weights is not None:
            w = np.asarray(weights, dtype=np.float64).ravel()
            if w.shape[0] != self.n:
                raise EstimationError(f"demean: weights have {w.shape[0]} rows, x has {self.n}")
            if not np.all(np.isfinite(w)) or (w <= 0).any():
                raise EstimationError("demean: weights must be finite and positive")
        else:
            w = None
        self.w = w
        self.groups = []
        for j in range(self.m):
            codes = np.ascontiguousarray(fe[:, j])
            n_levels = int(codes.max()) + 1 if codes.size else 0
            sw = np.bincount(codes, weights=w, minlength=n_levels)
            inv = np.zeros(n_levels)
            np.divide(1.0, sw, out=inv, where=sw > 0)
            self.groups.append((codes, n_levels, inv))
        if self.m == 2 and self.n:
            # iterate on the factor with fewer levels
            ga, gb = self.groups
            if gb[1] > ga[1]:
                ga, gb = gb, ga
            self.two = (ga, gb)
            wt = w if w is not None else np.ones(self.n)
            C = sparse.csr_matrix((wt, (ga[0], gb[0])), shape=(ga[1], gb[1]))
            self.C, self.Ct = C, C.T.tocsr()

    def apply(self, out: np.ndarray) -> None:
        """Demean the columns of ``out`` (n x k, float64, Fortran order) in place."""
        if out.shape[0] != self.n:
            raise EstimationError(f"demean: x has {out.shape[0]} rows but the fixed-effect codes have {self.n}")
        if self.m == 0 or self.n == 0:
            return
        if self.m == 2:
            self._two(out)
            return
        for c in range(out.shape[1]):
            _demean_column(out[:, c], self.groups, self.w, self.tol, self.maxiter, column=c)

    def _two(self, out: np.ndarray) -> None:
        """Two fixed effects: iterate on the smaller effect's coefficients (as fixest does).

        With ``C`` the (weighted) cross-tabulation of the two factors, the
        coefficients of the larger factor given those of the smaller are a group
        mean, so the alternating projections reduce to the fixed point
        ``b = F(b) = N_B^-1 (b0 - C' N_A^-1 (a0 - C b))`` on the smaller factor's
        ``L_B`` coefficients. Each step is two sparse products over the non-empty
        cells (all columns at once), instead of two passes over the rows; Irons-Tuck
        extrapolation is applied per column. The residual is formed once at the end.
        """
        (c_a, l_a, inv_a), (c_b, l_b, inv_b) = self.two
        C, Ct, w = self.C, self.Ct, self.w
        k = out.shape[1]
        a0 = np.empty((l_a, k))
        b0 = np.empty((l_b, k))
        for j in range(k):
            xw = out[:, j] * w if w is not None else out[:, j]
            a0[:, j] = np.bincount(c_a, weights=xw, minlength=l_a)
            b0[:, j] = np.bincount(c_b, weights=xw, minlength=l_b)
        thresh = self.tol * np.maximum(1.0, np.abs(out).max(axis=0))

        def F(beta: np.ndarray) -> np.ndarray:
            alpha = (a0 - C @ beta) * inv_a[:, None]
            return (b0 - Ct @ alpha) * inv_b[:, None]

        x0 = np.zeros((l_b, k))
        g1 = F(x0)
        done = np.abs(g1 - x0).max(axis=0) <= thresh
        it = 1
        while not done.all():
            if it >= self.maxiter:
                raise EstimationError(
                    f"demeaning did not converge in {self.maxiter} iterations; the fixed effects "
                    "may be poorly connected (check for units observed in one period only)"
                )
            g2 = F(g1)
            it += 1
            done = np.abs(g2 - g1).max(axis=0) <= thresh
            if done.all():
                g1 = g2
                break
            d_g = g2 - g1
            d2 = d_g - (g1 - x0)
            den = np.einsum("ij,ij->j", d2, d2)
            num = np.einsum("ij,ij->j", d_g, d2)
            step = np.divide(num, den, out=np.zeros(k), where=den > 0)
            x0 = g2 - step * d_g
            g1 = F(x0)
            it += 1
            done = np.abs(g1 - x0).max(axis=0) <= thresh
        alpha = (a0 - C @ g1) * inv_a[:, None]
        for j in range(k):
            col = out[:, j]
            col -= alpha[c_a, j]
            col -= g1[c_b, j]


class _Sweeper:
    """Gauss-Seidel passes over the fixed effects for one column.

    Convergence is read off the group means themselves: once every fixed effect
    has, in consecutive projections, means below the threshold, the column is
    orthogonal to all of them. This saves the extra verification sweep a
    difference-based check needs (a balanced panel stops after 1.5 sweeps).
    """

    def __init__(self, groups, w, thresh):
        self.groups = groups
        self.w = w
        self.thresh = thresh
        self.reset()

    def reset(self) -> None:
        self.streak = 0
        self.done = 0

    def sweep(self, v: np.ndarray) -> bool:
        m = len(self.groups)
        for codes, n_levels, inv in self.groups:
            s = np.bincount(
                codes, weights=v * self.w if self.w is not None else v, minlength=n_levels
            )
            s *= inv
            big = float(np.max(np.abs(s))) > self.thresh
            if big:
                v -= s[codes]
                self.streak = 0
            else:
                self.streak += 1
            self.done += 1
            if self.done >= m and self.streak >= m - 1:
                return True
        return False


def _demean_column(v, groups, w, tol, maxiter, column):
    """Demean one column in place (``v`` must be a contiguous float64 view)."""
    scale = max(1.0, float(np.max(np.abs(v))) if v.size else 1.0)
    sweeper = _Sweeper(groups, w, tol * scale)
    if len(groups) == 1:
        sweeper.sweep(v)
        return
    x0 = v.copy()
    if sweeper.sweep(v):
        return
    g1 = v
    it = 1
    while it < maxiter:
        g2 = g1.copy()
        if sweeper.sweep(g2):
            v[:] = g2
            return
        it += 1
        # Irons-Tuck: extrapolate along the last difference, with a step chosen
        # from the change between the last two differences.
        d_g = g2 - g1
        d2 = d_g - (g1 - x0)
        den = float(d2 @ d2)
        if den > 0.0:
            x0 = g2 - (float(d_g @ d2) / den) * d_g
            sweeper.reset()
        else:
            x0 = g2
        g1 = x0.copy()
        if sweeper.sweep(g1):
            v[:] = g1
            return
        it += 1
    raise EstimationError(
        f"demeaning column {column} did not converge in {maxiter} sweeps; the fixed "
        "effects may be poorly connected (check for units observed in one period only)"
    )


def _as_codes(fe: np.ndarray) -> np.ndarray:
    fe = np.asarray(fe)
    if fe.ndim == 1:
        fe = fe[:, None]
    if fe.ndim != 2:
        raise EstimationError("fixed-effect codes must be a 1-D or 2-D integer array")
    if fe.size and not np.issubdtype(fe.dtype, np.integer):
        raise EstimationError("fixed-effect codes must be integers (use factorize_fe)")
    if fe.size and fe.min() < 0:
        raise EstimationError("fixed-effect codes must be non-negative")
    return fe.astype(np.int64, copy=False)
