"""The install line README.md gives first, through real processes: the project's wheel in a fresh venv, and
install.sh on a machine with only python3 (no pipx, ~/.local/bin not on PATH, no ensurepip).

The wheel is built once per session with pip (hatchling from the configured index, as `pip install .`
would); the install.sh tests also need a wheelhouse of connect's dependencies and hatchling, which only
an index gives: without one, they skip, unless CONNECT_REQUIRE_NETWORK=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_SH = ROOT / "install.sh"
NOW = "2026-12-05T10:00"
REQUIRE_NETWORK = os.environ.get("CONNECT_REQUIRE_NETWORK") == "1"
# pip's own tries: short, so that a machine without an index skips in seconds instead of minutes.
PIP_QUICK = ["--retries", "1", "--timeout", "20", "--disable-pip-version-check"]


def _tool_env(**extra: str) -> dict[str, str]:
    """The environment for pip, venv and install.sh: this one without the moved wall clock of
    `make test-moved-clock` (tooling is not connect, and TLS certificates do not hold in 2028)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("CONNECT_")}
    env.update(extra)
    return env


def _run(args, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout)


def _unavailable(what: str, proc: subprocess.CompletedProcess):
    message = f"{what} (no package index reachable?): {proc.stderr.strip().splitlines()[-1:]}"
    if REQUIRE_NETWORK:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def connect_wheel(tmp_path_factory) -> Path:
    """The project's wheel, built from the checkout as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    try:
        import hatchling  # noqa: F401

        isolation = ["--no-build-isolation"]
    except ImportError:
        isolation = []  # pip fetches hatchling into a build environment of its own
    proc = _run(
        [sys.executable, "-m", "pip", "wheel", *PIP_QUICK, "--no-deps", *isolation, "-w", out, ROOT], _tool_env()
    )
    if proc.returncode != 0:
        _unavailable("could not build the wheel", proc)
    (wheel,) = out.glob("connect_habits-*.whl")
    return wheel


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory, connect_wheel: Path) -> Path:
    """connect's wheel, the wheels of its dependencies and of hatchling (its build backend), and pip's."""
    house = tmp_path_factory.mktemp("wheelhouse")
    proc = _run(
        [sys.executable, "-m", "pip", "wheel", *PIP_QUICK, "-w", house, connect_wheel, "hatchling"], _tool_env()
    )
    if proc.returncode != 0:
        _unavailable("could not gather the wheels of connect's dependencies", proc)
    shutil.copy(_bundled_pip_wheel(), house)
    return house


def _bundled_pip_wheel() -> Path:
    """The pip wheel that the standard library's ensurepip carries."""
    import ensurepip

    (wheel,) = (Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl")
    return wheel


@pytest.fixture(scope="session")
def pip_pyz(tmp_path_factory) -> Path:
    """A pip zipapp made offline as pip's own is: pip's wheel with a __main__.py at the top."""
    pyz = tmp_path_factory.mktemp("pyz") / "pip.pyz"
    shutil.copy(_bundled_pip_wheel(), pyz)
    with zipfile.ZipFile(pyz, "a") as archive:
        archive.writestr("__main__.py", "import runpy\nrunpy.run_module('pip', run_name='__main__', alter_sys=True)\n")
    return pyz


def _fresh_venv(path: Path) -> Path:
    proc = _run([sys.executable, "-m", "venv", "--without-pip", path], _tool_env())
    assert proc.returncode == 0, proc.stderr
    return path / "bin" / "python"


# The wheel in a fresh venv ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fresh_connect(tmp_path_factory, connect_wheel: Path) -> Path:
    """`connect` from the wheel alone in a new venv; its dependencies come from this test venv by a .pth."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    python = _fresh_venv(venv)
    proc = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            *PIP_QUICK,
            "--no-deps",
            "--no-index",
            connect_wheel,
        ],
        _tool_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], _tool_env()).stdout.strip()
    (Path(purelib) / "test-venv-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin" / "connect"


def _connect(command: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    env.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW)
    return _run([command, *args], env, timeout=60)


def test_the_wheel_holds_the_package_the_templates_and_the_question_deck(connect_wheel: Path):
    names = zipfile.ZipFile(connect_wheel).namelist()
    assert "connect_habits/cli/entry.py" in names
    assert any(n.startswith("connect_habits/habits/") and n.endswith(".toml") for n in names)
    assert any(n.startswith("connect_habits/habits/questions/") and n.endswith(".toml") for n in names)


def test_a_fresh_venv_from_the_wheel_runs_connect(fresh_connect: Path, tmp_path: Path):
    python = fresh_connect.parent / "python"
    where = _run([python, "-c", "import connect_habits; print(connect_habits.__file__)"], _tool_env())
    assert where.stdout.startswith(str(fresh_connect.parents[1])), where  # the wheel's copy, not the checkout

    version = _connect(fresh_connect, tmp_path / "home", "--version")
    assert version.returncode == 0 and version.stdout.startswith("connect "), version

    catalog = _connect(fresh_connect, tmp_path / "home", "catalog")
    assert catalog.returncode == 0, catalog.stderr
    assert "weekly-check-in" in catalog.stdout

    question = _connect(fresh_connect, tmp_path / "home", "question")
    assert question.returncode == 0, question.stderr
    assert "Today's question" in question.stdout

    init = _connect(fresh_connect, tmp_path / "home", "init", "--partner", "A", "--partner", "B", "--yes")
    assert init.returncode == 0, init.stderr
    assert "Welcome, A & B" in init.stdout


# install.sh on a bare machine ---------------------------------------------------------------------------


def _base_python() -> str:
    """The Python this venv was made from: what a user's python3 is."""
    return getattr(sys, "_base_executable", None) or sys.executable


@pytest.fixture
def bare(tmp_path: Path, wheelhouse: Path, pip_pyz: Path) -> dict[str, str]:
    """A HOME of its own, a PATH without ~/.local/bin and without pipx, pip pointed at the wheelhouse only,
    and a Python without ensurepip, as Debian's and Ubuntu's python3 are without python3-venv."""
    no_ensurepip = tmp_path / "no-ensurepip"
    (no_ensurepip / "ensurepip").mkdir(parents=True)
    (no_ensurepip / "ensurepip" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'ensurepip'\")\n"
    )
    path = "/usr/local/bin:/usr/bin:/bin"
    assert shutil.which("pipx", path=path) is None
    env = _tool_env(
        HOME=str(tmp_path / "user"),
        PATH=path,
        PYTHON=_base_python(),
        PYTHONPATH=str(no_ensurepip),
        CONNECT_PIP_PYZ=str(pip_pyz),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.pop("XDG_DATA_HOME", None)
    (tmp_path / "user").mkdir()
    return env


def test_install_sh_installs_connect_on_a_bare_machine_and_upgrades_in_place(bare: dict[str, str]):
    home = Path(bare["HOME"])
    first = _run(["sh", INSTALL_SH], bare)
    log = home / ".local/share/connect-habits/install.log"
    assert first.returncode == 0, first.stdout + first.stderr + (log.read_text() if log.exists() else "")
    assert first.stderr == ""

    link = home / ".local/bin/connect"
    venv = home / ".local/share/connect-habits/venv"
    assert link.is_symlink() and Path(os.readlink(link)) == venv / "bin/connect"
    assert (venv / "bin/pip").exists()  # pip from the zipapp, for the next run
    assert 'export PATH="$HOME/.local/bin:$PATH"' in first.stdout
    assert "~/.profile" in first.stdout

    version = _run([link, "--version"], {**bare, "CONNECT_HOME": str(home / "data"), "CONNECT_NOW": NOW})
    assert version.returncode == 0 and version.stdout.startswith("connect "), version
    assert f"Installed {version.stdout.strip()}" in first.stdout
    # README's next command, with connect's data in its default place beside (not inside) the install.
    init = _run([link, "init", "--partner", "A", "--partner", "B", "--yes"], {**bare, "CONNECT_NOW": NOW})
    assert init.returncode == 0 and init.stderr == "", init.stderr
    assert (home / ".local/share/connect").is_dir()

    # Once ~/.local/bin is on PATH (the next login), a second run upgrades in place and says no more of PATH.
    again = _run(["sh", INSTALL_SH], {**bare, "PATH": f"{home}/.local/bin:{bare['PATH']}"})
    assert again.returncode == 0, again.stdout + again.stderr + log.read_text()
    assert "export PATH" not in again.stdout and "Creating" not in again.stdout
    assert "Successfully installed connect-habits" in log.read_text()  # the checkout, reinstalled
    assert _run([link, "--version"], bare).returncode == 0


def test_install_sh_refuses_an_old_python_in_one_sentence(tmp_path: Path):
    fake = tmp_path / "python3.9"
    fake.write_text('#!/bin/sh\necho "3.9"\n')
    fake.chmod(0o755)
    env = _tool_env(HOME=str(tmp_path / "user"), PATH="/usr/bin:/bin", PYTHON=str(fake))
    proc = _run(["sh", INSTALL_SH], env, timeout=30)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs Python 3.11 or newer" in lines[0] and "is 3.9" in lines[0], proc.stderr
    assert not (tmp_path / "user").exists()  # nothing made before the check


def test_install_sh_says_so_when_there_is_no_python(tmp_path: Path):
    env = _tool_env(HOME=str(tmp_path / "user"), PATH="/usr/bin:/bin", PYTHON=str(tmp_path / "no-such-python"))
    proc = _run(["sh", INSTALL_SH], env, timeout=30)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "was not found" in lines[0], proc.stderr
