"""Two-way (and multi-way) fixed-effects regression with fixest-compatible inference.

The fixed effects are absorbed by weighted alternating-projection demeaning
(:mod:`civictools.evaluate._fe`); statsmodels ``OLS``/``WLS`` then fits the
demeaned outcome on the demeaned regressors (Frisch-Waugh-Lovell), and the
variance is computed here with fixest's small-sample conventions:

* ``"CR1"`` (default): ``V = G/(G-1) * (N-1)/(N-K) * (X'WX)^-1 M (X'WX)^-1``, with
  ``M`` the sum over clusters of outer products of cluster scores and
  ``K`` = regressors + fixed-effect parameters not nested in the cluster
  (fixest ``ssc(fixef.K="nested")``, pyfixest ``k_fixef="nonnested"``); p-values and
  intervals from ``t(G-1)``;
* ``"HC1"``: ``N/(N-K)`` times the heteroskedasticity-robust sandwich, ``t(N-K)``;
* ``"iid"``: ``sum(w u^2)/(N-K) * (X'WX)^-1``, ``t(N-K)``.

As in fixest, observations alone in a fixed-effect level (singletons) are removed
iteratively, and the default cluster is the first fixed effect (the unit).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import pandas as pd

from civictools.errors import EstimationError, FewClustersWarning
from civictools.evaluate._fe import _demean_inplace, drop_singletons, factorize_column, fe_dof, recode_fe
from civictools.evaluate._results import DropLog, ResultMixin, drop_notes, Summary, format_number, tidy_frame

__all__ = ["twfe", "TWFEResult"]

_VCOV_TYPES = ("CR1", "HC1", "iid")
FEW_CLUSTERS = 30
FEW_TREATED_CLUSTERS = 5
SUMMARY_WILD_B = 999
SUMMARY_WILD_SEED = 20240607
SUMMARY_WILD_MAX_WORK = 2e8  # clusters x rows: the bootstrap precomputation demeans G columns


@dataclass(frozen=True)
class _Design:
    """Demeaned arrays of a fitted model: enough to recompute any variance."""

    y: np.ndarray
    X: np.ndarray
    w: np.ndarray | None
    fe: np.ndarray
    fe_names: tuple
    terms: tuple
    coef: np.ndarray
    resid: np.ndarray
    bread: np.ndarray
    index: pd.Index
    cluster_codes: np.ndarray | None = None
    cluster_name: str | None = None
    treated_clusters: int | None = None
    raw_treat: np.ndarray | None = None
    weights_name: str | None = None


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str = "column") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise EstimationError(
            f"{what}(s) {', '.join(map(repr, missing))} not found in the data; available: "
            f"{', '.join(map(str, list(df.columns)[:30]))}"
        )


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(s):
        raise EstimationError(
            f"column {col!r} must be numeric (found dtype {s.dtype}); convert it, e.g. "
            f"pd.to_numeric(df[{col!r}], errors='coerce')"
        )
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _prepare(
    df: pd.DataFrame,
    y: str,
    xcols: Sequence[str],
    fe_cols: Sequence[str],
    *,
    cluster: str | None,
    weights: str | None,
    log: DropLog,
    extra_x: pd.DataFrame | None = None,
    treat_cols: Sequence[int] = (0,),
) -> dict:
    """Select, clean and demean; returns arrays for :func:`_fit_design`.

    Regressors are ordered ``extra_x`` columns first, then ``xcols``;
    ``treat_cols`` index that order and mark the treatment columns (their raw
    non-zero rows define treated clusters).
    """
    if not isinstance(df, pd.DataFrame):
        raise EstimationError("data must be a pandas DataFrame")
    fe_cols = list(fe_cols)
    needed = [y, *xcols, *fe_cols] + ([cluster] if cluster else []) + ([weights] if weights else [])
    _check_columns(df, list(dict.fromkeys(needed)))
    if not fe_cols:
        raise EstimationError("at least one fixed effect is required (fe=[...] or unit/time)")
    extra_names = list(extra_x.columns) if extra_x is not None else []
    terms = extra_names + list(xcols)
    if not terms:
        raise EstimationError("no regressors given")
    n = len(df)
    # one Fortran-ordered block [y, X] that is demeaned in place: no further copies
    M = np.empty((n, 1 + len(terms)), order="F")
    M[:, 0] = _numeric(df, y)
    for j, c in enumerate(extra_names):
        M[:, 1 + j] = extra_x[c].to_numpy(dtype=np.float64)
    for j, c in enumerate(xcols):
        M[:, 1 + len(extra_names) + j] = _numeric(df, c)
    wv = _numeric(df, weights) if weights else None

    codes = {c: factorize_column(df[c]) for c in dict.fromkeys(fe_cols + ([cluster] if cluster else []))}
    bad = ~np.isfinite(M).all(axis=1)
    for c in codes.values():
        bad |= c < 0
    if wv is not None:
        bad |= ~np.isfinite(wv)
    if bad.any():
        cols_with_na = [c for c in dict.fromkeys(needed) if df[c].isna().any()]
        log.add(f"missing values in {', '.join(cols_with_na) or 'regressors'}", int(bad.sum()), stacklevel=4)
    keep = ~bad
    if wv is not None:
        nonpos = keep & (wv <= 0)
        if nonpos.any():
            log.add(f"non-positive weights in {weights}", int(nonpos.sum()), stacklevel=4)
            keep &= ~nonpos
    fe = np.column_stack([codes[c] for c in fe_cols])
    cl = codes[cluster] if cluster else None
    index = df.index
    if not keep.all():
        M = np.asfortranarray(M[keep])
        fe = fe[keep]
        cl = cl[keep] if cl is not None else None
        wv = wv[keep] if wv is not None else None
        index = index[keep]
    single = ~drop_singletons(fe)
    if single.any():
        log.add("fixed-effect singletons (as fixest)", int(single.sum()), stacklevel=4)
        ok = ~single
        M = np.asfortranarray(M[ok])
        fe = fe[ok]
        cl = cl[ok] if cl is not None else None
        wv = wv[ok] if wv is not None else None
        index = index[ok]
    if M.shape[0] == 0:
        raise EstimationError("no observations left after removing missing values and singletons")
    if M.shape[0] < n:
        fe = recode_fe(fe)
        cl = recode_fe(cl)[:, 0] if cl is not None else None
    raw_norm = np.sqrt(np.einsum("ij,ij->j", M[:, 1:], M[:, 1:]))
    raw_treat = (M[:, [1 + j for j in treat_cols]] != 0).any(axis=1) if len(treat_cols) else None
    _demean_inplace(M, fe, wv)
    return {
        "y": M[:, 0],
        "X": M[:, 1:],
        "w": wv,
        "fe": fe,
        "fe_names": tuple(fe_cols),
        "terms": tuple(terms),
        "index": index,
        "cluster_codes": cl,
        "cluster_name": cluster,
        "raw_norm": raw_norm,
        "raw_treat": raw_treat,
        "weights_name": weights,
    }


def _fit_design(prep: dict) -> _Design:
    """Fit statsmodels OLS/WLS on demeaned arrays and store what inference needs."""
    import statsmodels.api as sm

    X, yv, w = prep["X"], prep["y"], prep["w"]
    gram = X.T @ (X * w[:, None]) if w is not None else X.T @ X
    scale = np.sqrt(np.abs(np.diag(X.T @ X))) if w is not None else np.sqrt(np.diag(gram))
    degenerate = (scale <= 1e-10 * np.maximum(prep["raw_norm"], 1.0)) | (scale == 0)
    if degenerate.any():
        names = [prep["terms"][i] for i in np.flatnonzero(degenerate)]
        raise EstimationError(
            f"regressor(s) {', '.join(map(repr, names))} are collinear with the fixed effects "
            "(constant within a fixed-effect level); remove them"
        )
    d = np.sqrt(np.diag(gram))
    if np.linalg.eigvalsh(gram / np.outer(d, d)).min() < 1e-12:
        raise EstimationError(
            f"regressors {', '.join(prep['terms'])} are collinear after absorbing the fixed effects"
        )
    # hasconst=False: demeaned data have no intercept, and skipping statsmodels'
    # constant detection saves a pass over the data
    model = sm.WLS(yv, X, weights=w, hasconst=False) if w is not None else sm.OLS(yv, X, hasconst=False)
    res = model.fit()
    coef = np.asarray(res.params, dtype=float)
    bread = np.asarray(res.normalized_cov_params, dtype=float)
    del res, model
    resid = yv - X @ coef
    treated = None
    cc = prep["cluster_codes"]
    raw_treat = prep["raw_treat"]
    if cc is not None and raw_treat is not None:
        tr = np.zeros(int(cc.max()) + 1, dtype=bool)
        tr[cc[raw_treat]] = True
        treated = int(tr.sum())
    return _Design(
        y=yv,
        X=X,
        w=w,
        fe=prep["fe"],
        fe_names=prep["fe_names"],
        terms=prep["terms"],
        coef=coef,
        resid=resid,
        bread=bread,
        index=prep["index"],
        cluster_codes=cc,
        cluster_name=prep["cluster_name"],
        treated_clusters=treated,
        raw_treat=raw_treat,
        weights_name=prep.get("weights_name"),
    )


def _cluster_scores(X: np.ndarray, score_w: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-cluster sums of ``X * score_w`` as a ``(G, k)`` array."""
    g = int(codes.max()) + 1
    return np.column_stack([np.bincount(codes, weights=X[:, j] * score_w, minlength=g) for j in range(X.shape[1])])


