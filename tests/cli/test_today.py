"""`connect today` (and bare `connect`): what is left today for this device's person, then what is done."""

from __future__ import annotations

from support import run_connect

THURSDAY = "2026-11-26T18:00"


def test_today_lists_what_is_due_and_open_with_its_time_then_what_is_done(home):
    run_connect(home, "add", "Walk", "--at", "19:00")
    run_connect(home, "add", "Dinner", "--every", "3/week", "--at", "18:30")
    run_connect(home, "add", "Pottery", "--every", "sat")  # not due on a Thursday
    run_connect(home, "add", "Thanks")
    for day in ("2026-11-24", "2026-11-25"):
        run_connect(home, "done", "walk", "--date", day, now=THURSDAY)
    run_connect(home, "done", "thanks", now=THURSDAY)
    shown = run_connect(home, "today", now=THURSDAY)
    assert shown.code == 0
    lines = shown.out.splitlines()
    assert lines[0] == "Left today (Thu 26 Nov):"
    assert lines[1].split()[:2] == ["Dinner", "18:30"] and lines[2].split()[:2] == ["Walk", "19:00"]
    assert "a 2-day streak at stake" in lines[2]
    assert "Pottery" not in shown.out
    assert lines[-1] == "Done today: Thanks."
    data = run_connect(home, "today", "--json", now=THURSDAY).json()
    assert data["date"] == "2026-11-26"
    assert [h["slug"] for h in data["left"]] == ["walk", "dinner"]  # in the week's order
    assert [h["slug"] for h in data["done"]] == ["thanks"]
    week = {h["slug"]: h for h in run_connect(home, "week", "--json", now=THURSDAY).json()["habits"]}
    walk = data["left"][0]
    assert walk["at"] == ["19:00"] and {k: v for k, v in walk.items() if k != "at"} == week["walk"]


def test_on_a_partners_own_device_today_is_theirs(tmp_path):
    maya, folder = tmp_path / "maya", tmp_path / "shared"
    run_connect(maya, "init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "weekly-check-in")
    run_connect(maya, "add", "Gratitude", "--who", "each")
    run_connect(maya, "add", "Call mum", "--who", "Jonas")
    run_connect(maya, "sync", "init", str(folder), "--me", "Maya")
    data = run_connect(maya, "today", "--json").json()
    left = [(h["slug"], h["person"]) for h in data["left"]]
    assert ("gratitude", "Maya") in left and ("gratitude", "Jonas") not in left
    assert all(slug != "call-mum" for slug, _ in left)


def test_bare_connect_shows_today_once_there_is_something_and_the_help_before(home):
    assert "Usage: connect" in run_connect(home).out
    run_connect(home, "add", "Walk")
    bare = run_connect(home)
    assert bare.code == 0 and bare.out.startswith("Left today") and "connect --help" in bare.out


def test_nothing_left_says_so(home):
    run_connect(home, "add", "Walk")
    run_connect(home, "done", "walk")
    assert run_connect(home, "today").out.splitlines()[0] == "Nothing left today (Thu 26 Nov)."


def status_home(home):
    run_connect(home, "add", "Walk", "--at", "19:00")
    run_connect(home, "add", "Dinner", "--at", "18:30")
    run_connect(home, "add", "Thanks")
    for day in ("2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"):
        run_connect(home, "done", "thanks", "--date", day, now=THURSDAY)
    run_connect(home, "done", "thanks", now=THURSDAY)


def test_status_is_one_short_line_for_a_bar(home):
    status_home(home)
    line = run_connect(home, "status", now=THURSDAY).out
    assert line == "2 left · dinner 18:30 · 5-day streak\n"
    assert run_connect(home, "status", now="2026-11-26T18:45").out == "2 left · walk 19:00 · 5-day streak\n"
    assert run_connect(home, "status", env={"LANG": "C"}, now=THURSDAY).out.isascii()


def test_status_in_each_bar_format(home):
    import json

    status_home(home)
    waybar = json.loads(run_connect(home, "status", "--format", "waybar", now=THURSDAY).out)
    assert waybar["text"] == "2 left · dinner 18:30 · 5-day streak" and waybar["class"] == "left"
    assert "Walk: left" in waybar["tooltip"] and "Thanks: done" in waybar["tooltip"]
    full, short, colour = run_connect(home, "status", "--format", "i3blocks", now=THURSDAY).out.splitlines()
    assert full == waybar["text"] and short == "2 left" and colour.startswith("#")
    data = json.loads(run_connect(home, "status", "--format", "json", now=THURSDAY).out)
    assert data["left"] == ["Walk", "Dinner"] and data["done"] == ["Thanks"] and data["date"] == "2026-11-26"
    run_connect(home, "done", "walk", now=THURSDAY)
    run_connect(home, "done", "dinner", now=THURSDAY)
    assert json.loads(run_connect(home, "status", "--format", "waybar", now=THURSDAY).out)["class"] == "done"
    assert run_connect(home, "status", now=THURSDAY).out.startswith("all done")


def test_status_with_a_long_name_stays_within_60_characters(home):
    run_connect(home, "add", "A very long habit name that goes on and on for a while", "--at", "21:00")
    line = run_connect(home, "status").out.rstrip("\n")
    assert len(line) <= 60 and line.startswith("1 left · a-very-long")


def test_an_unknown_status_format_is_one_sentence(home):
    result = run_connect(home, "status", "--format", "xml")
    assert result.code == 1 and result.err.startswith("Error: There is no format 'xml'")


def test_digest_at_is_a_setting_checked_like_the_others(home):
    assert run_connect(home, "config", "set", "digest_at", "19:00").code == 0
    assert run_connect(home, "config", "get", "digest_at").out == "19:00\n"
    refused = run_connect(home, "config", "set", "digest_at", "evening")
    assert refused.code == 1 and "is not a time like 19:00" in refused.err
    assert run_connect(home, "config", "get", "digest_at").out == "19:00\n"  # nothing changed
