"""The adapter registry, as fsspec's: a private dict filled by ``register``, read-only outside.

Adding a format touches one module: it registers its adapters, and the tests, the suite's
parametrization, the CLI's choices and the charts all read them from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from formats.base import FormatAdapter, FormatError


class UnknownFormat(FormatError, ValueError):
    """A format name not in the registry; the message lists the closest known names."""


_registry: dict[str, type[FormatAdapter]] = {}
registry: Mapping[str, type[FormatAdapter]] = MappingProxyType(_registry)


def register(cls: type[FormatAdapter]) -> type[FormatAdapter]:
    """Class decorator adding an adapter under its ``name``; a duplicate name is an error."""
    if cls.name in _registry and _registry[cls.name] is not cls:
        raise ValueError(f"format name '{cls.name}' is already registered")
    _registry[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove an adapter (tests register throw-away adapters and clean up after)."""
    _registry.pop(name, None)


#: Listing order: text, then row-oriented binary, then columnar (the book's progression).
_FAMILY_ORDER = {("row", "text"): 0, ("column", "text"): 1, ("row", "binary"): 2}


def _family(cls: type[FormatAdapter]) -> int:
    return _FAMILY_ORDER.get((cls.orientation, cls.encoding), 3)


def names() -> list[str]:
    """Every registered adapter name: text, row binary, columnar; registration order within."""
    return [name for name, _ in sorted(_registry.items(), key=lambda kv: _family(kv[1]))]


def get(name: str, options: dict[str, Any] | None = None) -> FormatAdapter:
    """A fresh adapter instance by name, with layout ``options`` (UnsupportedOption when
    not accepted); unknown names suggest the nearest known one."""
    try:
        cls = _registry[name]
    except KeyError:
        raise UnknownFormat(unknown_message("format", name, names())) from None
    return cls(options)


def _closest(name: str, known: list[str]) -> list[str]:
    """The nearest known name; among near-ties the first listed (the reference engine,
    registered first), so 'parqet' suggests parquet-pyarrow, not whichever engine sorts."""
    scores = [difflib.SequenceMatcher(None, name, k).ratio() for k in known]
    best = max(scores, default=0.0)
    if best < 0.5:
        return []
    return [next(k for k, sc in zip(known, scores, strict=True) if sc >= best - 0.05)]


def unknown_message(kind: str, name: str, known: list[str]) -> str:
    """``unknown format 'parqet' (did you mean 'parquet-pyarrow'?)`` or the list of names."""
    close = _closest(name, known)
    if not close:
        close = [k for k in known if k.startswith(name) or name in k][:1]
    if close:
        return f"unknown {kind} '{name}' (did you mean '{close[0]}'?)"
    return f"unknown {kind} '{name}'; known: {', '.join(known)}"


def adapters(available_only: bool = False) -> list[FormatAdapter]:
    """Instances of every adapter, optionally only those whose libraries import here."""
    found = [_registry[name]() for name in names()]
    return [a for a in found if a.available().ok] if available_only else found


def load_plugins(env_var: str = "FMTBENCH_PLUGINS") -> list[str]:
    """Import the modules named in ``$FMTBENCH_PLUGINS`` (comma-separated) so they register.

    This is how a third-party adapter joins every run, including the benchmark worker
    process, without editing fmtbench; the fault-injection tests use it too.
    """
    import contextlib
    import importlib
    import os
    import sys

    loaded = []
    for module in filter(None, (m.strip() for m in os.environ.get(env_var, "").split(","))):
        try:
            # a plugin's prints must not corrupt `--json` output or a results stream
            with contextlib.redirect_stdout(sys.stderr):
                importlib.import_module(module)
        except ImportError as exc:
            raise PluginError(
                f"{env_var}: cannot import adapter module '{module}' ({exc}); "
                "check the module name and that it is on PYTHONPATH"
            ) from None
        except Exception as exc:  # noqa: BLE001 - any failure of a third-party module
            first = (str(exc).strip().splitlines() or [""])[0]
            raise PluginError(
                f"{env_var}: adapter module '{module}' failed on import "
                f"({type(exc).__name__}: {first}); fix the module or remove it from the variable"
            ) from None
        loaded.append(module)
    return loaded


class PluginError(ImportError):
    """A module named in ``$FMTBENCH_PLUGINS`` could not be imported or registered."""


#: Set when ``import formats`` could not load the plugins; the CLI reports it as one line.
plugin_error: PluginError | None = None
