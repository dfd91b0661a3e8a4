"""Reference datasets from the difference-in-differences literature.

``mpdta`` ships inside the package; ``organ_donations`` and ``castle`` come
through the optional ``causaldata`` package (``pip install civictools[causaldata]``).
"""

from __future__ import annotations

import pandas as pd

from civictools.datasets._paths import data_path
from civictools.errors import MissingDependencyError

__all__ = ["load_mpdta", "load_organ_donations", "load_castle"]


def load_mpdta() -> pd.DataFrame:
    """Load Callaway and Sant'Anna's county teen-employment panel (mpdta).

    500 US counties observed 2003–2007 (2,500 rows). Source: the R package
    ``did`` (Callaway & Sant'Anna 2021), as copied in the MIT-licensed
    ``csdid`` repository (``data/mpdta.csv``). The column ``first.treat`` is
    renamed ``first_treat`` (0 = never treated, R's ``did`` convention).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, countyreal, lpop, lemp, first_treat, treat``.

    Examples
    --------
    >>> from civictools import load_mpdta
    >>> df = load_mpdta()
    >>> df.shape
    (2500, 6)
    >>> sorted(df["first_treat"].unique().tolist())
    [0, 2004, 2006, 2007]
    """
    df = pd.read_csv(data_path("mpdta.csv"))
    return df.rename(columns={"first.treat": "first_treat"})


def _causaldata(name: str):
    try:
        import causaldata
    except ImportError as exc:  # pragma: no cover - exercised by monkeypatching in tests
        raise MissingDependencyError(
            f"load_{name}() needs the optional package 'causaldata'. "
            "Install it with: pip install 'civictools[causaldata]'"
        ) from exc
    return getattr(causaldata, name).load_pandas().data


def load_organ_donations() -> pd.DataFrame:
    """Load the organ-donation registration panel (Kessler & Roth 2014).

    Through the optional ``causaldata`` package. Adds ``Treated``: California
    from 2011 Q3 on, as in Huntington-Klein, *The Effect*, ch. 18.

    Raises
    ------
    MissingDependencyError
        When ``causaldata`` is not installed (install ``civictools[causaldata]``).
    """
    df = _causaldata("organ_donations").copy()
    df["Treated"] = (df["State"] == "California") & df["Quarter"].isin(
        ["Q32011", "Q42011", "Q12012"]
    )
    return df


def load_castle() -> pd.DataFrame:
    """Load the castle-doctrine panel (Cheng & Hoekstra 2013).

    Through the optional ``causaldata`` package. float32 columns are cast to
    float64 so that estimates match other software to many decimals.

    Raises
    ------
    MissingDependencyError
        When ``causaldata`` is not installed (install ``civictools[causaldata]``).
    """
    df = _causaldata("castle").copy()
    f32 = df.select_dtypes("float32").columns
    df[f32] = df[f32].astype("float64")
    return df