def _compute_vcov(d: _Design, vcov: str) -> tuple[np.ndarray, float, int, int | None]:
    """Return (V, t degrees of freedom, K, G)."""
    n, k = d.X.shape
    wu = d.resid * d.w if d.w is not None else d.resid
    if vcov == "CR1":
        if d.cluster_codes is None:
            raise EstimationError("CR1 needs a cluster column (cluster=...)")
        K = k + fe_dof(d.fe, d.cluster_codes)
        S = _cluster_scores(d.X, wu, d.cluster_codes)
        G = S.shape[0]
        if G < 2:
            raise EstimationError("cluster-robust inference needs at least 2 clusters")
        meat = S.T @ S
        adj = G / (G - 1) * (n - 1) / (n - K)
        return adj * d.bread @ meat @ d.bread, float(G - 1), K, G
    K = k + fe_dof(d.fe)
    if n - K <= 0:
        raise EstimationError(f"no residual degrees of freedom (N = {n}, K = {K})")
    if vcov == "HC1":
        S = d.X * wu[:, None]
        meat = S.T @ S
        return n / (n - K) * d.bread @ meat @ d.bread, float(n - K), K, None
    if vcov == "iid":
        ssr = float((d.resid * wu).sum())
        return ssr / (n - K) * d.bread, float(n - K), K, None
    raise EstimationError(f"vcov must be one of {', '.join(_VCOV_TYPES)}; got {vcov!r}")


