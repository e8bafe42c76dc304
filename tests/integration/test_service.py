"""The systemd --user unit: valid for the real systemd-analyze, rendered with safe quoting, installed atomically."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from connect_habits.daemon import service
from connect_habits.daemon.service import (
    UNIT_NAME,
    install,
    render_unit,
    unit_template,
    user_unit_dir,
)
from connect_habits.errors import ConnectError

ROOT = Path(__file__).resolve().parents[2]
REPO_UNIT = ROOT / "systemd" / UNIT_NAME
# The real console script of this venv: rendered units must point at something that exists.
CONNECT = shutil.which("connect", path=str(Path(sys.executable).parent))
RELOAD = "systemctl --user daemon-reload"
ENABLE = "systemctl --user enable connect.service"
RESTART = "systemctl --user restart connect.service"


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found:
        return found
    if os.environ.get("CONNECT_REQUIRE_SYSTEMD") == "1":
        pytest.fail("systemd-analyze not installed (CONNECT_REQUIRE_SYSTEMD=1): apt-get install systemd")
    pytest.skip("systemd-analyze not installed: apt-get install systemd")


def make_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def verify(tmp_path):
    """Run `systemd-analyze --user verify` on a unit text; returns the finished process.

    Without systemd-analyze the test skips (or fails under CONNECT_REQUIRE_SYSTEMD=1) when it first
    calls this, so its other assertions still run.
    """
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    runtime.chmod(0o700)  # mkdir's mode goes through the umask
    # The repo unit runs %h/.local/bin/connect, and systemd-analyze checks the executable exists.
    home = tmp_path / "verify-home"
    make_executable(home / ".local" / "bin" / "connect")
    count = 0

    def run(text: str, *, home_dir: Path = home) -> subprocess.CompletedProcess:
        nonlocal count
        analyze = systemd_analyze()
        count += 1
        folder = tmp_path / f"units-{count}"
        folder.mkdir()
        unit = folder / UNIT_NAME
        unit.write_text(text, encoding="utf-8")
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home_dir),
            "XDG_RUNTIME_DIR": str(runtime),
            "LANG": "C.UTF-8",
        }
        return subprocess.run(
            [analyze, "--user", "verify", str(unit)], capture_output=True, text=True, env=env, timeout=120
        )

    return run


def assert_clean(proc: subprocess.CompletedProcess) -> None:
    # systemd-analyze exits 0 even for unknown keys, so silence is the real check.
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def sections(text: str) -> dict[str, list[str]]:
    """The unit's non-comment lines, by section."""
    found: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = line
            found.setdefault(current, [])
        else:
            assert current is not None, f"line outside a section: {line}"
            found[current].append(line)
    return found


# --- the unit file in the repo --------------------------------------------------------------


def test_the_repo_unit_passes_systemd_analyze_verify_silently(verify):
    assert_clean(verify(REPO_UNIT.read_text(encoding="utf-8")))


def test_a_misspelled_key_makes_systemd_analyze_speak(verify):
    """The negative control: without it, 'no output' could mean 'not checked'."""
    text = REPO_UNIT.read_text(encoding="utf-8")
    assert "\nRestart=on-failure\n" in text
    proc = verify(text.replace("\nRestart=on-failure\n", "\nRestartt=on-failure\n"))
    assert "Restartt" in proc.stdout + proc.stderr


def test_a_missing_executable_makes_systemd_analyze_fail(verify, tmp_path):
    """The other half of the control: ExecStart's program really is looked up."""
    proc = verify(REPO_UNIT.read_text(encoding="utf-8"), home_dir=tmp_path / "empty-home")
    assert proc.returncode != 0
    assert "connect" in proc.stdout + proc.stderr


def test_the_repo_unit_has_the_contract_lines():
    unit = sections(REPO_UNIT.read_text(encoding="utf-8"))
    assert set(unit) == {"[Unit]", "[Service]", "[Install]"}
    assert {"PartOf=graphical-session.target", "After=graphical-session.target"} <= set(unit["[Unit]"])
    assert any(line.startswith("Description=") for line in unit["[Unit]"])
    assert {
        "Type=simple",
        "ExecStart=%h/.local/bin/connect daemon run",
        "Restart=on-failure",
        "RestartSec=10",
        "Environment=DBUS_SESSION_BUS_ADDRESS=unix:path=%t/bus",
    } <= set(unit["[Service]"])
    assert [line for line in unit["[Service]"] if line.startswith("ExecStart=")] == [
        "ExecStart=%h/.local/bin/connect daemon run"
    ]
    assert unit["[Install]"] == ["WantedBy=graphical-session.target"]


