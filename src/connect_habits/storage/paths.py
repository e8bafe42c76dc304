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


def make_dirs(path: Path) -> bool:
    """Create `path` and its missing parents, each readable by its owner only; whether any was created.

    A folder that cannot be made (no permission, a read-only place, a file in the way) is a DataFileError.
    """
    missing = []
    folder = path
    try:
        while not path.exists() and path != path.parent:
            missing.append(path)
            path = path.parent
        # Folders we create are private (mkdir(parents=True) would give parents the umask's mode).
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            if folder.stat().st_mode & 0o077:  # mkdir's mode is filtered by the umask
                os.chmod(folder, 0o700)
    except OSError as error:
        from ..errors import DataFileError

        raise DataFileError(f"Cannot create the folder {folder}: {error.strerror}; nothing was changed.") from None
    return bool(missing)


# Names connect gives its files in its own folders (the data and lock files all start with "connect").
_OURS = (
    "connect",
    ".connect",
    ".config.toml",
    "config.toml",
    "daemon-state.json",
    "summary-cache.json",
    "commit-journal.json",
    "private-notes.json",
    ".private-notes.json",
    ".daemon-state.json",
    ".summary-cache.json",
    "summary-past.json",
    ".summary-past.json",
    "ritual-months.json",
    ".ritual-months.json",
    "log-lines.json",
    ".log-lines.json",
    "export-json.kept",
    ".export-json.kept",
    "export-csv.kept",
    ".export-csv.kept",
)
_OUR_FOLDERS = ("opened", "own-files", "slices")  # by their whole name: `opened-notes.txt` is not connect's


def ensure_private_dir(path: Path) -> str | None:
    """Create `path` (and parents) if needed, readable by its owner only; a note when an existing one is not.

    A folder connect made, or one holding only connect's files, is made private. One that also holds
    someone else's files (CONNECT_HOME=/tmp, say) keeps its permissions: changing them would take
    others' access away without a word. Connect's own files in it are private all the same.
    """
    if make_dirs(path):
        return None
    if not path.stat().st_mode & 0o077:
        return None
    try:
        others = [name for name in os.listdir(path) if not name.startswith(_OURS) and name not in _OUR_FOLDERS]
    except OSError:
        others = []
    if others:
        return (
            f"{path} can be read by others and holds files that are not connect's; its permissions are left as "
            "they are (connect's own files in it are private)"
        )
    os.chmod(path, 0o700)
    return None
