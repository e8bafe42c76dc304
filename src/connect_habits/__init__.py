"""connect: a habit tracker and reminder daemon for couples who want to rebuild closeness."""

import sys

__version__ = "0.1.0"


def _quote_from_bytes(*args, **kwargs):
    """urllib.parse.quote_from_bytes, imported when first called (by Path.as_uri)."""
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(*args, **kwargs)


def _import_pathlib() -> None:
    """Import pathlib without urllib.parse, which it takes for Path.as_uri alone.

    urllib.parse imports ipaddress: together about 3-4 ms of every command's start, 0.2 x the
    interpreter's. pathlib is handed a stand-in holding the one function it takes (which imports the
    real one when called); the stand-in is gone once pathlib is loaded, so anything else that imports
    urllib.parse gets the real module.
    """
    if "pathlib" in sys.modules or "urllib.parse" in sys.modules:
        return
    stand_in = type(sys)("urllib.parse")
    stand_in.quote_from_bytes = _quote_from_bytes  # type: ignore[attr-defined]
    sys.modules["urllib.parse"] = stand_in
    try:
        import pathlib  # noqa: F401
    finally:
        if sys.modules.get("urllib.parse") is stand_in:
            del sys.modules["urllib.parse"]


_import_pathlib()
