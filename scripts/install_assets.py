"""Copy the front-end assets installed by npm into ``static/vendor/``.

Leaflet and jQuery come from the npm registry at set-up (``npm ci`` from ``package-lock.json``),
never from a CDN at runtime and never committed. Streamlit serves ``static/`` at ``/app/static/``
(``server.enableStaticServing``), which is where ``layers/assets.py`` points folium.

Run from the repository root: ``python scripts/install_assets.py``. Idempotent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"

# (npm package, path inside it, destination inside static/vendor)
FILES: list[tuple[str, str, str]] = [
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "dist/images", "leaflet/images"),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    ("jquery", "dist/jquery.min.js", "jquery/jquery.min.js"),
    ("jquery", "LICENSE.txt", "jquery/LICENSE.txt"),
]


def _npm_install() -> None:
    if shutil.which("npm") is None:
        sys.exit("install_assets: npm is not on PATH; install Node.js (Debian package 'npm').")
    # --ignore-scripts: nothing from the registry runs on this machine; we only copy files.
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=ROOT,
        check=True,
    )


def main() -> None:
    if not all((ROOT / "node_modules" / pkg / path).exists() for pkg, path, _ in FILES):
        _npm_install()
    for pkg, path, dest in FILES:
        src = ROOT / "node_modules" / pkg / path
        out = VENDOR / dest
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, out, dirs_exist_ok=True)
        else:
            shutil.copy2(src, out)
    print(f"install_assets: {len(FILES)} assets in {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
