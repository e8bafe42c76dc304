"""Safe file primitives: an inter-process lock, atomic private replacement of one file or of several together.

Several files (a check-in's month and the main file, a restore's hundred months and its settings) are
replaced as one commit: every new version is written to a temp file and fsynced first; then a journal
naming them is written, the temp files are renamed over their targets, and the journal is removed. A
commit stopped before the journal changed nothing; one stopped after it is finished by the next command
(`finish_commit`), so a command's writes land all together or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataFileError

TEMP_SUFFIX = ".tmp"
LOCK_TIMEOUT = 15.0
# A commit of this many files or more (an import's months) forces them to disk side by side, in this many threads.
FSYNC_TOGETHER_FROM, FSYNC_THREADS = 8, 16

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` for the block; the OS drops it if the process dies."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock_path, flags, 0o600)
    except OSError as error:
        raise DataFileError(f"Cannot open the lock file {lock_path}: {error.strerror}.") from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise DataFileError(
                    f"Another connect process has held {lock_path} for {timeout:.0f} seconds; try again."
                )
            time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
    import msvcrt

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def commit(writes: list[tuple[Path, bytes]], journal: Path, derived: list[tuple[Path, bytes]] | None = None) -> None:
    """Replace every file of `writes` at once, in order: all or none of them, even across a crash.

    `derived` files go in the same commit but are not forced to disk one by one: copies a crash may
    leave unusable, which their reader checks before trusting (ownrecord.py), at three fewer fsyncs.
    A failure before any file is replaced changes nothing and says so; after the journal is written,
    the next command finishes the commit (`finish_commit`).
    """
    if len(writes) == 1 and not derived:
        atomic_write(*writes[0])
        return
    staged: list[tuple[str, Path]] = []
    together = len(writes) >= FSYNC_TOGETHER_FROM and os.name == "posix"
    try:
        for path, data in writes:
            staged.append((_staged(path, data, durable=not together), path))
        if together:
            _fsync_together(staged)
        for path, data in derived or ():
            staged.append((_staged(path, data, durable=False), path))
        atomic_write(journal, json.dumps([[temp, str(path)] for temp, path in staged]).encode())
    except DataFileError:
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
    _rename_all(staged, journal, durable={path.parent for path, _ in writes})


def finish_commit(journal: Path) -> bool:
    """Finish a commit a killed process left half done (its journal names what is left); whether there was one."""
    raw = read_bytes(journal, missing_ok=True)
    if raw is None:
        return False
    try:
        staged = [(str(temp), Path(target)) for temp, target in json.loads(raw)]
    except (ValueError, TypeError):
        staged = []  # a journal never written whole: its commit never began
    _rename_all([(temp, path) for temp, path in staged if os.path.exists(temp)], journal)
    return True


def _staged(path: Path, data: bytes, durable: bool = True) -> str:
    """`data` in a new private temp file beside `path` (`durable`: on disk): its name."""
    try:
        fd, temp_name = open_temp(path)
    except OSError as error:
        raise DataFileError(f"Cannot write in {path.parent}: {error.strerror}; nothing was changed.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise DataFileError(f"Cannot save {path}: {error.strerror}; nothing was changed.") from None
    return temp_name


def _fsync_together(staged: list[tuple[str, Path]]) -> None:
    """Force every staged file to disk at once: each fsync waits on the disk, side by side they wait once or so.

    The same guarantee as one after the other: the commit's journal is written only once all of them are on disk.
    """
    # Plain threads: concurrent.futures would bring logging along, about 7 ms of an import's start.
    import threading

    failures: dict[int, BaseException] = {}
    left = iter(enumerate(staged))
    taking = threading.Lock()

    def force() -> None:
        while True:
            with taking:
                index, (temp, path) = next(left, (-1, ("", None)))
            if path is None:
                return
            try:
                fd = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as error:
                failures[index] = DataFileError(f"Cannot save {path}: {error.strerror}; nothing was changed.")
            except BaseException as error:  # raised where the commit runs, never lost in a thread
                failures[index] = error

    threads = [threading.Thread(target=force) for _ in range(min(FSYNC_THREADS, len(staged)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:  # the first file's failure, once every fsync has ended
        raise failures[min(failures)]


def _rename_all(staged: list[tuple[str, Path]], journal: Path, durable: set[Path] | None = None) -> None:
    """Put every staged file in its place, then make the renames last (in the `durable` folders only, when given)."""
    try:
        for temp, path in staged:
            os.replace(temp, path)
    except OSError as error:
        raise DataFileError(
            f"Cannot save {path}: {error.strerror}; the next connect command finishes saving this change."
        ) from None
    for folder in {path.parent for _, path in staged} if durable is None else durable:
        _fsync_folder(folder)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: a private temp file in the same folder, fsync, rename."""
    try:
        fd, temp_name = open_temp(path)
    except OSError as error:
        raise DataFileError(f"Cannot write in {path.parent}: {error.strerror}; nothing was changed.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise DataFileError(f"Cannot save {path}: {error.strerror}; nothing was changed.") from None
    _fsync_folder(path.parent)


def open_temp(path: Path) -> tuple[int, str]:
    """A new private temp file beside `path`, opened for writing: its descriptor and name.

    O_EXCL and mode 0600, so a planted file or symlink is never written through (as mkstemp,
    without the cost of importing tempfile on every `connect done`).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = str(path.parent / f"{_temp_prefix(path)}{os.urandom(6).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temp name beside {path}")


def replace_quietly(path: Path, data: bytes) -> None:
    """Replace a derived file (a cache) atomically, without fsync; a cache that cannot be written is done without."""
    with contextlib.suppress(OSError):
        fd, temp = open_temp(path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _fsync_folder(folder: Path) -> None:
    # The rename is only durable once the folder entry is on disk too.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_prefix(path: Path) -> str:
    # Named after its target, so that cleaning up one file's leftovers never touches another's.
    return f".{path.name}."


def remove_stale_temp_files(path: Path, family: bool = False) -> None:
    """Delete temp files of `path` that a killed writer left behind; call only while holding its lock.

    `family`: those of every file named `<path's stem>.*` too (a device's month files beside its main file).
    """
    prefix = f".{path.stem}." if family else _temp_prefix(path)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def check_writable(path: Path) -> None:
    """Refuse, before any change, to replace a file that is a link, read-only, or someone else's.

    Checked on the file's own bits, not with os.access, so that it holds for root as well.
    """
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise DataFileError(f"Cannot look at {path}: {error.strerror}; nothing was changed.") from None
    if stat.S_ISLNK(status.st_mode):
        raise DataFileError(
            f"{path} is a symbolic link; connect does not write through links (nothing was "
            "changed). To share your data, use `connect sync init`."
        )
    if not stat.S_ISREG(status.st_mode):
        raise DataFileError(f"{path} is not a regular file; nothing was changed.")
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        raise DataFileError(f"{path} belongs to another user (uid {status.st_uid}); nothing was changed.")
    if not status.st_mode & stat.S_IWUSR:
        raise DataFileError(f"{path} is read-only; nothing was changed (make it writable to log again).")


MAX_READ = 256 * 1024 * 1024  # no file connect reads is this large; a larger one is not connect's


def read_bytes(path: Path, missing_ok: bool = True, limit: int = MAX_READ) -> bytes | None:
    """The file's bytes, or None when it does not exist; any other failure is a DataFileError.

    Only a regular file is read: a FIFO or a device where a file belongs would block or never end.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise DataFileError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise DataFileError(f"{path} is a folder, not a data file.") from None
    except OSError as error:
        raise DataFileError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise DataFileError(f"{path} is a folder, not a data file.")
        if not stat.S_ISREG(status.st_mode):
            raise DataFileError(f"{path} is not a regular file; connect reads only files.")
        if status.st_size > limit:
            raise DataFileError(f"{path} is too large ({status.st_size // (1024 * 1024)} MiB) to be connect's.")
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            # Sized to the file: read(n) sets aside n bytes first, and a quarter of a GiB a file cost
            # about 0.2 ms each (20 ms of an export). A file that grew meanwhile is read on to the limit.
            data = handle.read(status.st_size + 1)
            if len(data) > status.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as error:
        raise DataFileError(f"Cannot read {path}: {error.strerror}.") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise DataFileError(f"{path} is too large to be connect's.")
    return data


def try_lock(lock_path: Path) -> int | None:
    """Take an exclusive lock without waiting: the open descriptor, or None if another process holds it."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock_path, flags, 0o600)
    except OSError as error:  # O_NOFOLLOW: a link planted in its place is refused, never followed
        raise DataFileError(f"Cannot open the lock file {lock_path}: {error.strerror}.") from None
    if _try_lock(fd):
        return fd
    os.close(fd)
    return None


def is_locked(lock_path: Path) -> bool:
    """Whether another process holds the lock at `lock_path` (False when there is no such file)."""
    if not lock_path.exists():
        return False
    try:
        fd = try_lock(lock_path)
    except DataFileError:
        return False  # not a lock we can open (a planted link, say): no daemon of ours holds it
    if fd is None:
        return True
    os.close(fd)
    return False
