"""A package's front door: names loaded from their modules on first use (PEP 562).

Importing one module of a package (``sources.schema``, say) then does not import the whole
package, and no import can go in a circle. Each package's ``__init__`` lists its names once.
"""

from __future__ import annotations

from importlib import import_module


def lazy_names(package: str, names: dict[str, str]):
    """The ``__getattr__`` of ``package``: ``names`` maps each public name to its module."""

    def attribute(name: str):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(module), name)

    return attribute