def test_the_hardening_leaves_home_and_dbus_alone():
    text = REPO_UNIT.read_text(encoding="utf-8")
    # These would hide ~/.local/share/connect or the bus socket in $XDG_RUNTIME_DIR.
    for key in ("ProtectHome=", "ProtectSystem=", "PrivateUsers=", "RestrictAddressFamilies=", "PrivateNetwork="):
        assert key not in text


def test_unit_template_is_the_repo_file_in_a_source_checkout():
    assert unit_template() == REPO_UNIT.read_text(encoding="utf-8")


# --- rendering ------------------------------------------------------------------------------


def test_a_rendered_unit_points_at_the_real_connect_and_passes_verify(verify):
    assert CONNECT, "the venv has no connect console script"
    text = render_unit(CONNECT)
    unit = sections(text)
    assert [line for line in unit["[Service]"] if line.startswith("ExecStart=")] == [f"ExecStart={CONNECT} daemon run"]
    # Everything else from the template is still there.
    template = sections(unit_template())
    for name, lines in template.items():
        assert [line for line in lines if not line.startswith("ExecStart=")] == [
            line for line in unit[name] if not line.startswith("ExecStart=")
        ]
    assert_clean(verify(text))


@pytest.mark.parametrize(
    "folder, expected",
    [
        ("my apps 100%", '"{base}/my apps 100%%/connect"'),
        # Undoubled, %h would turn into the home folder and the program would not be found.
        ("100%h", "{base}/100%%h/connect"),
        ("with ; and $HOME and é", '"{base}/with ; and $HOME and é/connect"'),
    ],
)
def test_render_unit_escapes_spaces_and_percent_the_systemd_way(verify, tmp_path, folder, expected):
    base = tmp_path / "apps"
    executable = make_executable(base / folder / "connect")
    text = render_unit(str(executable))
    assert f"ExecStart={expected.format(base=base)} daemon run" in text.splitlines()
    assert_clean(verify(text))


@pytest.mark.parametrize("folder", ['say "hi"', "it's", "back\\slash", "tab\there"])
def test_render_unit_refuses_a_path_systemd_cannot_run(verify, tmp_path, folder):
    executable = make_executable(tmp_path / folder / "connect")
    with pytest.raises(ConnectError, match="systemd cannot start"):
        render_unit(str(executable))
    # The refusal is systemd's rule, not ours: quoted correctly, it still rejects the path.
    quoted = str(executable).replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    text = unit_template().replace("ExecStart=%h/.local/bin/connect", f'ExecStart="{quoted}"')
    proc = verify(text)
    assert proc.returncode != 0
    assert "special characters" in proc.stderr


def test_render_unit_refuses_a_relative_executable():
    with pytest.raises(ConnectError, match="absolute path"):
        render_unit("bin/connect")


def test_render_unit_quotes_environment_values(verify):
    text = render_unit(CONNECT, {"CONNECT_HOME": "/data/my home 100%", "PLAIN": "/srv/connect"})
    lines = text.splitlines()
    assert 'Environment="CONNECT_HOME=/data/my home 100%%"' in lines
    assert "Environment=PLAIN=/srv/connect" in lines
    assert_clean(verify(text))


def test_render_unit_escapes_quotes_and_backslashes_in_environment_values(verify):
    text = render_unit(CONNECT, {"CONNECT_HOME": '/data/say "hi" it\'s a\\b'})
    assert 'Environment="CONNECT_HOME=/data/say \\"hi\\" it\'s a\\\\b"' in text.splitlines()
    assert_clean(verify(text))


def test_render_unit_refuses_a_bad_variable_name():
    with pytest.raises(ConnectError):
        render_unit(CONNECT, {"1BAD": "x"})


# --- where units go -------------------------------------------------------------------------


def test_user_unit_dir_follows_xdg_config_home(tmp_path):
    assert user_unit_dir({"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/nowhere"}) == tmp_path / "systemd" / "user"
    assert user_unit_dir({"HOME": str(tmp_path)}) == tmp_path / ".config" / "systemd" / "user"
    # A relative XDG_CONFIG_HOME is invalid and ignored.
    assert user_unit_dir({"XDG_CONFIG_HOME": "rel", "HOME": str(tmp_path)}) == tmp_path / ".config" / "systemd" / "user"


# --- install --------------------------------------------------------------------------------


@pytest.fixture
def environ(tmp_path):
    """An install environment: private HOME and XDG_CONFIG_HOME, and a PATH with no systemctl."""
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": str(empty_bin)}


