"""Copy Leaflet and jQuery from their installed XStatic packages into ``static/vendor/``.

The app does the same at start-up (``layers.assets.install()``, called at the top of
``app.py``); this command is for set-up scripts and for a folder the app may not write to.
The files come from PyPI with ``pip install -r requirements.txt`` (``XStatic-Leaflet``,
``XStatic-jQuery``), never from a CDN at runtime and never committed. Streamlit serves
``static/`` at ``/app/static/`` (``server.enableStaticServing``), which is where
``layers/assets.py`` points folium.

Run with the app's Python: ``.venv/bin/python scripts/install_assets.py``. Idempotent; exits
non-zero, saying which file and how to fix it, when an asset cannot be installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers import assets  # noqa: E402  (needs the repository root on sys.path)


def main() -> int:
    report = assets.copy_vendor_files()
    found = assets.problems(copy_errors=report.errors)
    for problem in found:
        print(f"install_assets: {problem}", file=sys.stderr)
    if found:
        return 1
    where = assets.VENDOR.relative_to(ROOT)
    print(f"install_assets: {len(assets.VENDOR_FILES)} assets in {where} "
          f"({len(report.copied)} copied)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