def _few_cluster_message(G: int, treated: int | None) -> str | None:
    parts = []
    if G < FEW_CLUSTERS:
        parts.append(f"only {G} clusters (< {FEW_CLUSTERS})")
    if treated is not None and treated < FEW_TREATED_CLUSTERS:
        parts.append(f"only {treated} treated cluster(s) (< {FEW_TREATED_CLUSTERS})")
    if not parts:
        return None
    return (
        "cluster-robust standard errors are unreliable with "
        + " and ".join(parts)
        + "; use wild_cluster_bootstrap() or randomization_inference()"
    )


@dataclass(frozen=True, repr=False)
class TWFEResult(ResultMixin):
    """Result of :func:`twfe` (immutable; :meth:`with_vcov` returns a new result).

    Attributes
    ----------
    vcov : DataFrame
        Variance-covariance matrix of the coefficients.
    vcov_type : str
        ``"CR1"``, ``"HC1"`` or ``"iid"``.
    nobs : int
        Observations used.
    n_clusters : int or None
        Number of clusters (clustered variance only).
    n_treated_clusters : int or None
        Clusters with any non-zero treatment value.
    dropped : DataFrame
        Rows removed before estimation (columns ``reason``, ``count``).
    df_t : float
        Degrees of freedom of the t reference distribution.
    k_small_sample : int
        ``K`` in the small-sample factor ``(N-1)/(N-K)``.
    """

    outcome: str
    treat: str
    fe: tuple
    vcov: pd.DataFrame
    vcov_type: str
    nobs: int
    n_clusters: int | None
    n_treated_clusters: int | None
    dropped: pd.DataFrame
    df_t: float
    k_small_sample: int
    alpha: float
    r2_within: float
    cluster: str | None
    title: str = "Two-way fixed effects (TWFE) / 双向固定效应"
    _design: _Design = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def coef(self) -> pd.Series:
        """Coefficients as a Series indexed by term."""
        return pd.Series(self._design.coef, index=list(self._design.terms), name="estimate")

    def std_errors(self) -> pd.Series:
        """Standard errors as a Series indexed by term."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.vcov.index, name="std_error")

    def tidy(self, alpha: float | None = None) -> pd.DataFrame:
        """Coefficient table: term, estimate, std_error, statistic, p_value, conf_low, conf_high."""
        return tidy_frame(
            list(self._design.terms),
            self._design.coef,
            self.std_errors().to_numpy(),
            df=self.df_t,
            alpha=self.alpha if alpha is None else alpha,
        )

    def with_vcov(self, vcov: str, cluster: str | None = None, data: pd.DataFrame | None = None) -> "TWFEResult":
        """Return a copy with another variance estimator.

        Parameters
        ----------
        vcov : {"CR1", "HC1", "iid"}
        cluster : str, optional
            A different cluster column (then ``data`` must be the original DataFrame).
        data : DataFrame, optional
            The estimation data, needed only when changing the cluster column.
        """
        d = self._design
        if cluster is not None and cluster != d.cluster_name:
            if data is None:
                raise EstimationError("pass data= (the estimation DataFrame) to change the cluster column")
            _check_columns(data, [cluster])
            cl = data.loc[d.index, cluster]
            if cl.isna().any():
                raise EstimationError(f"cluster column {cluster!r} has missing values in the estimation rows")
            codes = pd.factorize(cl, sort=True)[0].astype(np.int64)
            tr = np.zeros(int(codes.max()) + 1, dtype=bool)
            tr[codes[_raw_treat_nonzero(d)]] = True
            d = replace(d, cluster_codes=codes, cluster_name=cluster, treated_clusters=int(tr.sum()))
        elif vcov == "CR1" and d.cluster_codes is None:
            raise EstimationError("pass cluster= (and data=) to switch this result to CR1")
        return replace(self, _design=d, _cache={}, **_vcov_fields(d, vcov, stacklevel=3))

    def _wild_terms(self) -> list[str]:
        """Terms whose wild-bootstrap p-value the few-cluster summary shows."""
        return [self.treat] if self.treat in self._design.terms else []

    def wild_bootstrap_pvalue(self, term: str | None = None) -> float | None:
        """The cheap wild-bootstrap p-value shown in the few-cluster summary.

        WCR, Rademacher weights, B = 999, fixed seed (``SUMMARY_WILD_SEED``);
        None when the result is not clustered.
        """
        term = term or self.treat
        if self.n_clusters is None or term not in self._design.terms:
            return None
        key = ("wild_p", term)
        if key not in self._cache:
            from civictools.evaluate.wild import wild_cluster_bootstrap

            wb = wild_cluster_bootstrap(self, term, B=SUMMARY_WILD_B, seed=SUMMARY_WILD_SEED, ci=False)
            self._cache[key] = wb.p_value
        return self._cache[key]

    def _summary_info(self) -> list:
        info = [
            ("Outcome", self.outcome),
            ("Observations", str(self.nobs)),
            ("Fixed effects", ", ".join(f"{n} ({len(np.unique(self._design.fe[:, j]))})" for j, n in enumerate(self.fe))),
            ("Variance", _vcov_label(self)),
            ("R2 within", format_number(self.r2_within)),
        ]
        if self._design.weights_name:
            info.insert(2, ("Weights", self._design.weights_name))
        if self.n_clusters is not None:
            info.insert(2, ("Clusters", f"{self.n_clusters} ({self.cluster}); treated clusters: {self.n_treated_clusters}"))
        return info

    def summary(self) -> Summary:
        """Deterministic summary; with few clusters it adds wild-bootstrap p-values."""
        tab = self.tidy()
        notes = []
        few = self.n_clusters is not None and _few_cluster_message(self.n_clusters, self.n_treated_clusters)
        if few:
            terms = self._wild_terms()
            from civictools.evaluate.wild import MAX_CLUSTERS

            if self.n_clusters <= MAX_CLUSTERS and self.n_clusters * self.nobs <= SUMMARY_WILD_MAX_WORK:
                pvals = {t: self.wild_bootstrap_pvalue(t) for t in terms}
                tab["wild_p_value"] = [pvals.get(t, np.nan) for t in tab["term"]]
                shown = ", ".join(terms) if len(terms) <= 3 else f"all {len(terms)} event-time terms"
                notes.append(
                    f"Few clusters: {few.split(';')[0]}. wild_p_value = wild cluster bootstrap "
                    f"(WCR, Rademacher, B = {SUMMARY_WILD_B}, seed = {SUMMARY_WILD_SEED}) for {shown}, "
                    "beside the analytic p_value; use wild_cluster_bootstrap() for more draws and a CI."
                )
            else:
                notes.append(
                    f"Few clusters: {few.split(';')[0]}. The quick wild bootstrap is skipped for "
                    f"{self.n_clusters} clusters x {self.nobs} rows; use randomization_inference()."
                )
        notes += drop_notes(self.dropped)
        return Summary(self.title, self._summary_info(), tab, notes + self._extra_notes())

    def _extra_notes(self) -> list[str]:
        return []


def _raw_treat_nonzero(d: _Design) -> np.ndarray:
    # The demeaned treatment is non-zero almost everywhere; treated rows are those
    # with a non-zero raw value, kept at fit time.
    if d.raw_treat is None:
        return np.zeros(d.X.shape[0], dtype=bool)
    return np.asarray(d.raw_treat) != 0


def _vcov_label(r: TWFEResult) -> str:
    if r.vcov_type == "CR1":
        return (
            f"CR1 clustered by {r.cluster} (fixest small-sample factor G/(G-1)(N-1)/(N-K), "
            f"K = {r.k_small_sample}); t({int(r.df_t)})"
        )
    if r.vcov_type == "HC1":
        return f"HC1 (N/(N-K), K = {r.k_small_sample}); t({int(r.df_t)})"
    return f"iid ((N-K), K = {r.k_small_sample}); t({int(r.df_t)})"


def _vcov_fields(d: _Design, vcov: str, stacklevel: int = 3) -> dict:
    """The vcov-dependent fields of a result (warns about few clusters)."""
    if vcov not in _VCOV_TYPES:
        raise EstimationError(f"vcov must be one of {', '.join(_VCOV_TYPES)}; got {vcov!r}")
    V, df_t, K, G = _compute_vcov(d, vcov)
    terms = list(d.terms)
    treated = d.treated_clusters if vcov == "CR1" else None
    if G is not None:
        msg = _few_cluster_message(G, treated)
        if msg:
            warnings.warn(msg, FewClustersWarning, stacklevel=stacklevel)
    return {
        "vcov": pd.DataFrame(V, index=terms, columns=terms),
        "vcov_type": vcov,
        "n_clusters": G,
        "n_treated_clusters": treated,
        "df_t": df_t,
        "k_small_sample": int(K),
        "cluster": d.cluster_name if vcov == "CR1" else None,
    }


def _make_result(
    d: _Design,
    vcov: str,
    alpha: float,
    outcome: str,
    treat: str,
    dropped: pd.DataFrame,
    cls=None,
    stacklevel: int = 4,
    **extra,
):
    w = d.w if d.w is not None else 1.0
    yy = float((w * d.y * d.y).sum())
    r2 = 1.0 - float((w * d.resid * d.resid).sum()) / yy if yy > 0 else float("nan")
    cls = cls or TWFEResult
    return cls(
        outcome=outcome,
        treat=treat,
        fe=d.fe_names,
        nobs=int(d.X.shape[0]),
        dropped=dropped,
        alpha=alpha,
        r2_within=r2,
        _design=d,
        **_vcov_fields(d, vcov, stacklevel=stacklevel),
        **extra,
    )


def twfe(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treat: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    weights: str | None = None,
    fe: Sequence[str] | None = None,
    vcov: str = "CR1",
    alpha: float = 0.05,
) -> TWFEResult:
    """Two-way fixed-effects regression ``y ~ treat + covariates | unit + time``.

    Parameters
    ----------
    df : DataFrame
        Long panel, one row per unit and period (unbalanced allowed).
    y, treat : str
        Outcome and treatment columns (treatment numeric or boolean).
    unit, time : str
        Unit and period columns; their fixed effects are absorbed.
    covariates : sequence of str
        Further time-varying regressors.
    cluster : str, optional
        Cluster column for ``vcov="CR1"``; defaults to the first fixed effect (the
        unit), as fixest does.
    weights : str, optional
        Column of analytic (regression) weights, as fixest ``weights=``.
    fe : sequence of str, optional
        Fixed-effect columns replacing ``[unit, time]`` (any number).
    vcov : {"CR1", "HC1", "iid"}
        Variance estimator (see module docstring).
    alpha : float
        1 - confidence level.

    Returns
    -------
    TWFEResult

    Warns
    -----
    DataDroppedWarning
        Rows with missing values or fixed-effect singletons were removed.
    FewClustersWarning
        Clustered with fewer than 30 clusters or fewer than 5 treated clusters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"u": np.repeat(np.arange(40), 5), "t": np.tile(np.arange(5), 40)})
    >>> d["d"] = ((d.u < 20) & (d.t >= 3)).astype(int)
    >>> d["y"] = 0.1 * d.u + 0.2 * d.t + 1.5 * d.d + rng.normal(0, 0.1, len(d))
    >>> r = twfe(d, "y", "u", "t", "d")
    >>> round(float(r.coef()["d"]), 1), r.n_clusters
    (1.5, 40)
    """
    fe_cols = list(fe) if fe is not None else [unit, time]
    if vcov == "CR1" and cluster is None:
        cluster = fe_cols[0]
    if vcov not in _VCOV_TYPES:
        raise EstimationError(f"vcov must be one of {', '.join(_VCOV_TYPES)}; got {vcov!r}")
    xcols = [treat, *covariates]
    if len(set(xcols)) != len(xcols):
        raise EstimationError("treat and covariates must be distinct columns")
    log = DropLog()
    prep = _prepare(df, y, xcols, fe_cols, cluster=cluster if vcov == "CR1" else cluster, weights=weights, log=log)
    d = _fit_design(prep)
    return _make_result(d, vcov, alpha, y, treat, log.frame())
