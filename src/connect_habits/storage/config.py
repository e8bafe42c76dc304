"""The user's settings: partner names, the first day of the week, when a day starts, and the daemon's options."""

from __future__ import annotations

import re
from collections import namedtuple
from datetime import time
from pathlib import Path

from ..core.cadence import WEEK_STARTS
from ..core.daystart import DEFAULT_DAY_STARTS, parse_day_starts
from ..errors import DataFileError, InvalidInput
from .fileio import atomic_write, read_bytes
from .paths import ensure_private_dir


class Config(namedtuple("Config", "partners week_start extra", defaults=((), "monday", None))):
    """Settings read from `config.toml`; every key is optional.

    `partners` is a tuple of names, `week_start` "monday" or "sunday", and `extra` the keys other
    parts of connect own (the daemon's, the sync's); each Config gets its own `extra` dict.
    """

    __slots__ = ()

    def __new__(cls, partners: tuple[str, ...] = (), week_start: str = "monday", extra: dict | None = None):
        return tuple.__new__(cls, (partners, week_start, {} if extra is None else extra))

    @property
    def first_weekday(self) -> int:
        return WEEK_STARTS[self.week_start]

    @property
    def day_starts(self) -> time:
        """When a new day begins (`day_starts`, midnight unless said): before it, "today" is the day before."""
        return parse_day_starts(self.extra.get("day_starts", DEFAULT_DAY_STARTS))

    def with_partners(self, partners: tuple[str, ...]) -> Config:
        return self._replace(partners=partners)


class Setting(namedtuple("Setting", "key default help parse")):
    """A setting `connect config` reads and writes: its key in config.toml, default, meaning, and check."""

    __slots__ = ()


def settings() -> dict[str, Setting]:
    """Every setting `connect config` knows, by key, each checked by the rule that reads it (core/reminders.py)."""
    from ..core.model import parse_duration
    from ..core.reminders import parse_digest_at, parse_evening_at, parse_quiet_hours, parse_summary_at, parse_switch
    from ..core.rituals import parse_partner_notifications

    def week_start(text: str) -> str:
        value = text.strip().lower()
        if value not in WEEK_STARTS:
            raise InvalidInput(f"week_start = '{text}' is not monday or sunday.")
        return value

    def quiet_hours(text: str) -> str:
        value = "" if text.strip().lower() in ("", "none", "off") else text.strip()
        parse_quiet_hours(value)
        return value

    def summary_at(text: str) -> str:
        parse_summary_at(text)
        return " ".join(text.lower().split())

    def grace(text: str) -> str:
        parse_duration(text)
        return text.strip().lower()

    def digest_at(text: str) -> str:
        return parse_digest_at(text) or ""

    def day_starts(text: str) -> str:
        return f"{parse_day_starts(text):%H:%M}"

    def switch(text: str) -> bool:
        return parse_switch(text)

    return {
        s.key: s
        for s in (
            Setting("week_start", "monday", "the first day of the week: monday or sunday", week_start),
            Setting(
                "day_starts",
                DEFAULT_DAY_STARTS,
                "when a new day begins (00:00 to 12:00): before it, a check-in still counts for the day before",
                day_starts,
            ),
            Setting(
                "quiet_hours",
                "",
                "a daily window without notifications, like 22:30-07:30 (none: no window)",
                quiet_hours,
            ),
            Setting("summary_at", "sun 19:00", "when the weekly summary arrives: a day and a time", summary_at),
            Setting("grace", "2h", "how late a missed reminder may still come (after a suspend, say)", grace),
            Setting("notifications", True, "whether the daemon sends notifications at all: on or off", switch),
            Setting(
                "digest_at",
                "",
                "one reminder a day at this time with all that is left, instead of one per habit (off: per habit)",
                digest_at,
            ),
            Setting("evening_at", "20:00", 'when a reminder snoozed until "this evening" comes back', parse_evening_at),
            Setting(
                "partner_notifications",
                "messages",
                "what of your partner's reaches your desktop: all (their check-ins too), messages (messages, "
                "thanks and answers to the day's question) or off",
                parse_partner_notifications,
            ),
        )
    }


def setting_value(config: Config, key: str) -> object:
    """A setting's current value (its default when the file does not say)."""
    if key == "week_start":
        return config.week_start
    return config.extra.get(key, settings()[key].default)


def with_setting(config: Config, key: str, text: str) -> Config:
    """The config with one setting changed, checked as the file's reader checks it."""
    known = settings()
    if key not in known:
        raise InvalidInput(f"There is no setting '{key}'; the settings are {', '.join([*known, 'partners', 'me'])}.")
    value = known[key].parse(text)
    if key == "week_start":
        return config._replace(week_start=value)
    return config._replace(extra={**config.extra, key: value})


