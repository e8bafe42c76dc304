"""Private words (`--private`) through the real `connect` on two machines sharing one folder: a note, an
answer and a whole check-in stay on the machine they were typed on. No file of the shared folder holds
them (every byte is searched); this machine shows and exports them, also after `connect sync leave`; the
other machine shows who said something to whom, and where the words are kept."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from support import files_of, one_error_line, run_connect

SATURDAY = "2026-12-05T10:00"
TUESDAY = "2026-12-08T10:00"

NOTE = "secret-note: the bench by the old mill"
ANSWER = "secret-answer: Geheimnis über uns"
CHECKIN = [
    "secret-thanks-to-sam",  # Alex appreciates Sam
    "",  # Alex moves on
    "secret-thanks-to-alex",  # Sam appreciates Alex
    "",  # Sam moves on
    "secret-best-moment",
    "Alex",  # something hard: Alex speaks
    "secret-feeling",
    "secret-about",
    "secret-need",
    "secret-heard",
    "yes",  # heard right
    "secret-promise-to-sam",  # Sam asked by Alex: Alex's promise to Sam
    "secret-promise-to-alex",  # Alex asked by Sam: Sam's promise to Alex
]
SECRETS = [NOTE, ANSWER, *[text for text in CHECKIN if text.startswith("secret")]]
ELSEWHERE = "(private, kept on Alex's device)"


class Machine:
    def __init__(self, root: Path, name: str):
        self.home = root / name

    def __call__(self, *args: str, now: str = SATURDAY, stdin: str = "", env: dict | None = None):
        return run_connect(self.home, *args, now=now, stdin=stdin, env=env)

    def ok(self, *args: str, now: str = SATURDAY, stdin: str = ""):
        result = self(*args, now=now, stdin=stdin)
        assert result.code == 0, (args, result.out, result.err)
        return result


def holding(folder: Path) -> list[tuple[str, str]]:
    """(file, secret) for every secret any file under `folder` holds, as UTF-8 or escaped as JSON escapes it."""
    found = []
    for name, data in files_of(folder).items():
        for secret in SECRETS:
            forms = {secret.encode(), json.dumps(secret).strip('"').encode()}  # "über", and "\\u00fcber"
            if any(form in data for form in forms):
                found.append((name, secret))
    return found


@pytest.fixture
def couple(tmp_path):
    """Alex and Sam on two machines sharing one folder (read directly, as if synced at once)."""
    alex, sam = Machine(tmp_path, "alex"), Machine(tmp_path, "sam")
    alex.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "weekly-check-in")
    alex.ok("add", "Walk")
    code = alex.ok("sync", "init", str(tmp_path / "shared"), "--me", "Alex").out.splitlines()[-1]
    sam.ok("sync", "join", str(tmp_path / "shared"), "--me", "Sam", "--code", code)
    return alex, sam


@pytest.fixture
def said(couple):
    """Alex's private note, private answer and private check-in; Sam's open answer to the same question."""
    alex, sam = couple
    assert "Its note stays on this machine." in alex.ok("done", "walk", "--note", NOTE, "--private").out
    assert "Its words stay on this machine." in alex.ok("answer", ANSWER, "--private").out
    sam.ok("answer", "the open sea")
    held = alex.ok("checkin", "--private", stdin="\n".join(CHECKIN) + "\n")
    assert "What you said stays on this machine" in held.out
    return alex, sam


def test_no_file_of_the_shared_folder_nor_of_the_other_machine_holds_a_private_word(said, tmp_path):
    assert holding(tmp_path / "shared") == []
    assert holding(tmp_path / "sam") == []
    assert holding(tmp_path / "alex" / "own-files") == []  # this machine's copies of what it wrote there
    # The words are all on Alex's machine, in its private notes, which only Alex can read.
    notes = tmp_path / "alex" / "private-notes.json"
    assert {secret for _, secret in holding(tmp_path / "alex")} == set(SECRETS)
    assert {name for name, _ in holding(tmp_path / "alex")} == {"private-notes.json"}
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600


SAID_IN_CHECKIN = [text for text in CHECKIN if text.startswith("secret")]


@pytest.mark.parametrize(
    "args, now, shows",
    [
        (["log"], SATURDAY, [f"Walk: done by Alex — {NOTE}"]),
        (["log", "--json"], SATURDAY, [NOTE]),
        (["question"], SATURDAY, [f"You: {ANSWER}", "Sam: the open sea"]),
        (["question", "--json"], SATURDAY, [ANSWER]),
        (["question", "--history"], TUESDAY, [f"Alex: {ANSWER}"]),
        (["checkins"], SATURDAY, SAID_IN_CHECKIN),
        (["checkins", "--json"], SATURDAY, SAID_IN_CHECKIN),
        (["week"], TUESDAY, ["Alex to Sam: secret-promise-to-sam", "Sam to Alex: secret-promise-to-alex"]),
        (["week", "--json"], TUESDAY, ["secret-promise-to-sam", "secret-promise-to-alex"]),
        (["export", "--format", "csv"], SATURDAY, [NOTE]),
        (["export"], SATURDAY, SECRETS),
    ],
)
def test_this_machine_shows_and_exports_its_private_words(said, args, now, shows):
    alex, _ = said
    out = alex.ok(*args, now=now).out
    for text in shows:
        assert text in out, (args, text)


@pytest.mark.parametrize(
    "args, shows",
    [
        (["log"], ["Walk: done by Alex"]),
        (["log", "--json"], ['"note": ""']),
        (["question"], [f"Alex: {ELSEWHERE}", "You: the open sea"]),
        (["question", "--json"], []),
        (["checkins"], [f"Alex appreciated in Sam: {ELSEWHERE}", f"Best moment: {ELSEWHERE}"]),
        (["checkins", "--json"], []),
        (["week"], [f"Alex to Sam: {ELSEWHERE}", f"Sam to Alex: {ELSEWHERE}"]),
        (["export"], []),
        (["export", "--format", "csv"], []),
    ],
)
def test_the_other_machine_shows_who_said_what_to_whom_and_never_the_words(said, args, shows):
    _, sam = said
    out = sam.ok(*args, now=TUESDAY if args[0] == "week" else SATURDAY).out
    assert not [secret for secret in SECRETS if secret in out or json.dumps(secret).strip('"') in out]
    for text in shows:
        assert text in out, (args, text)


def test_the_shared_record_of_a_private_check_in_keeps_its_structure(said):
    _, sam = said
    [held] = sam.ok("checkins", "--json").json()
    assert held["private"] is True and held["finished"] is True
    assert held["appreciations"] == [
        {"from": "Alex", "to": "Sam", "text": "", "private": True},
        {"from": "Sam", "to": "Alex", "text": "", "private": True},
    ]
    assert held["best"] is None and held["best_private"] is True
    [hard] = held["hard"]
    assert hard["speaker"] == "Alex" and hard["heard_right"] is True and hard["private"] is True
    assert {hard[k] for k in ("feel", "about", "need", "heard")} == {""}
    assert [(p["from"], p["to"], p["text"], p["private"]) for p in held["promises"]] == [
        ("Alex", "Sam", "", True),
        ("Sam", "Alex", "", True),
    ]
    answers = sam.ok("question", "--json").json()["answers"]
    assert answers["Alex"] == {"answered": True, "text": "", "private": True}
    # Sam's own words too: they were said at Alex's screen, so they are kept there.
    assert f"Sam appreciated in Alex: {ELSEWHERE}" in sam.ok("checkins").out


def test_the_next_check_in_on_the_other_machine_asks_about_private_promises_without_their_words(said, tmp_path):
    alex, sam = said
    next_week = sam.ok("checkin", now="2026-12-12T10:00", stdin="yes\npartly\n\n\n\nskip\n\n\n").out
    assert f'Sam, Alex promised you: "{ELSEWHERE}". Did it happen?' in next_week
    assert holding(tmp_path / "shared") == [] and holding(tmp_path / "sam") == []
    _, first = alex.ok("checkins", "--json", now="2026-12-12T10:00").json()
    assert [(p["text"], p["outcome"]) for p in first["promises"]] == [
        ("secret-promise-to-sam", "yes"),
        ("secret-promise-to-alex", "partly"),
    ]


def test_after_sync_leave_the_private_words_are_shown_still_and_stay_out_of_the_data(said, tmp_path):
    alex, _ = said

    def shown() -> tuple:  # the log's entries logged in the same second may come in any order
        log = sorted(alex.ok("log", "--json").json(), key=json.dumps)
        return log, alex.ok("checkins", "--json").out, alex.ok("question", "--json").out

    before = shown()
    alex.ok("sync", "leave")
    assert shown() == before
    assert NOTE in alex.ok("log").out
    assert {name for name, _ in holding(tmp_path / "alex")} == {"private-notes.json"}
    alex.ok("sync", "init", str(tmp_path / "shared-again"), "--me", "Alex")  # shared again: still nothing there
    assert holding(tmp_path / "shared-again") == []
    assert NOTE in alex.ok("log").out


def test_a_backup_takes_the_private_words_along_and_a_restore_keeps_them_private(said, tmp_path):
    alex, _ = said
    backup = tmp_path / "backup.json"
    alex.ok("export", "-o", str(backup))
    stored = json.loads(backup.read_text())
    assert {c["note"] for c in stored["checkins"]} == {""}  # the records as stored, the words beside them
    assert NOTE in [words.get("note") for words in stored["private_notes"].values()]
    restored = Machine(tmp_path, "restored")
    restored.ok("import", str(backup))
    for args in (["checkins", "--json"], ["question", "--json"]):
        assert restored.ok(*args).out == alex.ok(*args).out
    log = [alex.ok("log", "--json").json(), restored.ok("log", "--json").json()]  # ties in time: any order
    assert [sorted(entries, key=json.dumps) for entries in log] == [sorted(log[0], key=json.dumps)] * 2
    assert {name for name, _ in holding(tmp_path / "restored")} == {"private-notes.json"}
    restored.ok("sync", "init", str(tmp_path / "restored-shared"), "--me", "Alex")
    assert holding(tmp_path / "restored-shared") == []


@pytest.mark.parametrize(
    "words",
    [
        {"note": "evil\x1b]52;c;x\x07"},
        {"fields": {"seconds": "not a number"}},
        {"fields": {"appreciations": ["not an item"]}},
        {"note": 3},
        "just text",
    ],
)
def test_a_backup_with_bad_private_notes_is_refused_in_one_sentence(said, tmp_path, words):
    alex, _ = said
    backup = tmp_path / "backup.json"
    alex.ok("export", "-o", str(backup))
    data = json.loads(backup.read_text())
    data["private_notes"][next(iter(data["private_notes"]))] = words
    backup.write_text(json.dumps(data))
    other = Machine(tmp_path, "other")
    assert "its private notes will not do" in one_error_line(other("import", str(backup)))
    assert not other.home.exists() or "private-notes.json" not in files_of(other.home)


@pytest.mark.parametrize(
    "damage", [b"{not json", b'{"format": "something else"}', b'{"format": "connect-private-notes",']
)
def test_damaged_private_notes_stop_a_command_in_one_sentence_with_the_way_back(said, tmp_path, damage):
    alex, _ = said
    backup = tmp_path / "backup.json"
    alex.ok("export", "-o", str(backup))
    notes = tmp_path / "alex" / "private-notes.json"
    notes.write_bytes(damage)
    for args in (
        ["log"],
        ["checkins"],
        ["undo", "walk"],
        ["done", "walk", "--date", "yesterday", "--note", "x", "--private"],
    ):
        said_ = one_error_line(alex(*args))
        assert "private notes file" in said_ and f"mv {notes} {notes}.damaged" in said_
    assert notes.read_bytes() == damage  # never overwritten
    notes.rename(notes.with_name("private-notes.json.damaged"))
    assert NOTE not in alex.ok("log").out  # the records are all there, without their words
    alex.ok("import", str(backup), "--merge")
    assert NOTE in alex.ok("log").out and holding(tmp_path / "shared") == []


def test_undo_takes_the_private_note_with_it(couple, tmp_path):
    alex, _ = couple
    alex.ok("done", "walk", "--note", NOTE, "--private")
    alex.ok("undo", "walk")
    assert holding(tmp_path / "alex") == []
    assert json.loads((tmp_path / "alex" / "private-notes.json").read_text())["notes"] == {}


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    "args, code, says",
    [
        (["done", "walk", "--private"], 2, "--private keeps a note on this machine only"),
        (["done", "walk", "--private", "--minutes", "5", "--amount", "2"], 2, "--private keeps a note"),
        (["done", "walk", "--note", "a\x1b]52;c;x\x07", "--private"], 1, "control characters"),
        (["answer", "   ", "--private"], 1, "empty"),
    ],
)
def test_a_private_word_given_wrong_is_refused_in_one_sentence_and_nothing_is_written(
    couple, tmp_path, args, code, says, fast
):
    alex, _ = couple

    def data() -> dict[str, bytes]:  # the summary cache is derived: any read may write it
        return {
            name: raw
            for name, raw in files_of(tmp_path).items()
            if not name.endswith("summary-cache.json") and "/opened/" not in name
        }

    before = data()
    result = alex(*args, env=None if fast else {"CONNECT_NO_FASTPATH": "1"})
    assert says in one_error_line(result, code)
    assert data() == before


def test_a_private_check_in_is_carried_on_only_on_the_machine_that_keeps_its_words(couple, tmp_path):
    alex, sam = couple
    stopped = alex("checkin", "--private", stdin="secret-thanks-to-sam\n")
    assert stopped.code == 1 and "saved" in stopped.err
    refused = sam("checkin", stdin="anything\n")
    assert "begun with --private on Alex's device" in one_error_line(refused)
    sam.ok("checkin", "--again", stdin="\n\n\nskip\n\n\n")  # a new one on Sam's machine, open
    carried = alex.ok("checkin", stdin="\n" + "\n".join(CHECKIN[2:]) + "\n")  # no --private: it stays private
    assert "1 answer kept" in carried.out
    assert holding(tmp_path / "shared") == []
    mine = [talk for talk in alex.ok("checkins", "--json").json() if talk.get("private")]
    assert [a["text"] for talk in mine for a in talk["appreciations"]] == [
        "secret-thanks-to-sam",
        "secret-thanks-to-alex",
    ]
