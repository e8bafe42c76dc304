"""End to end with a real transport: two Syncthing instances on loopback carry one shared log (issue 4).

Two "devices" (two CONNECT_HOMEs, Alex's and Sam's), each with its own Syncthing instance (its own
Syncthing home, GUI/REST port and sync port, all on 127.0.0.1), share one sendreceive folder. The test
runs the real `connect` console script on each side, makes Syncthing scan through its REST API, and
waits until the other side has the very same bytes (and both instances say they are idle and in
sync) instead of sleeping blindly. Interleaved check-ins, a `done --by`, an undo of the partner's
check-in, a rename and changes made on both machines at once must end in the same `week --json` and
`list --json` on both, without Syncthing ever making a conflict copy.

Nothing leaves the machine: discovery, relays, NAT traversal, usage and crash reporting and upgrades
are switched off, both instances listen on 127.0.0.1 only, Alex's dials Sam's at its explicit
tcp://127.0.0.1:PORT (see `configure` for why only one side dials), and every file (the Syncthing
homes too; HOME points into the temp folder) stays under tmp_path.

The test skips when `syncthing` is not installed (Debian: apt-get install syncthing), unless
CONNECT_REQUIRE_SYNCTHING=1, which makes that a failure. Written against Syncthing 1.19.2 (Debian 12):
the `generate` / `serve` subcommands with `--home`; not tried with Syncthing 2.x.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CONNECT = shutil.which("connect", path=str(Path(sys.executable).parent)) or "connect"
SYNCTHING = shutil.which("syncthing")
REQUIRE_ENV = "CONNECT_REQUIRE_SYNCTHING"
NOW = "2026-11-26T10:00"  # a Thursday
YESTERDAY = "2026-11-25"
TODAY = "2026-11-26"
MONTH = "2026-11"
DEVICE_FILE = re.compile(r"connect-[0-9a-f]{12}\.json")  # a device's main file; its month files sit beside it

FOLDER_ID = "connect-e2e"
TEST_BUDGET = 85.0  # seconds for the whole test, Syncthing start-up included
CONNECT_WITHIN = 30.0  # the two instances must see each other by then
SYNC_WITHIN = 20.0  # one round of changes must reach the other side by then
POLL = 0.1

# Names Syncthing keeps in a synced folder for itself (marker, ignore file, temp files, versions).
SYNCTHING_OWN = (".stfolder", ".stignore", ".stversions", ".syncthing.", "~syncthing~")
CONFLICT_MARKS = ("sync-conflict", "conflicted copy", "(conflict")

# connect replaces each of its files through a short-lived temp file (.connect-<device>.json.XXXX.tmp). The test
# does not ignore them, as a couple's Syncthing would not: if a scan ever catches one, it is synced
# and its deletion is synced too, and the final check (both folders hold exactly the same names)
# would show one that was left behind. Should that ever make the test flaky, write a `.stignore`
# with the line `.connect-*.tmp` into both folders in `SyncthingPair.start`.
STIGNORE: str | None = None


def _require_syncthing() -> str:
    if SYNCTHING:
        return SYNCTHING
    reason = "syncthing is not installed (Debian: apt-get install syncthing)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1, so this is a failure, not a skip", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to fail instead of skipping")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# urllib without any proxy from the environment: every request goes straight to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _syncthing_env(home: Path) -> dict[str, str]:
    """The environment for Syncthing: no proxies, no default folder, no upgrades, HOME in the temp folder."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("ST")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        STNODEFAULTFOLDER="1",
        STNOUPGRADE="1",
        STNORESTART="1",
        STHASHING="standard",  # skips the SHA-256 benchmark at start-up (about 1 s each)
    )
    return env


