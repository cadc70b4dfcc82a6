"""An area file's geometries checked against the country, before they become area rows.

:func:`check_geometries` takes the features of one area file as read (any CRS, or none) and
returns the ones that can be drawn on a map of Syria, in EPSG:4326 and valid, with one
sentence per thing it did to them (:attr:`AreaCheck.notes`) and the counts behind those
sentences. Nothing is changed or dropped silently:

1. A feature without geometry (null or empty) is skipped and named; the rest load.
2. A declared CRS is honoured: the coordinates are reprojected to longitude/latitude, and said.
   Coordinates that are not degrees under no CRS (or GeoJSON's implied longitude/latitude)
   are read in the one common projection for Syria that puts them there (UTM zones 36N-38N,
   Web Mercator), and said; when none does, or more than one does, the file is refused.
3. Latitude and longitude swapped (features in Syria only when x and y are exchanged, as in
   :mod:`sources.validate` for event rows): the file's x and y are swapped, and said.
4. Features whose extent does not reach Syria are left out, counted and named; when none
   reaches it the file is refused with its extent.
5. Invalid geometries are repaired with ``make_valid``, counted and named; a repair that
   changes a feature's area by more than :data:`REPAIR_AREA_CHANGE` is called out.

"Syria" is its bounding box (:data:`sources.validate.SYRIA_BOX`, from the OCHA COD-AB
outline), widened by :data:`sources.validate.BOX_MARGIN`: area files are read without the
boundaries, and a zone drawn a little across the border must still load.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from sources.detect import SourceError
from sources.validate import BOX_MARGIN, SWAPPED_SHARE, SYRIA_BOX

WEST, SOUTH, EAST, NORTH = (SYRIA_BOX[0] - BOX_MARGIN, SYRIA_BOX[1] - BOX_MARGIN,
                            SYRIA_BOX[2] + BOX_MARGIN, SYRIA_BOX[3] + BOX_MARGIN)
# The projections Syrian data comes in when it is not in degrees: the UTM zones the country
# spans (36N: the coast; 37N: most of it; 38N: the far east) and the web maps' Mercator.
# Why reproject rather than refuse: the northings of Syria in UTM (3.5-4.2 million m) and its
# Web Mercator coordinates (x 3.9-4.8 million m) are far from anything a national grid gives, so
# a file that lands in Syria under exactly one of these is almost surely in it. When the same
# numbers fit two zones (a small file near a zone edge) the file is refused instead: a zone
# drawn 500 km off inside Syria would mislead more than a file that does not load.
PROJECTED_GUESSES: dict[int, str] = {
    32636: "UTM zone 36N",
    32637: "UTM zone 37N",
    32638: "UTM zone 38N",
    3857: "Web Mercator",
}
# Share of the features (their extent's centre) that must land in Syria under a guessed
# projection for the guess to fit.
GUESS_SHARE = 0.9
# A repair that changes a feature's area by more than this share (of the larger of the two)
# redrew its outline rather than mending it: a bow-tie, whose loops cancel out in the
# invalid polygon's area, is split into two polygons.
REPAIR_AREA_CHANGE = 0.1
NAMED = 5  # features named in one sentence; the rest are counted
ID_FIELDS = ("id", "fid", "area_id", "feature_id", "objectid", "gid", "uid")
NAME_FIELDS = ("name", "label", "title")
BOX_TEXT = (f"lon {SYRIA_BOX[0]:g} to {SYRIA_BOX[2]:g}, lat {SYRIA_BOX[1]:g} to "
            f"{SYRIA_BOX[3]:g}")

# The reasons a feature is left out, as counted in AreaCheck.skipped.
NO_GEOMETRY = "no geometry"
OUTSIDE = "outside Syria"
UNREPAIRABLE = "invalid geometry that could not be repaired"


@dataclass
class AreaCheck:
    """What :func:`check_geometries` kept, and what it did.

    Attributes
    ----------
    features : int
        Features in the file.
    kept : numpy.ndarray
        0-based positions (in file order) of the features kept.
    geometry : numpy.ndarray
        Their geometries: EPSG:4326, valid, none missing.
    crs : str
        How the coordinates were read, e.g. ``"EPSG:4326"``, ``"EPSG:3857 (declared)"``,
        ``"EPSG:32637 (assumed)"``.
    swapped : bool
        Whether x and y were exchanged.
    repaired : int
        Features (kept) whose invalid geometry was repaired.
    skipped : dict of str to int
        Features left out, by reason (:data:`NO_GEOMETRY`, :data:`OUTSIDE`,
        :data:`UNREPAIRABLE`).
    notes : list of str
        One sentence per thing done, naming the file and the features.
    """

    features: int
    kept: np.ndarray
    geometry: np.ndarray
    crs: str = "EPSG:4326"
    swapped: bool = False
    repaired: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The counts as plain JSON-ready values (the CLI's line, ``attrs["report"]``)."""
        return {"features": self.features, "loaded": len(self.kept),
                "repaired": self.repaired, "skipped": dict(self.skipped), "crs": self.crs,
                "swapped": self.swapped, "notes": list(self.notes)}


