"""Data files of earlier releases (schema 1: whole habits; schema 2: all history in one file) keep
working and are upgraded on the next write."""

from __future__ import annotations

import json

SCHEMA_1 = {
    "_meta": {"1": {"schema": 1}},
    "habits": {
        "1": {
            "id": "h1",
            "name": "Walk together",
            "slug": "walk-together",
            "cadence": "mon,wed,sat",
            "goal": None,
            "at": ["19:00"],
            "created": "2026-11-01",
            "archived": False,
            "template": None,
            "prompts": [],
            "note": "",
        }
    },
    "checkins": {
        "1": {
            "id": "c1",
            "habit": "h1",
            "date": "2026-11-25",
            "minutes": None,
            "note": "",
            "logged_at": "2026-11-25T19:30:00",
            "source": "cli",
            "by": None,
        }
    },
    "skips": {"1": {"id": "s1", "habit": "h1", "date": "2026-11-23", "reason": "ill"}},
}


def test_a_schema_1_file_reads_as_before_and_is_upgraded_by_the_next_write(connect, home):
    home.mkdir(parents=True)
    (home / "connect.json").write_text(json.dumps(SCHEMA_1))
    before = (home / "connect.json").read_bytes()
    week = connect("week", "--json").json()
    assert week["habits"][0]["days"]["2026-11-25"] == "done"
    assert week["habits"][0]["days"]["2026-11-23"] == "skipped"
    assert (home / "connect.json").read_bytes() == before  # reading never rewrites
    assert connect("done", "walk", "--date", "2026-11-21").code == 0
    data = json.loads((home / "connect.json").read_text())
    assert data["_meta"]["1"]["schema"] == 3 and "habits" not in data and "checkins" not in data
    assert [c["fields"]["name"] for c in data["habit_changes"].values()] == ["Walk together"]
    month = json.loads((home / "connect.2026-11.json").read_text())
    assert sorted(c["date"] for c in month["checkins"].values()) == ["2026-11-21", "2026-11-25"]
    row = connect("week", "--json").json()["habits"][0]
    assert row["streak"] == 2 and row["days"]["2026-11-23"] == "skipped"


def test_upgraded_habits_keep_their_order(connect, home):
    data = json.loads(json.dumps(SCHEMA_1))
    second = dict(data["habits"]["1"], id="aa", name="Second", slug="second")
    data["habits"] = {"1": dict(data["habits"]["1"], id="zz", name="First", slug="first"), "2": second}
    data["checkins"] = {}
    data["skips"] = {}
    home.mkdir(parents=True)
    (home / "connect.json").write_text(json.dumps(data))
    assert [h["name"] for h in connect("list", "--json").json()] == ["First", "Second"]


def schema_2(device: str = "0123456789ab") -> dict:
    """A schema 2 file: change records, and every check-in, skip and undo in the one file."""

    def checkin(n: int, day: str) -> dict:
        return {
            "id": f"c{n}",
            "habit": "h1",
            "date": day,
            "minutes": None,
            "note": "",
            "logged_at": f"{day}T19:00:00",
            "source": "cli",
            "by": None,
        }

    fields = dict(SCHEMA_1["habits"]["1"], cadence="daily", created="2025-06-01")
    del fields["id"]
    days = ["2025-06-01", "2025-06-02", "2025-12-31", "2026-01-01", "2026-11-24", "2026-11-25"]
    return {
        "_meta": {"1": {"schema": 2, "device": device, "person": None}},
        "habit_changes": {"1": {"id": "x1", "habit": "h1", "stamp": 1, "fields": fields}},
        "checkins": {str(n): checkin(n, day) for n, day in enumerate(days, start=1)},
        "skips": {"1": {"id": "s1", "habit": "h1", "date": "2026-11-23", "reason": ""}},
        # one undo of a check-in here (c2), one of a record this file never saw
        "removals": {
            "1": {"id": "r1", "target": "c2", "stamp": 2},
            "2": {"id": "r2", "target": "elsewhere", "stamp": 3},
        },
    }


def test_a_schema_2_file_is_split_into_months_by_the_next_write_and_reads_the_same(connect, home):
    home.mkdir(parents=True)
    (home / "connect.json").write_text(json.dumps(schema_2()))
    before = {
        "stats": connect("stats", "walk", "--json").json(),
        "log": connect("log").out,
        "week": connect("week", "--json").json(),
    }
    assert sorted(p.name for p in home.glob("connect*.json")) == ["connect.json"]  # reading never rewrites

    assert connect("done", "walk").code == 0 and connect("undo", "walk").code == 0  # a write, then back

    after = {
        "stats": connect("stats", "walk", "--json").json(),
        "log": connect("log").out,
        "week": connect("week", "--json").json(),
    }
    assert after == before
    assert sorted(p.name for p in home.glob("connect*.json")) == [
        "connect.2025-06.json",
        "connect.2025-12.json",
        "connect.2026-01.json",
        "connect.2026-11.json",
        "connect.json",
    ]
    main = json.loads((home / "connect.json").read_text())
    assert main["_meta"]["1"]["schema"] == 3 and "checkins" not in main and "skips" not in main
    assert [r["target"] for r in main["removals"].values()] == ["elsewhere"]  # unknown: stays where all see it
    june = json.loads((home / "connect.2025-06.json").read_text())
    assert sorted(c["id"] for c in june["checkins"].values()) == ["c1", "c2"]
    assert [r["target"] for r in june["removals"].values()] == ["c2"]  # the undo travels with what it undoes
    assert before["stats"]["best_streak"] == 2 and before["stats"]["streak"] == 2