def load_config(path: Path) -> Config:
    """Read the config file; a missing file means defaults, a broken one is an error naming it."""
    raw = read_bytes(path)
    if raw is None:
        return Config()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataFileError(f"The config file {path} does not parse ({error}).") from None
    values = _read_simple_toml(text)
    if values is None:
        import tomllib  # only a file not in save_config's own form pays for the full TOML parser

        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise DataFileError(f"The config file {path} does not parse ({error}).") from None
    partners = values.pop("partners", [])
    week_start = values.pop("week_start", "monday")
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise DataFileError(f"In {path}, partners must be a list of names.")
    if week_start not in WEEK_STARTS:
        raise DataFileError(f'In {path}, week_start must be "monday" or "sunday".')
    if "day_starts" in values:
        try:
            parse_day_starts(values["day_starts"])
        except InvalidInput as error:
            raise DataFileError(f"In {path}, {error.message}") from None
    return Config(partners=tuple(partners), week_start=week_start, extra=values)


def save_config(path: Path, config: Config) -> None:
    """Write the config file atomically, keeping keys this module does not know."""
    ensure_private_dir(path.parent)
    atomic_write(path, config_bytes(config))


def config_bytes(config: Config) -> bytes:
    """The config file's text (what save_config writes), for a commit that writes it with other files."""
    values = {"partners": list(config.partners), "week_start": config.week_start, **config.extra}
    lines = ["# connect settings (https://toml.io)"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = re.sub(r'["\\\x00-\x1f\x7f]', lambda m: f"\\u{ord(m[0]):04x}", value)
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


# ---------------------------------------------------------------- reading what save_config writes
#
# tomllib costs milliseconds to import, more than parsing a config file. _read_simple_toml reads the
# small subset save_config writes, and a hand edit in the same style, and declines everything else:
#
#     # a comment line (only at the start of a line)
#     key = "a basic string, with \" \\ \b \t \n \f \r and \uXXXX escapes"
#     key = -12          (a decimal int of at most 18 digits: no +, _, 0x, floats, inf, dates)
#     key = true         (or false)
#     key = ["a flat", "array", 1, true]
#
# Keys are bare (A-Z a-z 0-9 _ -) and each appears once; " = " and ", " are spelled exactly so;
# lines end with "\n" and carry nothing after the value; no tabs, CRs or other ASCII control
# characters anywhere. Whatever it returns is what tomllib.loads returns for the same text.

_FORBIDDEN_CHARS = frozenset(chr(i) for i in range(32) if i != 10) | {"\x7f"}
_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_SHORT_ESCAPES = {'"': '"', "\\": "\\", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}
_MAX_INT_DIGITS = 18  # longer ones go to tomllib: int() refuses over 4300 digits, and that ValueError stays its own


class _Decline(Exception):
    """The text is not certainly in the subset: tomllib decides what it means."""


def _read_simple_toml(text: str) -> dict | None:
    """`tomllib.loads(text)` for text in the subset above; None for any other text, valid or not."""
    if not _FORBIDDEN_CHARS.isdisjoint(text):
        return None
    values: dict = {}
    try:
        for line in text.split("\n"):
            if not line or line[0] == "#":
                continue
            key, _, rest = line.partition(" = ")
            if not key or not _BARE_KEY_CHARS.issuperset(key) or key in values:
                raise _Decline
            value, end = _value(rest, 0, in_array=False)
            if end != len(rest):
                raise _Decline
            values[key] = value
    except _Decline:
        return None
    return values


def _value(text: str, pos: int, in_array: bool) -> tuple[object, int]:
    """The value starting at `pos`, and the position just after it."""
    char = text[pos : pos + 1]
    if char == '"':
        return _string(text, pos + 1)
    if char == "[" and not in_array:
        return _array(text, pos + 1)
    if text.startswith("true", pos):
        return True, pos + 4
    if text.startswith("false", pos):
        return False, pos + 5
    start = end = pos + 1 if char == "-" else pos
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    digits = text[start:end]
    if not digits or len(digits) > _MAX_INT_DIGITS or (digits[0] == "0" and len(digits) > 1):
        raise _Decline
    return int(text[pos:end]), end


def _string(text: str, pos: int) -> tuple[str, int]:
    """A basic string from just after its opening quote, and the position after its closing quote."""
    parts = []
    while True:
        quote = text.find('"', pos)
        if quote < 0:
            raise _Decline
        backslash = text.find("\\", pos, quote)
        if backslash < 0:
            parts.append(text[pos:quote])
            return "".join(parts), quote + 1
        parts.append(text[pos:backslash])
        code = text[backslash + 1 : backslash + 2]
        if code == "u":
            hex_digits = text[backslash + 2 : backslash + 6]
            if len(hex_digits) != 4 or not _HEX_DIGITS.issuperset(hex_digits):
                raise _Decline
            codepoint = int(hex_digits, 16)
            if 0xD800 <= codepoint <= 0xDFFF:  # a surrogate is not a character: tomllib refuses it
                raise _Decline
            parts.append(chr(codepoint))
            pos = backslash + 6
        elif code in _SHORT_ESCAPES:
            parts.append(_SHORT_ESCAPES[code])
            pos = backslash + 2
        else:
            raise _Decline


def _array(text: str, pos: int) -> tuple[list, int]:
    """A flat array from just after its "[", and the position after its "]"."""
    items: list = []
    if text[pos : pos + 1] == "]":
        return items, pos + 1
    while True:
        item, pos = _value(text, pos, in_array=True)
        items.append(item)
        if text[pos : pos + 1] == "]":
            return items, pos + 1
        if not text.startswith(", ", pos):
            raise _Decline
        pos += 2