class FeatureNames:
    """Names features in messages: their number in the file, id and name fields, and for a
    GeoJSON file the line the feature starts on."""

    def __init__(self, frame: pd.DataFrame, path: Path | None, label_field: str | None):
        geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
        by_lower = {str(c).lower(): c for c in reversed(list(frame.columns)) if c != geometry}
        self._frame = frame
        self._id = next((by_lower[f] for f in ID_FIELDS if f in by_lower), None)
        self._label = label_field if label_field in frame.columns else next(
            (by_lower[f] for f in NAME_FIELDS if f in by_lower), None)
        self._path = path
        self._lines: list[int] | bool | None = False  # False: not looked for yet

    def one(self, position: int) -> str:
        """``feature 3 (id 7, 'Idlib zone', line 45)``: position is 0-based."""
        details = []
        for column, prefix in ((self._id, "id "), (self._label, "")):
            if column is None:
                continue
            value = self._frame[column].iloc[position]
            if np.ndim(value) == 0 and pd.isna(value):  # None, NaN, NA: nothing to name
                continue
            text = str(value)
            text = text if len(text) <= 40 else text[:39] + "…"
            details.append(prefix + (text if prefix and isinstance(value, int | np.integer)
                                     else repr(text)))
        lines = self._feature_lines()
        if lines:
            details.append(f"line {lines[position]}")
        return f"feature {position + 1}" + (f" ({', '.join(details)})" if details else "")

    def some(self, positions) -> str:
        """The first :data:`NAMED` of ``positions`` named, the rest counted."""
        positions = [int(p) for p in positions]
        named = ", ".join(self.one(p) for p in positions[:NAMED])
        rest = len(positions) - NAMED
        return named + (f" and {rest} more" if rest > 0 else "")

    def _feature_lines(self) -> list[int] | None:
        if self._lines is False:
            self._lines = geojson_feature_lines(self._path, len(self._frame))
        return self._lines  # type: ignore[return-value]


def geojson_feature_lines(path: Path | None, count: int) -> list[int] | None:
    """The 1-based line each feature of a GeoJSON FeatureCollection starts on, or None when
    the file is not one (or its features cannot be matched one to one with the ``count``
    read)."""
    if path is None or path.suffix.lower() not in (".geojson", ".json"):
        return None
    try:
        if path.stat().st_size > 256 * 1024**2:  # scanning would cost more than it tells
            return None
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    start = re.search(r'"features"\s*:\s*\[', text)
    if start is None:
        return None
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    lines, at = [], start.end()
    space = re.compile(r"[\s,]*")
    try:
        while True:
            at = space.match(text, at).end()
            if at >= len(text) or text[at] == "]":
                break
            lines.append(bisect_right(newlines, at - 1) + 1)
            _, at = decoder.raw_decode(text, at)
    except ValueError:
        return None
    if len(lines) != count or (count > 1 and lines[0] == lines[-1]):
        return None  # not matched, or all on one line: the line would not find the feature
    return lines