@dataclass
class Syncthing:
    """One Syncthing instance, configured for loopback only, with its REST API at hand."""

    name: str
    root: Path  # everything of this instance lives under here
    folder: Path  # the shared folder on this side
    gui_port: int = field(default_factory=_free_port)
    listen_port: int = field(default_factory=_free_port)
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    device_id: str = ""
    proc: subprocess.Popen | None = None
    log_handle: object = None

    @property
    def home(self) -> Path:
        return self.root / "syncthing"

    @property
    def log_path(self) -> Path:
        return self.root / "syncthing.log"

    @property
    def env(self) -> dict[str, str]:
        return _syncthing_env(self.root / "user-home")

    def generate(self) -> None:
        """Keys and a fresh config.xml (the instance's device id is the one device it lists)."""
        proc = subprocess.run(
            [SYNCTHING, "generate", f"--home={self.home}", "--no-default-folder"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=30,
        )
        assert proc.returncode == 0, f"syncthing generate failed:\n{proc.stdout}\n{proc.stderr}"
        own = ET.parse(self.home / "config.xml").getroot().find("device")
        assert own is not None and own.get("id"), "syncthing generate wrote no device id"
        self.device_id = own.get("id")

    def configure(self, peer: Syncthing, dials: bool) -> None:
        """Patch config.xml: loopback only, nothing announced or reported, the peer, the shared folder."""
        path = self.home / "config.xml"
        tree = ET.parse(path)
        root = tree.getroot()
        root.find("device").set("name", self.name)

        gui = root.find("gui")
        gui.set("enabled", "true")
        gui.set("tls", "false")
        _set(gui, "address", f"127.0.0.1:{self.gui_port}")
        _set(gui, "apikey", self.api_key)

        options = root.find("options")
        for old in options.findall("listenAddress"):
            options.remove(old)
        _set(options, "listenAddress", f"tcp://127.0.0.1:{self.listen_port}")
        for tag, value in {
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "announceLANAddresses": "false",
            "urAccepted": "-1",  # usage reporting declined
            "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false",
            "startBrowser": "false",
            "reconnectionIntervalS": "2",
            "setLowPriority": "false",
        }.items():
            _set(options, tag, value)

        # The peer, from the config's own template for a new device. Only one side dials, at the peer's
        # explicit loopback address; the other knows it as "dynamic" (with discovery off: never dials,
        # only accepts). When both dial, Syncthing dials from its own listen port (SO_REUSEPORT), the two
        # SYNs cross and make one TCP connection on which both sides are the TLS client (TCP simultaneous
        # open): both hang until the 20 s hello timeout. That happened in 1 run of 3 with Syncthing 1.19.
        device = copy.deepcopy(root.find("defaults/device"))
        device.set("id", peer.device_id)
        device.set("name", peer.name)
        for old in device.findall("address"):
            device.remove(old)
        address = f"tcp://127.0.0.1:{peer.listen_port}" if dials else "dynamic"
        device.insert(0, _element("address", address))
        root.append(device)

        # The shared folder, from the config's own template for a new folder, shared with both devices.
        folder = copy.deepcopy(root.find("defaults/folder"))
        folder.attrib.update(
            id=FOLDER_ID,
            label="connect",
            path=str(self.folder),
            type="sendreceive",
            rescanIntervalS="10",
            fsWatcherEnabled="true",
            fsWatcherDelayS="1",
        )
        for old in folder.findall("device"):
            folder.remove(old)
        for device_id in (self.device_id, peer.device_id):
            member = _element("device")
            member.set("id", device_id)
            member.set("introducedBy", "")
            member.append(_element("encryptionPassword", ""))
            folder.insert(0, member)
        root.insert(0, folder)
        tree.write(path, encoding="utf-8")

        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".stfolder").mkdir(exist_ok=True)
        if STIGNORE is not None:
            (self.folder / ".stignore").write_text(STIGNORE)

    def start(self) -> None:
        self.log_handle = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [
                SYNCTHING,
                "serve",
                f"--home={self.home}",
                "--no-browser",
                "--no-restart",
                "--no-upgrade",
                "--no-default-folder",
                "--logflags=3",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,  # its own process group, so that teardown can end all of it
        )

    def stop(self) -> None:
        """End the instance (SIGTERM, then SIGKILL), and anything left in its process group."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group it leads (start_new_session)
        if self.log_handle is not None:
            self.log_handle.close()
            self.log_handle = None

    def api(self, method: str, path: str, timeout: float = 10.0, **params: str):
        url = f"http://127.0.0.1:{self.gui_port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(
            url, method=method, headers={"X-API-Key": self.api_key}, data=b"" if method == "POST" else None
        )
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        text = [line for line in text if "database migration" not in line]
        return "\n".join(text[-lines:])


def _element(tag: str, text: str | None = None) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def _set(parent: ET.Element, tag: str, value: str) -> None:
    element = parent.find(tag)
    if element is None:
        element = ET.SubElement(parent, tag)
    element.text = value


@dataclass
class Device:
    """One partner's machine: a connect home and the Syncthing instance that syncs its folder."""

    person: str
    home: Path
    st: Syncthing
    deadline: float  # the test's

    @property
    def folder(self) -> Path:
        return self.st.folder

    def connect(self, *args: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k not in ("CONNECT_NOW", "NO_COLOR")}
        environ.update(CONNECT_HOME=str(self.home), CONNECT_NOW=NOW)
        timeout = max(1.0, min(30.0, self.deadline - time.monotonic()))
        proc = subprocess.run([CONNECT, *args], capture_output=True, text=True, env=environ, timeout=timeout)
        command = f"connect {' '.join(args)} (on {self.person}'s device)"
        assert proc.returncode == 0, f"{command} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        # Syncthing replaces a file by renaming a complete temp file, so connect never sees half a file.
        assert "skipped" not in proc.stderr, f"{command} skipped a file:\n{proc.stderr}"
        return proc.stdout

    def json(self, *args: str):
        return json.loads(self.connect(*args, "--json"))


