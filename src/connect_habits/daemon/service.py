"""The reminder daemon as a systemd --user service: the unit template, rendering it, installing it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import ConnectError
from ..storage.fileio import atomic_write
from ..storage.paths import resolve_paths

UNIT_NAME = "connect.service"
TEMPLATE_FOLDER = "systemd"

# What `install` runs (and what it asks the user to run when it cannot).
RELOAD = ("--user", "daemon-reload")
ENABLE = ("--user", "enable", UNIT_NAME)
# restart, not `enable --now`: a daemon already running must pick up a new ExecStart or CONNECT_HOME.
RESTART = ("--user", "restart", UNIT_NAME)

# `is-system-running` states that mean a user manager answered (it exits non-zero for most of them).
MANAGER_STATES = {"initializing", "starting", "running", "degraded", "maintenance", "stopping"}
PROBE_TIMEOUT = 10
COMMAND_TIMEOUT = 60

# Characters systemd refuses in an executable path ("Executable name contains special characters").
_UNSAFE_EXECUTABLE = re.compile(r"[\\\"'\x00-\x1f\x7f]")
# Words made only of these need no quotes in a unit file; anything else is double-quoted.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9/._+:@,=%~-]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXEC_START = re.compile(r"^ExecStart=.*$", re.MULTILINE)
_LEADING_COMMENT = re.compile(r"(?:[ \t]*(?:[#;][^\n]*)?\n)*")
RENDERED_HEADER = "# Written by `connect daemon install`; run it again to update this file.\n\n"


def template_path() -> Path:
    """Where the unit template is: inside the installed package, or `systemd/` in a source checkout."""
    packaged = Path(str(resources.files("connect_habits"))) / TEMPLATE_FOLDER / UNIT_NAME
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / TEMPLATE_FOLDER / UNIT_NAME


def unit_template() -> str:
    """The text of `systemd/connect.service`, as shipped."""
    path = template_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConnectError(
            f"The systemd unit template {path} cannot be read: {error.strerror}; reinstall connect."
        ) from None


def _escape_word(word: str) -> str:
    """One word as systemd reads it back: `%` doubled, and double quotes with C escapes when needed."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        raise ConnectError(f"{word!r} is not valid UTF-8, which a systemd unit file must be.") from None
    word = word.replace("%", "%%")  # specifiers: %h, %t, ... ; a literal % is %%
    if _PLAIN_WORD.fullmatch(word):
        return word
    out = []
    for char in word:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _exec_start(executable: str) -> str:
    if not os.path.isabs(executable):
        raise ConnectError(f"The service needs the absolute path of connect, not {executable!r}.")
    if _UNSAFE_EXECUTABLE.search(executable):
        raise ConnectError(
            f"systemd cannot start {executable!r}: its path contains a quote, a backslash or a control "
            "character; install connect in another folder."
        )
    return f"ExecStart={_escape_word(executable)} daemon run"


def _environment_line(name: str, value: str) -> str:
    if not _ENV_NAME.fullmatch(name):
        raise ConnectError(f"{name!r} is not a valid environment variable name for a systemd unit.")
    return f"Environment={_escape_word(f'{name}={value}')}"


def render_unit(executable: str, environment: Mapping[str, str] | None = None) -> str:
    """The template with `ExecStart=<executable> daemon run` and one `Environment=` line per variable."""
    text = unit_template()
    if len(_EXEC_START.findall(text)) != 1:
        raise ConnectError(f"The systemd unit template {template_path()} needs exactly one ExecStart= line.")
    extra = [_environment_line(name, value) for name, value in (environment or {}).items()]
    exec_start = _exec_start(executable)
    # The extra variables go right after ExecStart, in [Service].
    text = _EXEC_START.sub(lambda _: "\n".join([exec_start, *extra]), text)
    # The template's opening comment is about installing it by hand; say where this copy comes from.
    leading = _LEADING_COMMENT.match(text)  # always matches: every part of it is optional
    body = text[leading.end() if leading else 0 :]
    return RENDERED_HEADER + body


