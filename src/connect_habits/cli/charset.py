"""What the terminal can show: whether the locale is ASCII only, and text made plain ASCII for it."""

from __future__ import annotations

import codecs
import sys

_ASCII_LOCALE: list[bool] = []  # computed once


def locale_wants_ascii() -> bool:
    """Whether the locale the user set (LC_ALL, LC_CTYPE, LANG) is C, POSIX or another that is not UTF-8.

    Python turns on its UTF-8 mode under the C locale, so the streams' encoding says UTF-8 even where the
    terminal shows only ASCII; the variables as the user set them tell. Nothing set keeps Unicode.
    """
    if not _ASCII_LOCALE:
        import os

        wants = False
        for variable in ("LC_ALL", "LC_CTYPE", "LANG"):
            value = os.environ.get(variable, "")
            if variable == "LC_CTYPE" and value == "C.UTF-8" and sys.flags.utf8_mode:
                continue  # Python's own coercion of a C locale (PEP 538), not the user's choice
            if value:
                codeset = value.partition(".")[2].partition("@")[0].lower().replace("-", "")
                wants = value in ("C", "POSIX") or bool(codeset and codeset != "utf8")
                break
        _ASCII_LOCALE.append(wants)
    return _ASCII_LOCALE[0]


_ASCII_FOR = {
    "·": "-", "…": "...", "–": "-", "—": "--", "‘": "'", "’": "'", "“": '"', "”": '"', "→": "->", "←": "<-",
    "×": "x", "✓": "+", "✗": "x", "○": "o", "•": "*", "≤": "<=", "≥": ">=", "■": "#", "◧": "+",
}  # fmt: skip


def ascii_text(text: str) -> str:
    """`text` in plain ASCII: punctuation and symbols by their ASCII look-alikes, accents dropped, the rest '?'."""
    if text.isascii():
        return text
    import unicodedata

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_FOR:
            out.append(_ASCII_FOR[ch])
        else:
            bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii())
            out.append(bare or "?")
    return "".join(out)


def ascii_streams() -> None:
    """Under an ASCII locale, make stdout and stderr ASCII, writing look-alikes for what ASCII lacks.

    For output that does not go through `echo` (the help screens): they then draw ASCII boxes too.
    """
    if not locale_wants_ascii():
        return

    def look_alike(error):
        if not isinstance(error, UnicodeEncodeError):
            raise error
        return ascii_text(error.object[error.start : error.end]), error.end

    codecs.register_error("connect-ascii", look_alike)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="ascii", errors="connect-ascii")