class SyncthingPair:
    """Two instances sharing one folder; every wait is bounded by the test's own deadline."""

    def __init__(self, tmp_path: Path):
        self.deadline = time.monotonic() + TEST_BUDGET
        self.alex = Syncthing("alex", tmp_path / "alex", tmp_path / "alex" / "Sync" / "connect")
        self.sam = Syncthing("sam", tmp_path / "sam", tmp_path / "sam" / "Sync" / "connect")
        self.both = (self.alex, self.sam)
        self.conflicts_seen: set[str] = set()

    # ---------------------------------------------------------------- start and stop

    def start(self) -> None:
        for st in self.both:
            st.generate()
        self.alex.configure(self.sam, dials=True)
        self.sam.configure(self.alex, dials=False)
        # Sam (who only accepts) first: Alex's first dial then finds Sam listening, instead of failing
        # and waiting out Syncthing's redial back-off (about 5 s more).
        self.sam.start()
        self.wait(
            "Sam's REST API answers (its sync listener starts before it)",
            CONNECT_WITHIN,
            lambda: self._apis_up(self.sam),
        )
        self.alex.start()
        self.wait("both REST APIs answer", CONNECT_WITHIN, self._apis_up)
        self.wait("the two instances connect over loopback", CONNECT_WITHIN, self._connected)
        self.wait("both folders are idle after the first scan", SYNC_WITHIN, self._idle)

    def stop(self) -> None:
        for st in self.both:
            st.stop()

    # ---------------------------------------------------------------- waiting

    def fail(self, message: str) -> None:
        tails = "\n\n".join(f"--- {st.name}'s syncthing log (tail) ---\n{st.log_tail()}" for st in self.both)
        pytest.fail(f"{message}\n\n{tails}", pytrace=False)

    def wait(self, what: str, within: float, condition) -> float:
        """Poll `condition` (True, or a falsy value / a string saying what is missing) until it holds."""
        start = time.monotonic()
        end = min(start + within, self.deadline)
        last = None
        while True:
            for st in self.both:
                if st.proc is not None and st.proc.poll() is not None:
                    self.fail(f"{st.name}'s syncthing exited with {st.proc.returncode} while waiting until {what}")
            self.check_no_conflicts()
            try:
                last = condition()
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError) as error:
                last = f"{type(error).__name__}: {error}"
            if last is True:
                return time.monotonic() - start
            if time.monotonic() >= end:
                budget = "the test's time budget ran out" if end == self.deadline else f"{within:.0f} s passed"
                self.fail(f"Timed out ({budget}) waiting until {what}; last: {last}")
            time.sleep(POLL)

    def _apis_up(self, *instances: Syncthing):
        for st in instances or self.both:
            st.api("GET", "/rest/system/status")
        return True

    def _connected(self, want: bool = True):
        for st, peer in ((self.alex, self.sam), (self.sam, self.alex)):
            info = st.api("GET", "/rest/system/connections")["connections"].get(peer.device_id, {})
            if bool(info.get("connected")) != want:
                dials = st.api("GET", "/rest/system/status").get("lastDialStatus") or {}
                return f"{st.name} {'not ' if want else ''}connected to {peer.name}: {info}; last dials: {dials}"
            if not want:
                continue
            address = info.get("address", "")
            assert address.startswith("127.0.0.1:"), f"{st.name} reached {peer.name} at {address}"
        return True

    def _idle(self):
        for st in self.both:
            status = st.api("GET", "/rest/db/status", folder=FOLDER_ID)
            if status.get("state") != "idle" or status.get("error"):
                return f"{st.name}'s folder: state={status.get('state')} error={status.get('error')!r}"
        return True

    def _in_sync(self):
        """Both folders hold the same files with the same bytes, and each instance knows the other is complete."""
        alex, sam = _contents(self.alex.folder), _contents(self.sam.folder)
        if alex != sam:
            only = sorted(set(alex) ^ set(sam))
            differ = sorted(n for n in set(alex) & set(sam) if alex[n] != sam[n])
            return f"folders differ: only on one side {only}, different bytes {differ}"
        for st, peer in ((self.alex, self.sam), (self.sam, self.alex)):
            status = st.api("GET", "/rest/db/status", folder=FOLDER_ID)
            if status.get("state") != "idle" or status.get("needTotalItems", 0) or status.get("pullErrors", 0):
                return (
                    f"{st.name}'s folder: state={status.get('state')} need={status.get('needTotalItems')} "
                    f"pullErrors={status.get('pullErrors')} error={status.get('error')!r}"
                )
            completion = st.api("GET", "/rest/db/completion", folder=FOLDER_ID, device=peer.device_id)
            if completion.get("completion") != 100 or completion.get("needItems", 0):
                return f"{st.name} sees {peer.name} at {completion}"
        return True

    def sync(self, what: str) -> float:
        """Make both instances scan now (the blocking REST scan), then wait until the folders agree."""
        start = time.monotonic()
        for st in self.both:
            try:
                timeout = max(1.0, min(SYNC_WITHIN, self.deadline - time.monotonic()))
                st.api("POST", "/rest/db/scan", timeout=timeout, folder=FOLDER_ID)
            except urllib.error.HTTPError as error:
                self.fail(f"{st.name}'s scan failed: {error.code} {error.read().decode(errors='replace')}")
        self.wait(what, SYNC_WITHIN, self._in_sync)
        return time.monotonic() - start

    def go_offline(self) -> float:
        """Pause each device on the other (two laptops apart): nothing crosses until `go_online`."""
        start = time.monotonic()
        for st, peer in ((self.alex, self.sam), (self.sam, self.alex)):
            st.api("POST", "/rest/system/pause", device=peer.device_id)
        self.wait("the two instances are disconnected", CONNECT_WITHIN, lambda: self._connected(want=False))
        return time.monotonic() - start

    def go_online(self) -> float:
        start = time.monotonic()
        # The accepting side first: resumed the other way round, Alex may dial while Sam still has Alex
        # paused, Sam drops that connection, and Alex redials only after a back-off (8 s seen).
        for st, peer in ((self.sam, self.alex), (self.alex, self.sam)):
            st.api("POST", "/rest/system/resume", device=peer.device_id)
        self.wait("the two instances reconnect", CONNECT_WITHIN, self._connected)
        return time.monotonic() - start

    def check_no_conflicts(self) -> None:
        for st in self.both:
            for folder, dirs, files in os.walk(st.folder):  # os.walk shrugs off entries that vanish
                for name in dirs + files:
                    if any(mark in name for mark in CONFLICT_MARKS):
                        self.conflicts_seen.add(os.path.join(folder, name))
        if self.conflicts_seen:
            self.fail(f"Syncthing made conflict copies: {sorted(self.conflicts_seen)}")


