"""Syria's country and governorate outlines from the OCHA COD-AB shapefiles.

The folder is given by ``CONFLICT_MAP_BOUNDARIES`` (the shapefiles are not shipped: see
``../shared/data/ocha-cod-ab-syria/PROVENANCE.md``). Each table keeps the full-precision
``geometry`` for spatial joins and a simplified ``display_geometry`` for the map, where the
full outlines would only make the page heavier.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

ENV_VAR = "CONFLICT_MAP_BOUNDARIES"
COUNTRY_FILE = "syr_admin0.shp"
GOVERNORATES_FILE = "syr_admin1.shp"
SUBDISTRICTS_FILE = "syr_admin3.shp"  # optional: the control layer's approximate areas
# Degrees. About 500 m: invisible at the zooms the map is used at (6-10), and it cuts the
# governorate outlines from ~465 KB of shapefile to a few tens of KB of GeoJSON.
DISPLAY_TOLERANCE = 0.005

_COUNTRY_COLUMNS = ["adm0_name", "adm0_pcode"]
_GOVERNORATE_COLUMNS = ["adm1_name", "adm1_pcode"]
_SUBDISTRICT_COLUMNS = ["adm3_name", "adm3_name1", "adm1_name", "adm3_pcode"]


@dataclass
class Boundaries:
    """Country and governorate outlines (EPSG:4326).

    Attributes
    ----------
    country : geopandas.GeoDataFrame
        One row: ``adm0_name``, ``adm0_pcode``, ``geometry``, ``display_geometry``.
    governorates : geopandas.GeoDataFrame
        Fourteen rows sorted by ``adm1_pcode``: ``adm1_name``, ``adm1_pcode``, ``geometry``,
        ``display_geometry``.
    """

    country: gpd.GeoDataFrame
    governorates: gpd.GeoDataFrame
    # The 272 sub-districts (``adm3_name``, ``adm3_name1`` Arabic, ``adm1_name``,
    # ``adm3_pcode``), when the folder has them; None otherwise.
    subdistricts: gpd.GeoDataFrame | None = None


def _read(folder: Path, name: str, columns: list[str]) -> gpd.GeoDataFrame:
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{ENV_VAR}: {folder} has no {name} (expected the OCHA COD-AB shapefiles "
            f"{COUNTRY_FILE} and {GOVERNORATES_FILE} with their .shx/.dbf/.prj)"
        )
    table = gpd.read_file(path)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {missing}; is it an OCHA COD-AB file?")
    table = table[[*columns, "geometry"]]
    table = table.to_crs(4326) if table.crs is not None else table.set_crs(4326)
    table = table.sort_values(columns[-1], ignore_index=True)  # by P-code: a stable order
    table["display_geometry"] = table.geometry.simplify(
        DISPLAY_TOLERANCE, preserve_topology=True
    )
    return table


def load_boundaries(folder: Path) -> Boundaries:
    """Read ``syr_admin0.shp`` and ``syr_admin1.shp`` from ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        A folder holding the OCHA COD-AB shapefiles.

    Returns
    -------
    Boundaries

    Raises
    ------
    FileNotFoundError
        When ``folder`` is not a folder or lacks one of the two shapefiles (the message names
        the folder and the missing file).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{ENV_VAR}: {folder} is not a folder")
    subdistricts = (_read(folder, SUBDISTRICTS_FILE, _SUBDISTRICT_COLUMNS)
                    if (folder / SUBDISTRICTS_FILE).is_file() else None)
    return Boundaries(
        country=_read(folder, COUNTRY_FILE, _COUNTRY_COLUMNS),
        governorates=_read(folder, GOVERNORATES_FILE, _GOVERNORATE_COLUMNS),
        subdistricts=subdistricts,
    )


def boundaries_from_env() -> Boundaries | None:
    """Load the boundaries from the folder in ``CONFLICT_MAP_BOUNDARIES``.

    Returns
    -------
    Boundaries or None
        ``None`` when the variable is unset or empty (the map then has a plain background).

    Raises
    ------
    FileNotFoundError
        When the variable is set but the folder or a shapefile is missing.
    """
    folder = os.environ.get(ENV_VAR, "").strip()
    if not folder:
        return None
    return load_boundaries(Path(folder))
