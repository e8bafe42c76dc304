"""Where connect keeps its files: `$CONNECT_HOME` when set, else the XDG directories."""

import contextlib
import os
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path

DATA_FILE = "connect.json"
CONFIG_FILE = "config.toml"
LOCK_FILE = "connect.lock"
STATE_FILE = "daemon-state.json"


class Paths(namedtuple("Paths", "data_dir config_dir")):
    """The folders and files of one connect home."""

    __slots__ = ()

    @property
    def data_file(self) -> Path:
        return self.data_dir / DATA_FILE

    @property
    def lock_file(self) -> Path:
        return self.data_dir / LOCK_FILE

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def state_file(self) -> Path:
        return self.data_dir / STATE_FILE


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    # The XDG spec says relative values are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def resolve_paths(environ: Mapping[str, str] | None = None) -> Paths:
    """The paths of the current home, from `CONNECT_HOME` or the XDG variables."""
    env = os.environ if environ is None else environ
    home = env.get("CONNECT_HOME", "")
    if home:
        base = Path(home).expanduser().absolute()
        return Paths(data_dir=base, config_dir=base)
    return Paths(
        data_dir=_xdg("XDG_DATA_HOME", ".local/share") / "connect",
        config_dir=_xdg("XDG_CONFIG_HOME", ".config") / "connect",
    )


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) if needed, readable by its owner only."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    # Folders we create are private too (mkdir(parents=True) would give parents the umask's mode).
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    path = missing[0] if missing else path
    # mkdir's mode is filtered by the umask and ignored for existing folders.
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
