"""Shell completion through real shells: the scripts `connect completion show` prints, sourced in bash, zsh and
fish, complete commands, options and habit slugs by asking the real `connect`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import CONNECT, run_connect

REQUIRED = os.environ.get("CONNECT_REQUIRE_SHELLS") == "1"


def shell_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if REQUIRED:
            pytest.fail(f"{name} is not installed (apt-get install {name})")
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return path


@pytest.fixture
def plan(home):
    run_connect(home, "add", "Evening walk", "--every", "mon,wed")
    run_connect(home, "add", "Tech-free dinner")
    run_connect(home, "add", "Thanks")
    return home


def environment(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CONNECT_NOW",)}
    env.update(CONNECT_HOME=str(home), PATH=f"{Path(CONNECT).parent}:{env.get('PATH', '')}", HOME=str(home))
    return env


def script(home: Path, shell: str, tmp_path: Path) -> Path:
    shown = run_connect(home, "completion", "show", shell)
    assert shown.code == 0, shown.err
    path = tmp_path / f"connect.{shell}"
    path.write_text(shown.out)
    return path


@pytest.mark.parametrize(
    "line, expected",
    [
        ("connect do", ["done"]),
        ("connect done ev", ["evening-walk"]),
        ("connect done t", ["tech-free-dinner", "thanks"]),
        ("connect done T", ["Thanks"]),
        ("connect done Ev", ["evening-walk"]),  # "Evening walk" has a space: its slug stands for it
        ("connect snooze thanks ", ["15m", "1h", "evening"]),
        ("connect add x --repeat ", ["15m", "30m", "1h", "none"]),
        ("connect done --m", ["--minutes"]),
        ("connect sync j", ["join"]),
        ("connect status --format w", ["waybar"]),
    ],
)
def test_bash_completes_through_the_real_connect(plan, tmp_path, line, expected):
    bash = shell_or_skip("bash")
    words = line.split(" ")
    program = (
        f"source {script(plan, 'bash', tmp_path)}\n"
        f"COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}\n"
        '_connect_complete; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run([bash, "--norc", "-c", program], capture_output=True, text=True, env=environment(plan))
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(expected)


def test_zsh_completes_through_the_real_connect(plan, tmp_path):
    zsh = shell_or_skip("zsh")
    program = (
        "compdef() { : }\n"
        'compadd() { shift; print -l -- "${(@P)1}" }\n'
        f"source {script(plan, 'zsh', tmp_path)}\n"
        "words=(connect done ev); CURRENT=3\n"
        "_connect\n"
    )
    done = subprocess.run([zsh, "-f", "-c", program], capture_output=True, text=True, env=environment(plan))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["evening-walk"]


def test_fish_completes_through_the_real_connect(plan, tmp_path):
    fish = shell_or_skip("fish")
    program = f"source {script(plan, 'fish', tmp_path)}; complete -C 'connect done ev'"
    done = subprocess.run([fish, "--no-config", "-c", program], capture_output=True, text=True, env=environment(plan))
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == ["evening-walk"]


def test_install_writes_where_the_shell_looks(plan):
    env = environment(plan)
    for shell, where in [
        ("bash", ".local/share/bash-completion/completions/connect"),
        ("fish", ".config/fish/completions/connect.fish"),
        ("zsh", ".zfunc/_connect"),
    ]:
        env.pop("XDG_DATA_HOME", None)
        env.pop("XDG_CONFIG_HOME", None)
        done = subprocess.run([CONNECT, "completion", "install", shell], capture_output=True, text=True, env=env)
        assert done.returncode == 0 and (plan / where).read_text().startswith(("# connect", "#compdef")), done.stderr
    refused = run_connect(plan, "completion", "show", "tcsh")
    assert refused.code == 1 and "bash, zsh and fish" in refused.err
