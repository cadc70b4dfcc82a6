"""Leaflet.markercluster served from ``static/vendor/`` for the FastMarkerCluster peer.

folium ships no copy of the plugin (its ``MarkerCluster`` names a CDN), so it comes from PyPI
as ``XStatic-Leaflet-MarkerCluster``, copied into ``static/vendor/`` (git-ignored) by the
project's own mechanism, :func:`layers.assets.copy_vendor_files`. Nothing is loaded from a CDN:
without the package the peer is "not measurable offline" (:func:`problem` says why).
"""

from __future__ import annotations

from folium.plugins import FastMarkerCluster, MarkerCluster

from layers import assets

PACKAGE = "XStatic-Leaflet-MarkerCluster"
MODULE = "xstatic.pkg.leaflet_markercluster"
_FOLDER = "leaflet.markercluster"
FILES = tuple(
    assets.VendorFile(MODULE, PACKAGE, name, f"{_FOLDER}/{name}")
    for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")
)


def install() -> list[str]:
    """Copy the plugin into ``static/vendor/`` and point folium's cluster classes at it.

    Returns what went wrong (one sentence per file), empty when every file is in place.
    """
    report = assets.copy_vendor_files(files=FILES)
    js = [("markerclusterjs", f"{assets.LOCAL_PREFIX}vendor/{FILES[0].dest}")]
    css = [("markerclustercss", f"{assets.LOCAL_PREFIX}vendor/{FILES[1].dest}"),
           ("markerclusterdefaultcss", f"{assets.LOCAL_PREFIX}vendor/{FILES[2].dest}")]
    for cls in (MarkerCluster, FastMarkerCluster):
        cls.default_js, cls.default_css = js, css
    return [f"static/vendor/{dest}: {why}" for dest, why in report.errors.items()]


def problem() -> str | None:
    """Why the peer cannot run offline here, or ``None`` when it can."""
    errors = install()
    if errors:
        return (f"not measurable offline: {'; '.join(errors)} (pip install {PACKAGE}; "
                "folium itself loads the plugin from a CDN)")
    return None