def _in_box(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= WEST) & (x <= EAST) & (y >= SOUTH) & (y <= NORTH)


def _centres(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bounds = shapely.bounds(geometry)
    return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def _reaches_syria(geometry: np.ndarray) -> np.ndarray:
    # The extent, not the shape: cheap, independent of validity, and a zone drawn across the
    # border still reaches the country.
    b = shapely.bounds(geometry)
    with np.errstate(invalid="ignore"):
        return (np.isfinite(b).all(axis=1) & (b[:, 2] >= WEST) & (b[:, 0] <= EAST)
                & (b[:, 3] >= SOUTH) & (b[:, 1] <= NORTH))


def _not_degrees(geometry: np.ndarray) -> np.ndarray:
    b = shapely.bounds(geometry)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(b).all(axis=1) | (np.abs(b[:, [0, 2]]) > 180).any(axis=1) | (
            np.abs(b[:, [1, 3]]) > 90).any(axis=1)


def _extent(geometry: np.ndarray, projected: bool = False) -> str:
    b = shapely.bounds(geometry)
    with np.errstate(invalid="ignore"):
        west, south = np.nanmin(b[:, 0]), np.nanmin(b[:, 1])
        east, north = np.nanmax(b[:, 2]), np.nanmax(b[:, 3])
    if projected:
        return f"x {west:,.0f} to {east:,.0f}, y {south:,.0f} to {north:,.0f}"
    return f"lon {west:.2f} to {east:.2f}, lat {south:.2f} to {north:.2f}"


def _crs_text(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else crs.name


def _is_lonlat(crs: CRS | None) -> bool:
    if crs is None:
        return True
    return crs.to_epsg() == 4326 or crs.equals(CRS.from_user_input("OGC:CRS84"))


def _reproject(geometry: np.ndarray, crs) -> np.ndarray:
    return gpd.GeoSeries(geometry, crs=crs).to_crs(4326).to_numpy()


def _guess_projection(geometry: np.ndarray) -> list[int]:
    """The projections of :data:`PROJECTED_GUESSES` that put the features in Syria."""
    cx, cy = _centres(geometry)
    fits = []
    for epsg in PROJECTED_GUESSES:
        # Lists: pyproj takes a one-element array for a scalar (a NumPy deprecation warning).
        lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(cx.tolist(),
                                                                              cy.tolist())
        if _in_box(np.asarray(lon), np.asarray(lat)).mean() >= GUESS_SHARE:
            fits.append(epsg)
    return fits


def _to_degrees(geometry: np.ndarray, crs, name: str, check: AreaCheck) -> np.ndarray:
    crs = CRS.from_user_input(crs) if crs is not None else None
    if not _is_lonlat(crs):
        epsg = crs.to_epsg()
        check.crs = f"{f'EPSG:{epsg}' if epsg else crs.name} (declared)"
        check.notes.append(f"{name} declares its coordinates in {_crs_text(crs)}; they were "
                           f"reprojected to longitude/latitude (EPSG:4326).")
        return _reproject(geometry, crs)
    metres = _not_degrees(geometry)
    if metres.mean() <= 0.5:
        # Degrees (a few features in metres are then simply outside Syria, and said so).
        if crs is None:
            check.notes.append(f"{name} had no CRS; its coordinates are degrees and were read "
                               f"as longitude/latitude (EPSG:4326).")
        return geometry
    # GDAL reads a GeoJSON without a "crs" member as longitude/latitude (RFC 7946): for the
    # user, that file had no CRS.
    geojson = Path(name).suffix.lower() in (".geojson", ".json")
    said = (f"{name} had no CRS" if crs is None or geojson
            else f"{name} declares {_crs_text(crs)}")
    said += f" but its coordinates are not degrees ({_extent(geometry[metres], projected=True)})"
    fits = _guess_projection(geometry)
    how = ("give the file its CRS (a .prj beside the .shp, the GeoPackage's spatial "
           "reference, or GeoJSON in longitude/latitude) and add it again")
    if len(fits) == 1:
        epsg = fits[0]
        check.crs = f"EPSG:{epsg} (assumed)"
        check.notes.append(
            f"{said}; they read as {PROJECTED_GUESSES[epsg]} (EPSG:{epsg}), the only common "
            f"projection for Syria that puts them there, and were reprojected (if that is "
            f"wrong, {how}).")
        return _reproject(geometry, epsg)
    guesses = ", ".join(f"{PROJECTED_GUESSES[e]} (EPSG:{e})" for e in PROJECTED_GUESSES)
    if fits:
        fitting = " and ".join(f"{PROJECTED_GUESSES[e]} (EPSG:{e})" for e in fits)
        raise SourceError(f"{said}; they fit both {fitting}, which put them in different "
                          f"places in Syria, so the file is not loaded: {how}.")
    raise SourceError(f"{said}, and none of {guesses} puts them in Syria, so the file is not "
                      f"loaded: {how}.")


def _swap_if_swapped(geometry: np.ndarray, name: str, check: AreaCheck) -> np.ndarray:
    cx, cy = _centres(geometry)
    inside, swapped_inside = _in_box(cx, cy), _in_box(cy, cx)
    # As for event rows: only the features inside one way round tell; the north-west of Syria
    # is inside either way.
    swap_only = int((~inside & swapped_inside).sum())
    given_only = int((inside & ~swapped_inside).sum())
    if not (swap_only and swap_only >= SWAPPED_SHARE * (swap_only + given_only)
            and swap_only >= 0.5 * len(geometry)):
        return geometry
    check.swapped = True
    check.notes.append(
        f"{name} gives latitude before longitude (x and y swapped): {swap_only} of "
        f"{len(geometry)} features lie in Syria only that way round, so x and y were swapped "
        f"for all {len(geometry)}.")
    return shapely.transform(geometry, lambda xy: xy[:, ::-1])


def _km2(geometry) -> float:
    """The area of a longitude/latitude geometry in km², near enough for a message (the
    degree's length at the geometry's latitude; an invalid outline's area as its rings give
    it)."""
    _, y = _centres(np.array([geometry], dtype=object))
    return float(geometry.area * 111.32**2 * np.cos(np.radians(y[0])))


def _polygonal(geometry):
    """The polygons of a ``make_valid`` result (it may add the lines and points where an
    outline touched itself), as one Polygon or MultiPolygon; empty when none."""
    parts = shapely.get_parts(shapely.get_parts(geometry))
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    if not polygons:
        return shapely.Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _repair(geometry: np.ndarray, positions: np.ndarray, name: str, names: FeatureNames,
            check: AreaCheck) -> tuple[np.ndarray, np.ndarray]:
    invalid = np.flatnonzero(~shapely.is_valid(geometry))
    if not len(invalid):
        return geometry, positions
    geometry = geometry.copy()
    keep = np.ones(len(geometry), dtype=bool)
    repaired, changed = [], []
    for i in invalid:
        before = geometry[i]
        try:
            after = shapely.make_valid(before)
        except shapely.errors.GEOSException:
            after = shapely.Polygon()
        if before.geom_type in ("Polygon", "MultiPolygon"):
            after = _polygonal(after)
        if after.is_empty:
            keep[i] = False
            continue
        geometry[i] = after
        repaired.append(i)
        larger = max(before.area, after.area)
        if larger and abs(after.area - before.area) / larger > REPAIR_AREA_CHANGE:
            changed.append((i, _km2(before), _km2(after)))
    if repaired:
        check.repaired = len(repaired)
        note = (f"{name}: {len(repaired)} of {check.features} features had invalid geometry "
                f"and were repaired ({names.some(positions[repaired])})")
        if changed:
            what = ", ".join(f"feature {positions[i] + 1} from {a:,.0f} to {b:,.0f} km²"
                             for i, a, b in changed[:NAMED])
            note += (f"; the repair changed the area of {len(changed)} of them by more than "
                     f"{REPAIR_AREA_CHANGE:.0%} ({what}), as when an outline crosses itself "
                     f"(a bow-tie): check those outlines")
        else:
            note += (f"; no area changed by more than {REPAIR_AREA_CHANGE:.0%} in the repair")
        check.notes.append(note + ".")
    dropped = np.flatnonzero(~keep)
    if len(dropped):
        check.skipped[UNREPAIRABLE] = len(dropped)
        check.notes.append(f"{name}: {len(dropped)} of {check.features} features had invalid "
                           f"geometry that could not be repaired into an area and were left "
                           f"out ({names.some(positions[dropped])}).")
    return geometry[keep], positions[keep]


def check_geometries(frame: gpd.GeoDataFrame, name: str, *, path: Path | None = None,
                     label_field: str | None = None) -> AreaCheck:
    """Check the features of one area file against the country (see the module's text).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The file as read, in its own CRS (or none), at least one feature.
    name : str
        The file's name in messages.
    path : pathlib.Path, optional
        The file, to give the line of a GeoJSON feature.
    label_field : str, optional
        The field that names a feature (else a ``name``/``label``/``title`` field).

    Raises
    ------
    SourceError
        When no feature can be drawn in Syria: none has a geometry, the coordinates are in a
        projection that cannot be told, or none lies in Syria.
    """
    n = len(frame)
    names = FeatureNames(frame, path, label_field)
    geometry = np.asarray(frame.geometry.to_numpy(), dtype=object)
    check = AreaCheck(features=n, kept=np.arange(n), geometry=geometry)
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    if missing.all():
        raise SourceError(f"{name}: none of its {n} features has a geometry "
                          f"({names.some(np.flatnonzero(missing))}).")
    if missing.any():
        check.skipped[NO_GEOMETRY] = int(missing.sum())
        check.notes.append(f"{name}: {int(missing.sum())} of {n} features have no geometry "
                           f"and were skipped ({names.some(np.flatnonzero(missing))}); the "
                           f"rest load.")
    positions = np.flatnonzero(~missing)
    as_written = geometry[positions]
    geometry = _to_degrees(as_written, frame.crs, name, check)
    geometry = _swap_if_swapped(geometry, name, check)
    reaches = _reaches_syria(geometry)
    if not reaches.any():
        read_as = f" (read as {check.crs})" if check.crs != "EPSG:4326" else ""
        if check.crs.endswith("(declared)") and _reaches_syria(as_written).mean() >= GUESS_SHARE:
            read_as += (", but as written they are longitude/latitude in Syria: the file's "
                        "declared CRS is wrong; remove or correct it and add the file again")
        raise SourceError(f"{name}: none of its {len(geometry)} features lies in Syria: they "
                          f"span {_extent(geometry)}{read_as}; Syria is {BOX_TEXT}.")
    if not reaches.all():
        out = positions[~reaches]
        check.skipped[OUTSIDE] = len(out)
        check.notes.append(f"{name}: {len(out)} of {n} features lie outside Syria ({BOX_TEXT})"
                           f" and were left out ({names.some(out)}).")
        geometry, positions = geometry[reaches], positions[reaches]
    geometry, positions = _repair(geometry, positions, name, names, check)
    if not len(positions):
        raise SourceError(f"{name}: none of its {n} features is left to draw "
                          f"({'; '.join(check.notes)}).")
    check.kept, check.geometry = positions, geometry
    return check