def fake_systemctl(folder: Path, log: Path, body: str) -> Path:
    """A `systemctl` that appends its arguments to `log`, then runs `body` (shell)."""
    script = folder / "systemctl"
    folder.mkdir(parents=True, exist_ok=True)
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n{body}\n')
    script.chmod(0o755)
    return script


def recorded(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_install_without_systemctl_writes_the_unit_and_lists_the_commands(environ, tmp_path):
    calls = []
    report = install(CONNECT, environ, run=lambda *a, **k: calls.append(a))
    expected = tmp_path / "config" / "systemd" / "user" / "connect.service"
    assert report.unit_path == expected
    assert expected.read_text(encoding="utf-8") == render_unit(CONNECT)
    assert calls == []
    assert report.to_run == [RELOAD, ENABLE, RESTART]
    assert report.done[0] == f"Wrote {expected}"
    assert "not on PATH" in " ".join(report.done)


def test_install_runs_daemon_reload_then_enable_now_when_systemctl_answers(environ, tmp_path):
    log = tmp_path / "calls.log"
    fake = fake_systemctl(tmp_path / "fake-bin", log, "exit 0")
    environ["PATH"] = f"{fake.parent}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
    report = install(CONNECT, environ)
    calls = recorded(log)
    # First the probe, then exactly the two commands, in order.
    assert calls == [
        "--user show-environment",
        "--user daemon-reload",
        "--user enable connect.service",
        "--user restart connect.service",
    ]
    assert report.to_run == []
    assert report.done == [f"Wrote {report.unit_path}", f"Ran: {RELOAD}", f"Ran: {ENABLE}", f"Ran: {RESTART}"]


def test_install_reports_an_unreachable_user_manager(environ, tmp_path):
    log = tmp_path / "calls.log"
    fake = fake_systemctl(tmp_path / "fake-bin", log, 'echo "Failed to connect to bus: No medium found" >&2\nexit 1')
    environ["PATH"] = f"{fake.parent}{os.pathsep}{environ['PATH']}"
    report = install(CONNECT, environ)
    assert report.unit_path.is_file()
    assert report.to_run == [RELOAD, ENABLE, RESTART]
    assert "--user daemon-reload" not in recorded(log)
    sentence = report.done[-1]
    assert "systemctl --user is not reachable here" in sentence
    assert "Failed to connect to bus: No medium found" in sentence


def test_a_degraded_user_manager_counts_as_reachable(environ, tmp_path):
    # show-environment failing but is-system-running answering "degraded" (exit 1) is a live manager.
    log = tmp_path / "calls.log"
    body = 'case "$2" in\n  show-environment) exit 1;;\n  is-system-running) echo degraded; exit 1;;\nesac\nexit 0'
    fake = fake_systemctl(tmp_path / "fake-bin", log, body)
    environ["PATH"] = f"{fake.parent}{os.pathsep}{environ['PATH']}"
    report = install(CONNECT, environ)
    assert recorded(log)[-3:] == [
        "--user daemon-reload",
        "--user enable connect.service",
        "--user restart connect.service",
    ]
    assert report.to_run == []


def test_an_offline_user_manager_counts_as_unreachable(environ, tmp_path):
    # What a container without a user manager answers: "offline", exit 1.
    log = tmp_path / "calls.log"
    body = 'case "$2" in\n  show-environment) exit 1;;\n  is-system-running) echo offline; exit 1;;\nesac\nexit 0'
    fake = fake_systemctl(tmp_path / "fake-bin", log, body)
    environ["PATH"] = f"{fake.parent}{os.pathsep}{environ['PATH']}"
    report = install(CONNECT, environ)
    assert report.to_run == [RELOAD, ENABLE, RESTART]
    assert "--user daemon-reload" not in recorded(log)


def test_install_reports_a_failing_enable_and_keeps_what_worked(environ, tmp_path):
    log = tmp_path / "calls.log"
    body = 'if [ "$2" = enable ]; then echo "Failed to enable unit: Unit file connect.service is masked." >&2; exit 1; fi\nexit 0'
    fake = fake_systemctl(tmp_path / "fake-bin", log, body)
    environ["PATH"] = f"{fake.parent}{os.pathsep}{environ['PATH']}"
    report = install(CONNECT, environ)
    assert report.to_run == [ENABLE, RESTART]
    assert f"Ran: {RELOAD}" in report.done
    assert "Unit file connect.service is masked" in report.done[-1]


def test_install_in_this_environment_never_raises_and_writes_a_unit_systemd_accepts(environ, tmp_path, verify):
    # The real systemctl of this machine, whatever it can reach (in a container: nothing).
    environ["PATH"] = os.environ.get("PATH", os.defpath)
    environ["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")  # private and empty: no bus there
    report = install(CONNECT, environ)
    assert report.unit_path.is_file()
    assert_clean(verify(report.unit_path.read_text(encoding="utf-8")))


def test_install_is_idempotent(environ):
    first = install(CONNECT, environ)
    content = first.unit_path.read_bytes()
    second = install(CONNECT, environ)
    assert second == first
    assert second.unit_path.read_bytes() == content
    # No temp files left behind.
    assert sorted(p.name for p in first.unit_path.parent.iterdir()) == [UNIT_NAME]


def test_install_replaces_an_older_unit(environ):
    folder = user_unit_dir(environ)
    folder.mkdir(parents=True)
    (folder / UNIT_NAME).write_text("[Service]\nExecStart=/old/connect daemon run\n")
    report = install(CONNECT, environ)
    assert report.unit_path.read_text(encoding="utf-8") == render_unit(CONNECT)


def test_install_passes_connect_home_on_to_the_daemon(environ, tmp_path, verify):
    environ["CONNECT_HOME"] = str(tmp_path / "our home 100%")
    report = install(CONNECT, environ)
    text = report.unit_path.read_text(encoding="utf-8")
    assert f'Environment="CONNECT_HOME={tmp_path}/our home 100%%"' in text.splitlines()
    assert_clean(verify(text))


def test_install_writes_connect_home_plainly_when_it_needs_no_quotes(environ, tmp_path):
    environ["CONNECT_HOME"] = str(tmp_path / "home")
    text = install(CONNECT, environ).unit_path.read_text(encoding="utf-8")
    assert f"Environment=CONNECT_HOME={tmp_path}/home" in text.splitlines()


def test_install_makes_a_relative_connect_home_absolute(environ, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ["CONNECT_HOME"] = "rel-home"
    text = install(CONNECT, environ).unit_path.read_text(encoding="utf-8")
    assert f"Environment=CONNECT_HOME={tmp_path}/rel-home" in text.splitlines()


def test_install_without_connect_home_adds_no_environment_line(environ):
    text = install(CONNECT, environ).unit_path.read_text(encoding="utf-8")
    assert "CONNECT_HOME" not in text


def test_install_creates_the_unit_folder(environ, tmp_path):
    assert not (tmp_path / "config").exists()
    report = install(CONNECT, environ)
    assert report.unit_path.parent.is_dir()


def test_install_cannot_create_the_folder_raises_connect_error(environ, tmp_path):
    (tmp_path / "config").write_text("a file where a folder should be")
    with pytest.raises(ConnectError) as caught:
        install(CONNECT, environ)
    assert str(tmp_path / "config") in caught.value.message


def test_install_cannot_write_the_unit_raises_connect_error(environ):
    (user_unit_dir(environ) / UNIT_NAME).mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(ConnectError) as caught:
        install(CONNECT, environ)
    assert UNIT_NAME in caught.value.message


# --- packaging ------------------------------------------------------------------------------


def test_the_wheel_ships_the_unit_and_the_installed_package_finds_it(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("connect_habits-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"connect_habits/systemd/{UNIT_NAME}") == REPO_UNIT.read_bytes()
        archive.extractall(tmp_path / "site")
    # Import the unpacked wheel ahead of the editable install, as an installed copy would be found.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from connect_habits.daemon import service;"
        "print(service.template_path()); print(service.unit_template() == open(sys.argv[2]).read())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site"), str(REPO_UNIT)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    where, same = proc.stdout.split()
    assert Path(where) == tmp_path / "site" / "connect_habits" / "systemd" / UNIT_NAME
    assert same == "True"


def test_the_unit_file_is_not_executable_and_readable():
    mode = REPO_UNIT.stat().st_mode
    assert not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert service.template_path() == REPO_UNIT


def test_connect_daemon_install_writes_a_unit_that_verifies(verify, tmp_path):
    """Through the real entry point: the unit lands in the user's systemd folder, pointing at us."""
    from support import CONNECT

    config = tmp_path / "config"
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), CONNECT_HOME=str(tmp_path / "home"))
    result = subprocess.run([CONNECT, "daemon", "install"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    unit = config / "systemd" / "user" / UNIT_NAME
    assert f"Wrote {unit}" in result.stdout
    text = unit.read_text()
    assert f"ExecStart={Path(CONNECT).resolve()} daemon run" in text or f"ExecStart={CONNECT} daemon run" in text
    assert f"CONNECT_HOME={tmp_path / 'home'}" in text
    # No user manager in a container: it says so and prints what to run; on a desktop it enables the unit.
    assert "systemctl --user enable connect.service" in result.stdout or "Ran:" in result.stdout
    assert_clean(verify(text))
