"""The user's settings: partner names, the first day of the week, and the daemon's options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cadence import WEEK_STARTS
from .errors import DataFileError
from .fileio import atomic_write, read_bytes
from .paths import ensure_private_dir


@dataclass(frozen=True)
class Config:
    """Settings read from `config.toml`; every key is optional."""

    partners: tuple[str, ...] = ()
    week_start: str = "monday"
    extra: dict = field(default_factory=dict)  # keys other parts of connect own (the daemon's)

    @property
    def first_weekday(self) -> int:
        return WEEK_STARTS[self.week_start]

    def with_partners(self, partners: tuple[str, ...]) -> "Config":
        return replace(self, partners=partners)


def load_config(path: Path) -> Config:
    """Read the config file; a missing file means defaults, a broken one is an error naming it."""
    raw = read_bytes(path)
    if raw is None:
        return Config()
    import tomllib  # a home without a config file does not pay for the TOML parser

    try:
        values = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(f"The config file {path} does not parse ({error}).") from None
    partners = values.pop("partners", [])
    week_start = values.pop("week_start", "monday")
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise DataFileError(f"In {path}, partners must be a list of names.")
    if week_start not in WEEK_STARTS:
        raise DataFileError(f"In {path}, week_start must be \"monday\" or \"sunday\".")
    return Config(partners=tuple(partners), week_start=week_start, extra=values)


def save_config(path: Path, config: Config) -> None:
    """Write the config file atomically, keeping keys this module does not know."""
    ensure_private_dir(path.parent)
    values = {"partners": list(config.partners), "week_start": config.week_start, **config.extra}
    lines = ["# connect settings (https://toml.io)"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


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