def _contents(folder: Path) -> dict[str, bytes]:
    """The folder's files that are not Syncthing's own, by name, with their bytes."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(SYNCTHING_OWN):
            continue
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            files[path.name] = path.read_bytes()
    return files


@pytest.fixture
def pair(tmp_path: Path):
    _require_syncthing()
    pair = SyncthingPair(tmp_path)
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()


def _month_file(main: str, month: str = MONTH) -> str:
    """The name of a device's file of one month, beside its main file."""
    return f"{main.removesuffix('.json')}.{month}.json"


def _files_of(folder: Path, main: str) -> dict[str, bytes]:
    """One device's files in a folder (its main file and its month files), by name, with their bytes."""
    month = re.compile(re.escape(main.removesuffix(".json")) + r"\.\d{4}-\d{2}\.json")
    return {name: data for name, data in _contents(folder).items() if name == main or month.fullmatch(name)}


def _by_name(items: list[dict], key: str = "name") -> dict[str, dict]:
    return {item[key] if item.get("person") is None else f"{item[key]} · {item['person']}": item for item in items}


def test_two_syncthing_instances_carry_one_log_without_conflicts(pair: SyncthingPair, tmp_path: Path):
    started = time.monotonic()
    alex = Device("Alex", tmp_path / "alex" / "connect-home", pair.alex, pair.deadline)
    sam = Device("Sam", tmp_path / "sam" / "connect-home", pair.sam, pair.deadline)
    timings = {"start-up": started - (pair.deadline - TEST_BUDGET)}

    # Alex starts alone, then shares through the Syncthing folder.
    alex.connect("add", "walk", "--every", "daily")
    alex.connect("add", "Tech-free dinner", "--every", "3/week")
    alex.connect("done", "walk", "--date", YESTERDAY)
    alex.connect("done", "walk")
    code = alex.connect("sync", "init", str(alex.folder), "--me", "Alex").splitlines()[-1]
    (alex_file,) = [name for name in _contents(alex.folder) if DEVICE_FILE.fullmatch(name)]
    # The main file and the month of the check-ins; the private ones were moved aside, months too.
    assert sorted(_contents(alex.folder)) == sorted([alex_file, _month_file(alex_file)])
    set_aside = sorted(p.name for p in alex.home.iterdir() if ".before-sync-" in p.name)
    assert [name.split(".before-sync-")[0] for name in set_aside] == [f"connect.{MONTH}.json", "connect.json"]
    timings["init reaches Sam"] = pair.sync("Alex's shared files reach Sam's folder")
    assert (sam.folder / alex_file).is_file() and (sam.folder / _month_file(alex_file)).is_file()

    # Sam joins once the folder has synced there.
    sam.connect("sync", "join", str(sam.folder), "--me", "Sam", "--code", code)
    (sam_file,) = [name for name in _contents(sam.folder) if DEVICE_FILE.fullmatch(name) and name != alex_file]
    timings["join reaches Alex"] = pair.sync("Sam's file reaches Alex's folder")

    # Alex, who now knows Sam from Sam's file: a habit each of them does, and check-ins.
    alex.connect("add", "Appreciation", "--every", "daily", "--who", "each")
    alex.connect("done", "Appreciation")
    alex.connect("done", "Tech-free dinner")
    timings["Alex's round"] = pair.sync("Alex's new habit and check-ins reach Sam")

    # Both at once, each device offline (paused on the other, like two laptops apart), so neither sees
    # the other's changes until both are done: Sam logs, undoes Alex's dinner check-in and logs it for
    # Alex yesterday; meanwhile Alex renames that habit and logs for Sam.
    timings["offline"] = pair.go_offline()
    sam.connect("done", "Appreciation")
    alex.connect("edit", "Tech-free dinner", "--rename", "Dinner, no phones")
    sam.connect("undo", "Tech-free dinner")
    alex.connect("done", "Appreciation", "--by", "Sam", "--date", YESTERDAY)
    sam.connect("done", "Tech-free dinner", "--by", "Alex", "--date", YESTERDAY)
    # Apart indeed: Sam has not seen the rename, and Alex's copies of Sam's files are the ones from before.
    assert "Tech-free dinner" in [h["name"] for h in sam.json("list")]
    assert _files_of(alex.folder, sam_file) != _files_of(sam.folder, sam_file)
    timings["online again"] = pair.go_online()
    timings["both at once"] = pair.sync("the changes made on both devices at once cross over")
    for device in (alex, sam):  # the rename reached Sam, and Sam's undo of Alex's check-in reached Alex
        rows = _by_name(device.json("week")["habits"])
        assert rows["Dinner, no phones"]["days"][TODAY] != "done", (device.person, rows["Dinner, no phones"])
        assert rows["Dinner, no phones"]["days"][YESTERDAY] == "done", (device.person, rows["Dinner, no phones"])
        assert rows["Appreciation · Sam"]["days"][YESTERDAY] == "done", (device.person, rows["Appreciation · Sam"])

    # One more round each way after the rename: Sam uses the new name, Alex undoes a check-in of its own.
    sam.connect("done", "Dinner, no phones")
    alex.connect("undo", "walk")
    alex.connect("done", "walk", "--by", "Sam")
    timings["last round"] = pair.sync("the last changes cross over")

    # The same week and the same habits on both devices.
    week, habits = alex.json("week"), alex.json("list")
    assert sam.json("week") == week
    assert sam.json("list") == habits

    # ... and the right ones: every operation above, from either side, is in them.
    assert [h["name"] for h in habits] == ["walk", "Dinner, no phones", "Appreciation"]
    rows = _by_name(week["habits"])
    assert set(rows) == {"walk", "Dinner, no phones", "Appreciation · Alex", "Appreciation · Sam"}, rows
    assert rows["walk"]["days"][YESTERDAY] == "done"
    assert rows["walk"]["days"][TODAY] == "done"  # Alex undid their own, then logged Sam's
    assert rows["Dinner, no phones"]["days"][YESTERDAY] == "done"  # Sam logged it for Alex
    assert rows["Dinner, no phones"]["days"][TODAY] == "done"  # Sam's own, logged after the undo
    assert rows["Appreciation · Alex"]["days"][TODAY] == "done"
    assert rows["Appreciation · Sam"]["days"][YESTERDAY] == "done"  # Alex logged it for Sam
    assert rows["Appreciation · Sam"]["days"][TODAY] == "done"

    # Each device wrote only its own files (its main file and this month's); no conflict copy, no temp file,
    # nothing else in either folder.
    pair.check_no_conflicts()
    own_files = sorted([alex_file, _month_file(alex_file), sam_file, _month_file(sam_file)])
    assert sorted(_contents(alex.folder)) == sorted(_contents(sam.folder)) == own_files
    for device in (alex, sam):
        status = device.json("sync", "status")
        assert status["odd"] == [], status
        assert sorted(d["file"] for d in status["devices"]) == sorted([alex_file, sam_file])
        assert all(d["readable"] for d in status["devices"]), status

    # For the record: > 0 would mean a scan caught one of connect's short-lived temp files (see STIGNORE).
    deleted = pair.alex.api("GET", "/rest/db/status", folder=FOLDER_ID).get("globalDeleted")
    timings["total"] = time.monotonic() - (pair.deadline - TEST_BUDGET)
    print("timings (s):", {k: round(v, 2) for k, v in timings.items()}, "deleted files seen by Syncthing:", deleted)
