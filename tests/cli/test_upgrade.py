"""Data files of earlier releases (schema 1: whole habits; schema 2: all history in one file) keep
working and are upgraded on the next write."""

from __future__ import annotations

import json

from connect_habits.storage.files import SCHEMA_VERSION

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
    assert data["_meta"]["1"]["schema"] == SCHEMA_VERSION and "habits" not in data and "checkins" not in data
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
    assert main["_meta"]["1"]["schema"] == SCHEMA_VERSION and "checkins" not in main and "skips" not in main
    assert [r["target"] for r in main["removals"].values()] == ["elsewhere"]  # unknown: stays where all see it
    june = json.loads((home / "connect.2025-06.json").read_text())
    assert sorted(c["id"] for c in june["checkins"].values()) == ["c1", "c2"]
    assert [r["target"] for r in june["removals"].values()] == ["c2"]  # the undo travels with what it undoes
    assert before["stats"]["best_streak"] == 2 and before["stats"]["streak"] == 2


# ---------------------------------------------------------------- partners before they had ids (schema 3)


def schema_3_device(device: str, person: str | None, checkins: list[tuple[str, str | None]]) -> tuple[dict, dict]:
    """A schema 3 device: its main file (one habit, `Walk`, when `device` is the first) and its November file.

    A check-in's `by` and the device's person are names, as connect wrote them before partners had ids.
    """
    fields = dict(SCHEMA_1["habits"]["1"], cadence="daily", created="2026-11-01")
    del fields["id"]
    changes = {"1": {"id": "x1", "habit": "h1", "stamp": 1, "fields": fields}} if device.startswith("a") else {}
    main = {"_meta": {"1": {"schema": 3, "device": device, "person": person}}, "habit_changes": changes}
    month = {
        "_meta": {"1": {"schema": 3, "device": device, "month": "2026-11"}},
        "checkins": {
            str(n): {
                "id": f"{device}-{n}",
                "habit": "h1",
                "date": day,
                "minutes": None,
                "note": "",
                "logged_at": f"{day}T19:00:00",
                "source": "cli",
                "by": by,
            }
            for n, (day, by) in enumerate(checkins, start=1)
        },
    }
    return main, month


def test_a_private_home_of_schema_3_keeps_its_partners_and_who_logged_what_through_a_rename(connect, home):
    main, month = schema_3_device("a00000000001", None, [("2026-11-24", "Jonas"), ("2026-11-25", "maya")])
    home.mkdir(parents=True)
    (home / "connect.json").write_text(json.dumps(main))
    (home / "connect.2026-11.json").write_text(json.dumps(month))
    (home / "config.toml").write_text('partners = ["Maya", "Jonas"]\n')
    assert [p["name"] for p in connect("partners", "--json").json()] == ["Maya", "Jonas"]
    by = [e["by"] for e in connect("log", "--json").json()]
    assert by == ["Maya", "Jonas"]  # a name typed in another case is the same partner
    assert connect("partners", "rename", "Jonas", "Jo").code == 0
    assert [e["by"] for e in connect("log", "--json").json()] == ["Maya", "Jo"]
    assert json.loads((home / "connect.json").read_text())["_meta"]["1"]["schema"] == SCHEMA_VERSION


def test_a_shared_folder_of_schema_3_with_a_ghost_in_another_case_and_one_from_a_typo(tmp_path):
    from support import run_connect

    folder = tmp_path / "shared"
    folder.mkdir()
    devices = {
        "a00000000001": ("Maya", [("2026-11-23", "Maya")]),
        "b00000000002": ("maya", [("2026-11-24", "maya")]),  # Maya's after `sync join --me maya`
        "c00000000003": ("Jonas", [("2026-11-24", "Jonas")]),
        "d00000000004": ("Mayaa", [("2026-11-25", "Mayaa")]),  # a typo: a third person
    }
    for device, (person, checkins) in devices.items():
        main, month = schema_3_device(device, person, checkins)
        (folder / f"connect-{device}.json").write_text(json.dumps(main))
        (folder / f"connect-{device}.2026-11.json").write_text(json.dumps(month))
    homes = {}
    for name, device in (("maya", "a00000000001"), ("jonas", "c00000000003")):
        homes[name] = tmp_path / name
        homes[name].mkdir()
        (homes[name] / "config.toml").write_text(
            f'partners = ["{devices[device][0]}"]\nsync_folder = "{folder}"\ndevice = "{device}"\nme = "{devices[device][0]}"\n'
        )

    def partners(home) -> list[str]:
        return [p["name"] for p in run_connect(home, "partners", "--json").json()]

    assert partners(homes["maya"]) == partners(homes["jonas"]) == ["Maya", "Jonas", "Mayaa"]
    odd = run_connect(homes["jonas"], "sync", "status", "--json").json()["odd"]
    assert any("3 partners" in line for line in odd) and any("call one partner" in line for line in odd), odd
    refused = run_connect(homes["jonas"], "partners", "remove", "Mayaa")
    assert refused.code == 1 and "--into" in refused.err
    assert run_connect(homes["jonas"], "partners", "remove", "Mayaa", "--into", "Maya").code == 0
    for home in homes.values():
        assert partners(home) == ["Maya", "Jonas"]
        by = sorted(e["by"] for e in run_connect(home, "log", "--json").json())
        assert by == ["Jonas", "Maya", "Maya", "Maya"]
        week = run_connect(home, "week", "--json").json()
        assert week["habits"][0]["by"]["2026-11-25"] == ["Maya"]