def user_unit_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where systemd --user looks for the user's own units: `$XDG_CONFIG_HOME/systemd/user`."""
    env = os.environ if environ is None else environ
    config = env.get("XDG_CONFIG_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    if config and os.path.isabs(config):
        return Path(config) / "systemd" / "user"
    home = env.get("HOME", "")
    base = Path(home) if home and os.path.isabs(home) else Path.home()
    return base / ".config" / "systemd" / "user"


@dataclass(frozen=True)
class InstallReport:
    """What `install` did, and the commands the user still has to run (none when systemctl did it)."""

    unit_path: Path
    done: list[str] = field(default_factory=list)
    to_run: list[str] = field(default_factory=list)


def _command_text(args: tuple[str, ...]) -> str:
    return " ".join(("systemctl", *args))


def _first_line(*texts: str | None) -> str:
    for text in texts:
        for line in (text or "").splitlines():
            if line.strip():
                return line.strip()
    return ""


def _call(run: Callable, argv: list[str], env: dict[str, str] | None, timeout: float):
    """(succeeded, first line of stderr or stdout, stdout); never raises."""
    try:
        proc = run(
            argv, capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer after {timeout:.0f} seconds", ""
    except (OSError, subprocess.SubprocessError) as error:
        return False, str(getattr(error, "strerror", None) or error), ""
    ok = proc.returncode == 0
    return ok, _first_line(proc.stderr, proc.stdout) or f"exit status {proc.returncode}", (proc.stdout or "").strip()


def _user_manager_problem(run: Callable, systemctl: str, env: dict[str, str] | None) -> str | None:
    """None when a user manager answers `systemctl --user`, else why not (one line)."""
    ok, why, _ = _call(run, [systemctl, "--user", "show-environment"], env, PROBE_TIMEOUT)
    if ok:
        return None
    # A desktop with one failed unit is "degraded" (exit status 1) but perfectly reachable.
    _, _, state = _call(run, [systemctl, "--user", "is-system-running"], env, PROBE_TIMEOUT)
    if state in MANAGER_STATES:
        return None
    return why


def install(
    executable: str,
    environ: Mapping[str, str] | None = None,
    run: Callable = subprocess.run,
) -> InstallReport:
    """Write the unit for `executable`, then enable and start it with systemctl --user when that works.

    `environ` is the environment to install for (default: this process's); CONNECT_HOME in it is
    written into the unit so the daemon uses the same home. A systemctl that is missing or fails is
    reported in the result, never raised; failing to write the unit raises ConnectError.
    """
    env = os.environ if environ is None else environ
    child_env = None if environ is None else dict(environ)
    extra = {}
    if env.get("CONNECT_HOME", ""):
        extra["CONNECT_HOME"] = str(resolve_paths(env).data_dir)
    text = render_unit(executable, extra)

    folder = user_unit_dir(env)
    unit_path = folder / UNIT_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConnectError(f"Cannot create {folder}: {error.strerror}; the service was not installed.") from None
    atomic_write(unit_path, text.encode("utf-8"))
    done = [f"Wrote {unit_path}"]
    commands = [RELOAD, ENABLE, RESTART]

    systemctl = shutil.which("systemctl", path=env.get("PATH", os.defpath))
    if systemctl is None:
        done.append("Did not enable the service: systemctl is not on PATH.")
        return InstallReport(unit_path, done, [_command_text(c) for c in commands])
    problem = _user_manager_problem(run, systemctl, child_env)
    if problem is not None:
        done.append(f"Did not enable the service: systemctl --user is not reachable here ({problem}).")
        return InstallReport(unit_path, done, [_command_text(c) for c in commands])

    for index, command in enumerate(commands):
        ok, why, _ = _call(run, [systemctl, *command], child_env, COMMAND_TIMEOUT)
        if not ok:
            done.append(f"{_command_text(command)} failed ({why}).")
            return InstallReport(unit_path, done, [_command_text(c) for c in commands[index:]])
        done.append(f"Ran: {_command_text(command)}")
    return InstallReport(unit_path, done, [])
