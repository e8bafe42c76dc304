"""A data file written by the first release (schema 1) keeps working and is upgraded on the next write."""

from __future__ import annotations

import json

SCHEMA_1 = {
    "_meta": {"1": {"schema": 1}},
    "habits": {"1": {"id": "h1", "name": "Walk together", "slug": "walk-together", "cadence": "mon,wed,sat",
                     "goal": None, "at": ["19:00"], "created": "2026-11-01", "archived": False, "template": None,
                     "prompts": [], "note": ""}},
    "checkins": {"1": {"id": "c1", "habit": "h1", "date": "2026-11-25", "minutes": None, "note": "",
                       "logged_at": "2026-11-25T19:30:00", "source": "cli", "by": None}},
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
    assert data["_meta"]["1"]["schema"] == 2 and "habits" not in data
    assert [c["fields"]["name"] for c in data["habit_changes"].values()] == ["Walk together"]
    assert sorted(c["date"] for c in data["checkins"].values()) == ["2026-11-21", "2026-11-25"]
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
