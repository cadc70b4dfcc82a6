"""Governorate names: every source's spelling -> the OCHA COD-AB ADM1 name.

UCDP writes ``adm_1`` as "Idlib Governorate", "Rif Dimashq governorate", "Dar`a"...; ACLED's
``admin1`` is "Idleb", "Rural Damascus", "Deir-ez-Zor"...; the OCHA layer (column
``adm1_name``) uses "Idleb", "Rural Damascus", "Dar'a", "As-Sweida". :func:`governorate_name`
maps any of these to the OCHA name through :data:`ALIASES`; :func:`assign_governorates`
fills the rest by point-in-polygon.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

# The fourteen OCHA governorate names (COD-AB adm1_name), P-code order SY01..SY14.
OCHA_NAMES: tuple[str, ...] = (
    "Damascus", "Aleppo", "Rural Damascus", "Homs", "Hama", "Lattakia", "Idleb",
    "Al-Hasakeh", "Deir-ez-Zor", "Tartous", "Ar-Raqqa", "Dar'a", "As-Sweida", "Quneitra",
)

# Spelling (normalised by _key: lower case, letters and digits only) -> OCHA name.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Damascus": ("Damascus", "Dimashq", "Damascus City"),
    "Aleppo": ("Aleppo", "Halab", "Alep"),
    "Rural Damascus": ("Rural Damascus", "Rif Dimashq", "Reef Damascus", "Rif Damascus",
                       "Damascus Countryside", "Rif-Dimashq", "Damascus Rural"),
    "Homs": ("Homs", "Hims"),
    "Hama": ("Hama", "Hamah", "Hamā"),
    "Lattakia": ("Lattakia", "Latakia", "Al Ladhiqiyah", "Al-Lathqiyah", "Ladhiqiyah",
                 "Latakiya"),
    "Idleb": ("Idleb", "Idlib"),
    "Al-Hasakeh": ("Al-Hasakeh", "Al Hasakah", "Hasakah", "Hasakeh", "Al-Hasakah",
                   "Hassakeh", "Al Hasakeh", "Hasaka", "Al Hasaka"),
    "Deir-ez-Zor": ("Deir-ez-Zor", "Deir ez Zor", "Deir ez-Zor", "Dayr az Zawr", "Deir Ezzor",
                    "Deir al-Zour", "Deir el-Zor", "Deir Ez-Zor", "Deir Ezzour", "Dayr al-Zawr"),
    "Tartous": ("Tartous", "Tartus", "Tartus"),
    "Ar-Raqqa": ("Ar-Raqqa", "Ar Raqqah", "Raqqa", "Raqqah", "Al-Raqqa", "Ar Raqqa", "Rakka"),
    "Dar'a": ("Dar'a", "Dar`a", "Daraa", "Deraa", "Dara'a", "Darʿa", "Dara"),
    "As-Sweida": ("As-Sweida", "As Suwayda", "As Suwayda'", "Suwayda", "Sweida", "As-Suwayda",
                  "Al-Suwayda", "Sweyda", "Al Suwayda"),
    "Quneitra": ("Quneitra", "Al Qunaytirah", "Qunaytirah", "Al-Quneitra", "Kuneitra"),
}
_SUFFIX = re.compile(r"\s*\b(governorate|province|muhafazah|mohafazat)\s*$", re.IGNORECASE)


def _key(text: str) -> str:
    text = _SUFFIX.sub("", text.strip())
    return re.sub(r"[^0-9a-z]", "", text.lower())


ALIASES: dict[str, str] = {_key(s): name for name, spells in _SPELLINGS.items() for s in spells}


def governorate_name(raw: object) -> str:
    """Return the OCHA governorate name for a source's spelling, or ``""`` when unknown.

    Parameters
    ----------
    raw : str
        A governorate as a source writes it, with or without the word "Governorate",
        in any case: "Deir ez Zor Governorate", "Dar`a", "idleb".
    """
    if not isinstance(raw, str) or not raw.strip():
        return ""
    return ALIASES.get(_key(raw), "")


def governorate_names(raw: pd.Series) -> pd.Series:
    """Vectorised :func:`governorate_name` (each distinct spelling is looked up once)."""
    codes, uniques = pd.factorize(raw.fillna("").astype(str), sort=False)
    names = np.array([governorate_name(u) for u in uniques] + [""], dtype=object)
    return pd.Series(names[codes], index=raw.index, dtype="string")


def assign_governorates(events: pd.DataFrame, governorates_gdf) -> pd.DataFrame:
    """Fill empty ``governorate`` values by point-in-polygon; other rows are left alone.

    Parameters
    ----------
    events : pandas.DataFrame
        A canonical event table (``latitude``, ``longitude``, ``governorate``).
    governorates_gdf : geopandas.GeoDataFrame or None
        The OCHA ADM1 layer with column ``adm1_name`` (EPSG:4326, or any CRS: reprojected).
        ``None`` returns ``events`` unchanged.

    Returns
    -------
    pandas.DataFrame
        A copy of ``events`` with governorates filled where a point falls in a polygon
        (points on no polygon, e.g. just over the border, stay empty).
    """
    if governorates_gdf is None or events.empty:
        return events
    empty = events["governorate"].isna() | (events["governorate"] == "")
    if not empty.any():
        return events
    layer = governorates_gdf[["adm1_name", "geometry"]]
    if layer.crs is not None and layer.crs.to_epsg() != 4326:
        layer = layer.to_crs(4326)
    todo = events.loc[empty, ["longitude", "latitude"]]
    points = gpd.GeoDataFrame(
        index=todo.index,
        geometry=gpd.points_from_xy(todo["longitude"], todo["latitude"]),
        crs=4326,
    )
    joined = gpd.sjoin(points, layer.set_crs(4326, allow_override=True), how="left",
                       predicate="intersects")
    # A point on a shared border intersects two polygons: keep the first.
    found = joined["adm1_name"][~joined.index.duplicated(keep="first")].fillna("")
    out = events.copy()
    out.loc[found.index, "governorate"] = found.astype("string")
    out["governorate"] = out["governorate"].fillna("").astype("string")
    return out
