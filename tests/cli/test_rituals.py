"""The rituals for two through the real `connect`: the weekly check-in (stdin lines and a real pseudo-terminal),
the question of the day on two machines, and messages and thanks between them."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from support import one_error_line, run_connect
from support.sealed import opened, pairing_code, shared_json, write_json_sealed
from support.terminal import Terminal

SATURDAY = "2026-12-05T10:00"
NEXT_SATURDAY = "2026-12-12T10:00"


class Home:
    def __init__(self, root: Path, name: str):
        self.home = root / name

    def __call__(self, *args: str, now: str = SATURDAY, stdin: str = ""):
        return run_connect(self.home, *args, now=now, stdin=stdin)

    def ok(self, *args: str, now: str = SATURDAY, stdin: str = ""):
        result = self(*args, now=now, stdin=stdin)
        assert result.code == 0, (args, result.out, result.err)
        return result


@pytest.fixture
def us(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "weekly-check-in")
    return home


@pytest.fixture
def couple(tmp_path):
    """Alex and Sam on two machines sharing one sealed folder (read directly, as if synced at once)."""
    alex, sam = Home(tmp_path, "alex"), Home(tmp_path, "sam")
    folder = tmp_path / "shared"
    alex.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "say-thank-you")
    code = alex.ok("sync", "init", str(folder), "--me", "Alex").out.splitlines()[-1]
    sam.ok("sync", "join", str(folder), "--me", "Sam", "--code", code)
    return alex, sam


# ---------------------------------------------------------------- the weekly check-in

FIRST_CHECKIN = [
    "you listened on Tuesday",  # Alex appreciates Sam (1)
    "the coffee in bed",  # (2)
    "",  # Alex moves on
    "you cooked when I was late",  # Sam appreciates Alex (1)
    "",  # Sam moves on
    "the walk by the river",  # best moment
    "Alex",  # something hard: Alex speaks
    "tired",
    "the evenings on the phone",
    "an hour without screens",
    "you want an evening hour without phones",  # Sam says back what was heard
    "yes",  # heard right
    "plan a date on Friday",  # Sam asked by Alex: Alex's promise to Sam
    "call me at lunch on Wednesday",  # Alex asked by Sam: Sam's promise to Alex
]


def test_a_whole_check_in_from_stdin_lines_is_saved_and_its_promises_show_in_the_week(us):
    result = us.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    assert "Alex, something you appreciated about Sam this week" in result.out
    assert "Sam: What I heard is…" in result.out
    assert "'Weekly check-in' done." in result.out
    [saved] = us.ok("checkins", "--json").json()
    assert saved["date"] == "2026-12-05" and saved["finished"] is True
    assert saved["appreciations"] == [
        {"from": "Alex", "to": "Sam", "text": "you listened on Tuesday"},
        {"from": "Alex", "to": "Sam", "text": "the coffee in bed"},
        {"from": "Sam", "to": "Alex", "text": "you cooked when I was late"},
    ]
    assert saved["hard"] == [
        {
            "speaker": "Alex",
            "feel": "tired",
            "about": "the evenings on the phone",
            "need": "an hour without screens",
            "heard": "you want an evening hour without phones",
            "heard_right": True,
        }
    ]
    assert saved["promises"] == [
        {"from": "Alex", "to": "Sam", "text": "plan a date on Friday", "outcome": None},
        {"from": "Sam", "to": "Alex", "text": "call me at lunch on Wednesday", "outcome": None},
    ]
    week = us.ok("week", "--json", now="2026-12-08T10:00").json()
    assert [p["text"] for p in week["promises"]] == ["plan a date on Friday", "call me at lunch on Wednesday"]
    assert "Alex to Sam: plan a date on Friday" in us.ok("week", now="2026-12-08T10:00").out
    checkin_habit = next(h for h in us.ok("week", "--json").json()["habits"] if h["slug"] == "weekly-check-in")
    assert checkin_habit["days"]["2026-12-05"] == "done"


def test_the_next_check_in_asks_about_each_promise_and_records_the_answer(us):
    us.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    second = us.ok(
        "checkin", now=NEXT_SATURDAY, stdin="\n".join(["maybe", "yes", "no", "", "", "", "skip", "", ""]) + "\n"
    )
    assert 'Sam, Alex promised you: "plan a date on Friday". Did it happen? (yes/partly/no)' in second.out
    assert "Please answer yes, partly or no." in second.out  # "maybe" is asked again
    newest, first = us.ok("checkins", "--json", now=NEXT_SATURDAY).json()
    assert [p["outcome"] for p in first["promises"]] == ["yes", "no"]
    assert newest["promises"] == [] and newest["hard"] == []
    assert us.ok("week", "--json", now="2026-12-14T10:00").json()["promises"] == []


def test_an_interrupted_check_in_keeps_every_answer_and_the_next_one_carries_on(us):
    stopped = us("checkin", stdin="\n".join(FIRST_CHECKIN[:4]) + "\n")
    assert stopped.code == 1
    assert "the 3 answers given so far are saved" in stopped.err  # the empty line that moved on said nothing
    [partial] = us.ok("checkins", "--json").json()
    assert partial["finished"] is False and len(partial["appreciations"]) == 3
    carried = us.ok("checkin", now="2026-12-06T09:00", stdin="\n".join(FIRST_CHECKIN[4:]) + "\n")
    assert "Carrying on with the check-in begun on Saturday 05 December: 3 answers kept." in carried.out
    assert "Alex, something you appreciated" not in carried.out  # nothing asked twice
    [whole] = us.ok("checkins", "--json").json()
    assert whole["finished"] is True and len(whole["appreciations"]) == 3 and len(whole["promises"]) == 2


def test_a_second_check_in_in_the_same_week_is_asked_for_on_purpose(us):
    us.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    refused = us("checkin", now="2026-12-06T10:00", stdin="yes\n")
    assert "held this week's check-in on Saturday 05 December" in one_error_line(refused)
    assert len(us.ok("checkins", "--json").json()) == 1  # nothing begun
    us.ok("checkin", "--again", now="2026-12-06T10:00", stdin="yes\nno\n\n\n\nskip\n\n\n")
    assert len(us.ok("checkins", "--json").json()) == 2


def test_checkins_tell_what_was_heard_and_a_second_try_at_hearing(us):
    retry = FIRST_CHECKIN[:11] + ["no", "you need an evening hour without screens", "yes"] + FIRST_CHECKIN[12:]
    held = us.ok("checkin", stdin="\n".join(retry) + "\n")
    assert "Alex, did Sam hear you right this time? (yes/no)" in held.out
    [saved] = us.ok("checkins", "--json").json()
    assert saved["hard"][0]["heard"] == "you need an evening hour without screens"
    assert saved["hard"][0]["heard_right"] is True
    assert "Sam heard: you need an evening hour without screens (heard right)" in us.ok("checkins").out


def test_skip_moves_on_at_every_optional_step_and_prompt_words_are_not_kept_twice(us):
    answers = ["skip", "no", "skip", "Alex", "I feel tired", "about the evenings", "I need rest"]
    answers += ["What I heard is: you need rest", "y", "skip", "nothing"]
    us.ok("checkin", stdin="\n".join(answers) + "\n")
    [saved] = us.ok("checkins", "--json").json()
    assert saved["appreciations"] == [] and saved["best"] is None and saved["promises"] == []
    assert saved["hard"] == [
        {"speaker": "Alex", "feel": "tired", "about": "the evenings", "need": "rest", "heard": "you need rest",
         "heard_right": True}
    ]  # fmt: skip
    assert "Alex felt tired about the evenings, and needed rest." in us.ok("checkins").out


def test_stopping_before_anything_was_said_says_so(us):
    stopped = us("checkin", stdin="\n")
    assert "Stopped before anything was said" in stopped.err


def test_the_check_in_needs_two_partners(tmp_path):
    alone = Home(tmp_path, "alone")
    alone.ok("add", "Walk")
    assert "name both of you first" in one_error_line(alone("checkin", stdin="x\n"))


def test_checkin_help_lists_the_steps(us):
    text = us.ok("checkin", "--help").out
    for step in (
        "1. Last week's promises",
        "2. Appreciations",
        "3. The week",
        "4. Something that was hard",
        "5. Next week",
        "6. Close",
    ):
        assert step in text


def test_a_check_in_held_at_a_real_terminal_and_one_stopped_with_ctrl_c(us):
    term = Terminal(us.home, SATURDAY, "checkin")
    term.expect("Alex, something you appreciated about Sam this week")
    term.type("you listened")
    term.expect("Alex, something else")
    term.type("")
    term.expect("Sam, something you appreciated about Alex")
    os.killpg(term.process.pid, signal.SIGINT)  # Ctrl-C
    assert term.wait() == 130
    [partial] = us.ok("checkins", "--json").json()
    assert partial["appreciations"] == [{"from": "Alex", "to": "Sam", "text": "you listened"}]
    term = Terminal(us.home, SATURDAY, "checkin")
    term.expect("1 answer kept")  # the empty line moved on: nothing said
    term.expect("Sam, something you appreciated about Alex")
    for answer, prompt in [
        ("you made soup", "Sam, something else"),
        ("", "best moment"),
        ("Sunday breakfast", "Who would like to talk about it"),
        ("skip", "Sam, Alex asks"),
        ("a walk on Sunday", "Alex, Sam asks"),
    ]:
        term.type(answer)
        term.expect(prompt)
    term.type("")
    term.expect("Saved.")
    assert term.wait() == 0
    [whole] = us.ok("checkins", "--json").json()
    assert whole["finished"] and whole["best"] == "Sunday breakfast"
    assert whole["promises"] == [{"from": "Alex", "to": "Sam", "text": "a walk on Sunday", "outcome": None}]


# ---------------------------------------------------------------- the question of the day


@pytest.mark.parametrize("day", ["2026-12-05", "2026-12-06", "2027-01-01", "2027-02-28"])
def test_both_machines_ask_the_same_question_all_day(couple, day):
    alex, sam = couple
    morning = alex.ok("question", "--json", now=f"{day}T07:00").json()
    evening = sam.ok("question", "--json", now=f"{day}T23:00").json()
    assert morning["question"] == evening["question"] and morning["date"] == day
    assert morning["theme"] and morning["question"].endswith("?")


def test_questions_do_not_repeat_before_the_deck_is_used_up(us):
    seen = []
    for offset in range(0, 40):
        day = f"2027-01-{offset + 1:02d}" if offset < 31 else f"2027-02-{offset - 30:02d}"
        seen.append(us.ok("question", "--json", now=f"{day}T09:00").json()["question"])
    assert len(set(seen)) == len(seen)


def test_an_answer_is_hidden_from_the_other_until_they_have_answered_too(couple):
    alex, sam = couple
    alex.ok("answer", "Our first trip to the sea")
    mine = alex.ok("question", "--json").json()["answers"]
    assert mine == {
        "Alex": {"answered": True, "text": "Our first trip to the sea"},
        "Sam": {"answered": False, "text": None},
    }
    theirs = sam.ok("question", "--json").json()["answers"]
    assert theirs["Alex"] == {"answered": True, "text": None}
    assert "Alex has answered; answer too to see it." in sam.ok("question").out
    answered = sam.ok("answer", "The night train")
    assert "Alex's answer: Our first trip to the sea" in answered.out
    both = {
        "Alex": {"answered": True, "text": "Our first trip to the sea"},
        "Sam": {"answered": True, "text": "The night train"},
    }
    assert alex.ok("question", "--json").json()["answers"] == both
    sam.ok("answer", "The night train to Rome")  # again: replaces it
    assert alex.ok("question", "--json").json()["answers"]["Sam"]["text"] == "The night train to Rome"
    history = alex.ok("question", "--history", "--json", now="2026-12-06T09:00").json()
    assert [(d["date"], d["answers"]["Sam"]["text"]) for d in history] == [("2026-12-05", "The night train to Rome")]


def test_on_one_laptop_answers_say_whose_they_are(us):
    us.ok("answer", "--by", "Sam", "The lake")
    view = us.ok("question", "--json").json()["answers"]
    assert view == {"Alex": {"answered": False, "text": None}, "Sam": {"answered": True, "text": None}}
    us.ok("answer", "--by", "alex", "The mountains")
    assert us.ok("question", "--json").json()["answers"]["Sam"]["text"] == "The lake"


def test_an_answer_for_the_partner_with_a_device_of_their_own_is_refused(couple):
    alex, sam = couple
    sam.ok("answer", "The night train")
    refused = alex("answer", "--by", "Sam", "The lake")
    assert "Sam answers on Sam's own device" in one_error_line(refused)
    assert sam.ok("question", "--json").json()["answers"]["Sam"]["text"] == "The night train"
    alex.ok("answer", "--by", "Alex", "The sea")  # naming oneself is fine


@pytest.mark.parametrize("text", ["The sea,\nbecause of\n  the light", "The sea,\r\nbecause of\r  the light"])
def test_an_answer_over_several_lines_is_kept_on_one(couple, text):
    alex, sam = couple
    alex.ok("answer", text)
    assert alex.ok("question", "--json").json()["answers"]["Alex"]["text"] == "The sea, because of the light"
    assert "You: The sea, because of the light" in alex.ok("question").out
    assert "You have not answered yet." in sam.ok("question").out


@pytest.mark.parametrize(
    "args, says",
    [
        (["answer", ""], "empty"),
        (["answer", "   "], "empty"),
        (["answer", "a\x1b]52;c;bad\x07b"], "control characters"),
        (["answer", "x" * 10_000], "at most"),
        (["answer", "--by", "Robin", "hello"], "not one of the partners"),
        (["answer", "hello"], "--by"),
    ],
)
def test_bad_answers_are_refused_in_one_sentence_and_nothing_is_saved(us, args, says):
    before = us.ok("question", "--json").json()
    result = us(*args)
    assert says in one_error_line(result)
    assert us.ok("question", "--json").json() == before


# ---------------------------------------------------------------- messages and thanks


def test_send_and_thank_need_a_shared_folder(us):
    for command in ("send", "thank"):
        assert "connect sync init" in one_error_line(us(command, "hello"))


def test_a_message_and_a_thank_you_reach_the_partners_inbox_and_the_thanks_is_logged(couple):
    alex, sam = couple
    alex.ok("send", "Good luck with the interview today", now="2026-12-05T08:00")
    thanked = alex.ok("thank", "for cooking when I was late", now="2026-12-05T20:00")
    assert "'Say thank you' done today by Alex." in thanked.out.splitlines()
    inbox = sam.ok("inbox", "--json").json()
    assert [(m["from"], m["to"], m["kind"], m["text"], m["seen"]) for m in inbox] == [
        ("Alex", "Sam", "thanks", "for cooking when I was late", None),
        ("Alex", "Sam", "message", "Good luck with the interview today", None),
    ]
    assert inbox[0]["sent"].startswith("2026-12-05T20:00")
    assert [m["seen"] for m in sam.ok("inbox", "--json").json()] == [None, None]  # a script's look: still new
    assert sam.ok("inbox").out.count("(new)") == 2
    again = sam.ok("inbox", "--json", now="2026-12-05T21:00").json()
    assert all(m["seen"] for m in again)  # listed to the person once: seen
    assert alex.ok("inbox", "--json").json() == []  # nothing was sent to Alex
    week = alex.ok("week", "--json").json()
    thanks = next(h for h in week["habits"] if h["slug"] == "say-thank-you")
    assert thanks["days"]["2026-12-05"] == "done"


@pytest.mark.parametrize("text, says", [("", "empty"), ("x" * 10_000, "at most"), ("a\x07b", "control characters")])
def test_bad_messages_are_refused_and_nothing_is_sent(couple, text, says):
    alex, sam = couple
    assert says in one_error_line(alex("send", text))
    assert sam.ok("inbox", "--json").json() == []


# ---------------------------------------------------------------- nothing is lost on the way


def test_check_ins_and_answers_travel_with_a_backup_and_into_and_out_of_a_shared_folder(us, tmp_path):
    us.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    us.ok("answer", "--by", "Sam", "The lake")
    before = (us.ok("checkins", "--json").out, us.ok("question", "--history", "--json", now=NEXT_SATURDAY).out)
    backup = tmp_path / "backup.json"
    us.ok("export", "-o", str(backup))
    restored = Home(tmp_path, "restored")
    restored.ok("import", str(backup))
    assert (
        restored.ok("checkins", "--json").out,
        restored.ok("question", "--history", "--json", now=NEXT_SATURDAY).out,
    ) == before
    us.ok("sync", "init", str(tmp_path / "shared"), "--me", "Alex")
    assert us.ok("checkins", "--json").out == before[0]
    us.ok("sync", "leave")
    assert us.ok("checkins", "--json").out == before[0]


def test_a_backup_with_a_bad_ritual_record_is_refused_in_one_sentence(us, tmp_path):
    us.ok("answer", "--by", "Sam", "The lake")
    backup = tmp_path / "backup.json"
    us.ok("export", "-o", str(backup))
    data = json.loads(backup.read_text())
    data["rituals"][0]["text"] = "evil\x1b]52;c;x\x07"
    backup.write_text(json.dumps(data))
    result = Home(tmp_path, "other")("import", str(backup))
    assert "ritual record 1 will not do" in one_error_line(result)


def test_a_hostile_ritual_record_in_the_partners_file_is_skipped_and_the_rest_is_read(couple, tmp_path):
    alex, sam = couple
    alex.ok("send", "See you at seven")
    code = pairing_code(alex.home)
    shared = (tmp_path / "shared").glob("connect-*.2026-12.json")
    [month] = [p for p in shared if b"rituals" in opened(p, code)]
    data = shared_json(month, code)
    good = next(iter(data["rituals"].values()))
    data["rituals"]["99"] = dict(good, id="evil", text="\x1b]52;c;cm0gLXJmIH4=\x07 click me")
    write_json_sealed(month, code, data)  # written by a device with the key: sealing is no shield against it
    inbox = sam("inbox", "--json")
    assert inbox.code == 0
    assert [m["text"] for m in inbox.json()] == ["See you at seven"]
    assert "skipped 1 record of " + month.name.split(".")[0] + ".json" in inbox.err  # the device's file, named


def test_a_check_in_held_on_one_machine_shows_on_both_and_its_promises_in_both_weeks(couple):
    alex, sam = couple
    alex.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    assert sam.ok("checkins", "--json").out == alex.ok("checkins", "--json").out
    assert [p["text"] for p in sam.ok("week", "--json").json()["promises"]] == [
        "plan a date on Friday",
        "call me at lunch on Wednesday",
    ]
    sam.ok("checkin", now=NEXT_SATURDAY, stdin="yes\nno\n\n\n\nskip\n\n\n")  # the next one, on the other machine
    [newest, first] = alex.ok("checkins", "--json", now=NEXT_SATURDAY).json()
    assert [p["outcome"] for p in first["promises"]] == ["yes", "no"] and newest["finished"]


def test_an_answer_the_check_in_refused_is_not_kept_nor_replayed(us):
    us.ok("checkin", stdin="\n".join(FIRST_CHECKIN) + "\n")
    stopped = us("checkin", now=NEXT_SATURDAY, stdin="maybe\nsometimes\nyes\n")
    assert stopped.code == 1 and "the answer given so far is saved" in stopped.err
    carried = us.ok("checkin", now=NEXT_SATURDAY, stdin="no\n\n\n\nskip\n\n\n")
    assert "Saturday 12 December: 1 answer kept." in carried.out
    assert not carried.out.splitlines()[1].startswith("Please answer")  # no stale refusal on resuming
    [newest, first] = us.ok("checkins", "--json", now=NEXT_SATURDAY).json()
    assert [p["outcome"] for p in first["promises"]] == ["yes", "no"] and newest["finished"]


def test_messages_about_an_answer_use_the_right_article(us):
    assert one_error_line(us("answer", "--by", "Sam", "x" * 2500)).startswith("Error: An answer can be at most")


def test_one_check_in_carried_on_on_both_machines_before_they_sync_loses_nothing(couple, tmp_path):
    alex, sam = couple
    alex("checkin", stdin="you listened\n")  # begun on Alex's laptop, then stopped
    sam.ok("checkin", stdin="\nthe soup\n\n\nskip\nMassage\nDinner out\n")  # carried on and finished on Sam's
    folder, away = tmp_path / "shared", tmp_path / "in-transit"
    away.mkdir()
    device = sam.ok("sync", "status", "--json").json()["device"]
    for path in folder.glob(f"connect-{device}*"):  # Sam's files have not reached Alex's laptop yet
        path.rename(away / path.name)
    alex.ok("checkin", stdin="\n\n\nskip\nFlowers\nBreakfast\n")
    for path in away.iterdir():  # now they have
        path.rename(folder / path.name)
    for machine in (alex, sam):
        held = machine.ok("checkins", "--json").json()
        promises = sorted(p["text"] for talk in held for p in talk["promises"])
        assert promises == ["Breakfast", "Dinner out", "Flowers", "Massage"]
