"""Wild cluster bootstrap (WCR/WCU) for one coefficient, with a test-inversion interval.

Algorithm (after Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and wild").
Write ``x~`` and ``y~`` for the coefficient's regressor and the outcome with the
fixed effects and the other regressors partialled out (weighted), ``rho = x~'Wx~``.
Under ``H0: beta = b`` the restricted residuals are ``u~(b) = y~ - b x~``. For
bootstrap weights ``v`` (one per cluster) the bootstrap numerator is
``sum_g c_g(b) v_g`` with ``c_g(b) = x~_g'W_g u~_g(b) / rho`` and the cluster
scores of the bootstrap fit are

    z_g(b, v) = (1/rho) sum_h B_gh(b) v_h - (x~_g'W_g x~_g / rho) * numerator,

where ``B_gh(b) = sum_{i in h} w_i r_gi u~_i(b)`` and ``r_g`` is ``x~`` restricted to
cluster ``g`` with the fixed effects and other regressors partialled out again.
This is exact for fixed effects that are *not* nested in the clusters (period
effects), i.e. it equals re-estimating the full dummy-variable regression on
every bootstrap sample (tests check this by brute force). ``c`` and ``B`` are
affine in ``b``, so the numerator is affine and the squared bootstrap standard
error quadratic in ``b``: after one ``O(G n)`` precomputation and one ``G x B``
product, the bootstrap p-value at any ``b`` costs ``O(B)``. The confidence interval
is ``{b : p(b) > alpha}``; its ends are found by a grid scan outwards from the
estimate followed by Brent's method on the (step) function ``p(b) - alpha``.

The p-value is symmetric (two-tailed): the share of draws with ``|t*| > |t|``, as
wildboottest's ``"two-tailed"``; small-sample factors cancel. With Rademacher
weights and ``2**G <= B`` all ``2**G`` sign vectors are enumerated (boottest's
rule; for ``B = 9999`` that is ``G <= 13``), so the p-value is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from civictools.errors import EstimationError
from civictools.evaluate._fe import _Demeaner
from civictools.evaluate._results import ResultMixin, Summary, format_number, format_p

__all__ = ["wild_cluster_bootstrap", "WildBootstrapResult"]

_WEIGHTS = ("rademacher", "webb", "mammen")
MAX_CLUSTERS = 4000  # the precomputation is O(G n) time and O(G^2) memory


def _draw_weights(kind: str, G: int, B: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    if kind == "rademacher":
        if 2**G <= B:
            v = np.array(list(product([-1.0, 1.0], repeat=G))).T
            return v, True
        return rng.choice(np.array([-1.0, 1.0]), size=(G, B)), False
    if kind == "webb":
        pts = np.sqrt(np.array([3.0, 2.0, 1.0]) / 2.0)
        return rng.choice(np.concatenate([-pts, pts]), size=(G, B)), False
    if kind == "mammen":
        s5 = np.sqrt(5.0)
        vals = np.array([-(s5 - 1) / 2, (s5 + 1) / 2])
        probs = np.array([(s5 + 1) / (2 * s5), (s5 - 1) / (2 * s5)])
        return rng.choice(vals, size=(G, B), p=probs), False
    raise EstimationError(f"weights must be one of {', '.join(_WEIGHTS)}; got {kind!r}")


def _partial(v: np.ndarray, Xo: np.ndarray | None, w: np.ndarray | None, XtWXo_inv) -> np.ndarray:
    """Residual of (already demeaned) columns ``v`` on the other regressors ``Xo``."""
    if Xo is None:
        return v
    wv = v * w[:, None] if (w is not None and v.ndim == 2) else (v * w if w is not None else v)
    coef = XtWXo_inv @ (Xo.T @ wv)
    return v - Xo @ coef


class _Core:
    """Precomputed bootstrap statistics; p(b) is O(B) afterwards."""

    def __init__(self, design, j: int, kind: str, B: int, impose_null: bool, seed):
        d = design
        if d.cluster_codes is None:
            raise EstimationError(
                "the wild cluster bootstrap needs a clustered result (vcov='CR1' with cluster=...)"
            )
        X, y, w, codes = d.X, d.y, d.w, d.cluster_codes
        n, k = X.shape
        G = int(codes.max()) + 1
        self.G = G
        if G > MAX_CLUSTERS:
            raise EstimationError(
                f"the wild cluster bootstrap here is built for few clusters (at most {MAX_CLUSTERS}); "
                f"this result has {G}. With many clusters the analytic CR1 inference is reliable; "
                "with few treated clusters among many use randomization_inference()"
            )
        others = [i for i in range(k) if i != j]
        if others:
            Xo = X[:, others]
            Xo_inv = np.linalg.inv(Xo.T @ (Xo * w[:, None] if w is not None else Xo))
        else:
            Xo, Xo_inv = None, None
        xt = _partial(X[:, j].copy(), Xo, w, Xo_inv)
        yt = _partial(y.copy(), Xo, w, Xo_inv)
        ww = w if w is not None else np.ones(n)
        rho = float((ww * xt * xt).sum())
        if rho <= 0:
            raise EstimationError("the tested regressor has no variation left after partialling out")
        beta = float((ww * xt * yt).sum()) / rho
        uhat = yt - beta * xt
        self.beta = beta
        s_hat = np.bincount(codes, weights=ww * xt * uhat, minlength=G) / rho
        self.se = float(np.sqrt((s_hat**2).sum()))  # no small-sample factor: it cancels
        c0 = np.bincount(codes, weights=ww * xt * yt, minlength=G) / rho
        c1 = np.bincount(codes, weights=ww * xt * xt, minlength=G) / rho
        # B0[g, h] = sum_{i in h} w r_g y~ ; B1 with x~; r_g = M(x~ 1_g)
        B0 = np.empty((G, G))
        B1 = np.empty((G, G))
        chunk = max(1, min(G, int(2e7 // max(n, 1))))
        dm = _Demeaner(d.fe, w)
        for start in range(0, G, chunk):
            gs = np.arange(start, min(G, start + chunk))
            Q = np.zeros((n, gs.size), order="F")
            for col, g in enumerate(gs):
                mask = codes == g
                Q[mask, col] = xt[mask]
            dm.apply(Q)
            R = _partial(Q, Xo, w, Xo_inv)
            for col, g in enumerate(gs):
                wr = ww * R[:, col]
                B0[g] = np.bincount(codes, weights=wr * yt, minlength=G)
                B1[g] = np.bincount(codes, weights=wr * xt, minlength=G)
        rng = np.random.default_rng(seed)
        V, enumerated = _draw_weights(kind, G, B, rng)
        self.B = V.shape[1]
        self.enumerated = enumerated
        self.impose_null = impose_null
        if not impose_null:
            # WCU: the bootstrap DGP uses unrestricted residuals (b = beta-hat).
            c = c0 - beta * c1
            Bm = B0 - beta * B1
            num = c @ V
            Z = (Bm @ V) / rho - np.outer(c1, num)
            self.n0, self.n1 = num, np.zeros_like(num)
            self.a, self.b2, self.d = (Z * Z).sum(axis=0), np.zeros_like(num), np.zeros_like(num)
        else:
            n0, n1 = c0 @ V, c1 @ V
            Z0 = (B0 @ V) / rho - np.outer(c1, n0)
            Z1 = (B1 @ V) / rho - np.outer(c1, n1)
            self.n0, self.n1 = n0, n1
            self.a = (Z0 * Z0).sum(axis=0)
            self.b2 = (Z0 * Z1).sum(axis=0)
            self.d = (Z1 * Z1).sum(axis=0)

    def t_boot(self, b: float) -> np.ndarray:
        num = self.n0 - b * self.n1
        den = self.a - 2.0 * b * self.b2 + b * b * self.d
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / np.sqrt(np.maximum(den, 0.0))

    def t_stat(self, b: float) -> float:
        return (self.beta - b) / self.se

    def p_value(self, b: float) -> float:
        return float(self.p_values(np.array([b]))[0])

    def p_values(self, bs: np.ndarray) -> np.ndarray:
        """p(b) for many b at once (vectorised over draws and b, in chunks)."""
        bs = np.asarray(bs, dtype=float)
        out = np.empty(bs.size)
        step = max(1, int(4e6 // max(self.B, 1)))
        for i in range(0, bs.size, step):
            b = bs[i : i + step, None]
            num = self.n0 - b * self.n1
            den = np.maximum(self.a - 2.0 * b * self.b2 + b * b * self.d, 0.0)
            t = np.abs((self.beta - b) / self.se)
            # compare squared statistics (no square roots); ties, as the identity
            # draw reproducing t exactly, count as not exceeding
            thr = (t * (1.0 + 1e-10)) ** 2
            out[i : i + step] = np.mean(num * num > thr * den, axis=1)
        return out


def _ci_end(core: _Core, alpha: float, direction: int, step: float) -> float:
    """Boundary of {b : p(b) > alpha} walking from the estimate in ``direction``.

    A scan (steps of half a standard error up to 10, then geometric) finds the
    first rejection; Brent's method then locates the jump of the step function p(b).
    """
    from scipy import optimize

    f = lambda b: core.p_value(b) - alpha - 1e-12  # noqa: E731
    if f(core.beta) <= 0:
        return core.beta
    multiples = np.concatenate([np.arange(1, 21) * 0.5, 10.0 * 1.25 ** np.arange(1, 100)])
    grid = core.beta + direction * step * multiples
    reject = np.flatnonzero(core.p_values(grid) - alpha - 1e-12 <= 0)
    if reject.size:
        i = int(reject[0])
        prev = grid[i - 1] if i > 0 else core.beta
        lo, hi = (prev, grid[i]) if prev < grid[i] else (grid[i], prev)
        return float(optimize.brentq(f, lo, hi, xtol=1e-10 * step, rtol=4 * np.finfo(float).eps))
    return float(direction * np.inf)


@dataclass(frozen=True, repr=False)
class WildBootstrapResult(ResultMixin):
    """Result of :func:`wild_cluster_bootstrap`.

    Attributes
    ----------
    term : str
    estimate : float
    null : float
        Hypothesised value of the p-value.
    t_stat : float
        Cluster-robust t statistic (without small-sample factor; it cancels).
    p_value : float
        Symmetric bootstrap p-value of ``H0: term = null``.
    conf_low, conf_high : float
        Test-inversion confidence interval (``nan`` when ``ci=False``; may be infinite).
    B : int
        Bootstrap draws actually used (``2**G`` when enumerated).
    enumerated : bool
        True when all Rademacher sign vectors were enumerated.
    t_boot : numpy.ndarray
        Bootstrap t statistics under the null.
    """

    term: str
    estimate: float
    null: float
    t_stat: float
    p_value: float
    conf_low: float
    conf_high: float
    alpha: float
    B: int
    weights: str
    impose_null: bool
    seed: object
    enumerated: bool
    n_clusters: int
    t_boot: np.ndarray = field(repr=False)
    _core: object = field(default=None, repr=False, compare=False)

    def p_value_at(self, b: float) -> float:
        """Bootstrap p-value of ``H0: term = b`` (same draws; O(B))."""
        return self._core.p_value(float(b))

    def tidy(self) -> pd.DataFrame:
        """One row: term, estimate, statistic, p_value, conf_low, conf_high, B, weights."""
        return pd.DataFrame(
            {
                "term": [self.term],
                "estimate": [self.estimate],
                "statistic": [self.t_stat],
                "p_value": [self.p_value],
                "conf_low": [self.conf_low],
                "conf_high": [self.conf_high],
                "B": [self.B],
                "weights": [self.weights],
            }
        )

    def summary(self) -> Summary:
        kind = "WCR (null imposed)" if self.impose_null else "WCU (null not imposed)"
        info = [
            ("Term", self.term),
            ("Bootstrap", f"{kind}, {self.weights} weights, B = {self.B}"
             + (" (all 2^G sign vectors enumerated)" if self.enumerated else f", seed = {self.seed}")),
            ("Clusters", str(self.n_clusters)),
            ("H0", f"{self.term} = {format_number(self.null)}"),
            ("p-value", format_p(self.p_value) if self.p_value > 0 else f"0 (no draw of {self.B} as extreme)"),
            (f"{100 * (1 - self.alpha):g}% CI (test inversion)",
             f"[{format_number(self.conf_low)}, {format_number(self.conf_high)}]"),
        ]
        return Summary("Wild cluster bootstrap / 野聚类自助法", info, pd.DataFrame(), [])


def wild_cluster_bootstrap(
    result,
    term: str | None = None,
    B: int = 9999,
    weights: str = "rademacher",
    impose_null: bool = True,
    seed: int | None = 12345,
    alpha: float = 0.05,
    null: float = 0.0,
    ci: bool = True,
) -> WildBootstrapResult:
    """Wild cluster bootstrap test of one coefficient, with a test-inversion CI.

    Parameters
    ----------
    result : TWFEResult or EventStudyResult
        A clustered fixed-effects fit (``vcov="CR1"``).
    term : str, optional
        Coefficient to test (default: the treatment).
    B : int
        Bootstrap draws (Rademacher with ``2**G <= B`` enumerates instead).
    weights : {"rademacher", "webb", "mammen"}
        Distribution of the cluster weights.
    impose_null : bool
        True for WCR (restricted residuals, recommended), False for WCU.
    seed : int, optional
        Seed of ``numpy.random.default_rng``.
    alpha : float
        The interval is ``{b : p(b) > alpha}``.
    null : float
        Hypothesised value for the reported p-value.
    ci : bool
        Compute the interval (cheap; set False to skip).

    Returns
    -------
    WildBootstrapResult

    Examples
    --------
    >>> import numpy as np, pandas as pd, warnings
    >>> from civictools.evaluate import twfe
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(8), 6), "t": np.tile(np.arange(6), 8)})
    >>> d["d"] = ((d.u < 3) & (d.t >= 3)).astype(float)
    >>> d["y"] = d.u * 0.1 + d.t * 0.2 + 0.5 * d.d + rng.normal(0, 0.3, len(d))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = twfe(d, "y", "u", "t", "d")
    >>> wb = wild_cluster_bootstrap(r, "d", B=999)
    >>> wb.enumerated, wb.B        # 2**8 = 256 <= 999: all sign vectors
    (True, 256)
    >>> bool(wb.conf_low < r.coef()["d"] < wb.conf_high)
    True
    """
    d = getattr(result, "_design", None)
    if d is None:
        raise EstimationError("wild_cluster_bootstrap expects a result of twfe() or event_study()")
    if term is None:
        term = getattr(result, "treat", None) or d.terms[0]
    if term not in d.terms:
        raise EstimationError(f"term {term!r} is not a coefficient; available: {', '.join(d.terms)}")
    if weights not in _WEIGHTS:
        raise EstimationError(f"weights must be one of {', '.join(_WEIGHTS)}; got {weights!r}")
    if int(B) < 1:
        raise EstimationError("B must be a positive number of draws")
    if not 0 < alpha < 1:
        raise EstimationError("alpha must be in (0, 1)")
    core = _Core(d, d.terms.index(term), weights, int(B), impose_null, seed)
    p = core.p_value(null)
    lo = hi = float("nan")
    if ci:
        step = float(np.sqrt(result.vcov.loc[term, term])) if hasattr(result, "vcov") else core.se
        if not np.isfinite(step) or step <= 0:
            step = core.se
        lo = _ci_end(core, alpha, -1, step)
        hi = _ci_end(core, alpha, +1, step)
    return WildBootstrapResult(
        term=term,
        estimate=core.beta,
        null=float(null),
        t_stat=core.t_stat(null),
        p_value=p,
        conf_low=lo,
        conf_high=hi,
        alpha=alpha,
        B=core.B,
        weights=weights,
        impose_null=impose_null,
        seed=seed,
        enumerated=core.enumerated,
        n_clusters=core.G,
        t_boot=core.t_boot(null),
        _core=core,
    )
