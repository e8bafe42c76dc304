"""The summary cache's file, one entry a line: read entry by entry, it gives what the whole document gives."""

from __future__ import annotations

import json
from datetime import date, timedelta

from connect_habits.core.folds import make_fold
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence
from connect_habits.storage.cachefile import Cache, _entry_of, read_cache, read_entries, write_cache

BEGIN = date(2024, 1, 3)


def entries() -> list[Cache]:
    habit = Habit(id="h", name="H", slug="h", cadence=parse_cadence("daily"), created=BEGIN)
    days = [BEGIN + timedelta(days=n) for n in range(300)]
    checkins = [CheckIn(id=f"c{n}", habit_id="h", day=d, logged_at="") for n, d in enumerate(days) if n % 3]
    skips = [Skip(id=f"s{n}", habit_id="h", day=d) for n, d in enumerate(days) if n % 7 == 0]
    history = build_histories(checkins, skips)["h"]
    made = []
    for n, at in enumerate([date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1), date(2024, 9, 1)]):
        files = {f"/home/connect.2024-{m:02d}.json": [m, 10 * m, 1000 * m] for m in range(1, at.month)}
        files["/home/connect.json"] = None
        folds = {Cache.key("h", None): ("rules", make_fold(habit, history, at)), "h/ann": ("other", {"raw": n})}
        made.append(Cache(at, files, {"h"} if n else set(), folds, [f"warning {n}"] if n % 2 else []))
    return made


def whole_read(path) -> list[Cache]:
    """The file read as one JSON document, the way the cache was read before it was kept a line an entry."""
    document = json.loads(path.read_bytes())
    return [_entry_of(entry, date.fromisoformat(entry["at"])) for entry in document["entries"]]


def test_each_entry_read_alone_is_the_whole_documents_entry(tmp_path):
    path = tmp_path / "summary-past.json"
    write_cache(path, entries())
    whole = whole_read(path)
    assert [e.at for e in whole] == [date(2024, 10, 1), date(2024, 9, 1), date(2024, 7, 1), date(2024, 4, 1)]
    assert read_cache(path) == whole
    stored = read_entries(path)
    assert stored.dates() == [e.at for e in whole]
    for entry in whole:
        assert read_entries(path).at(entry.at) == entry  # alone, with no other entry decoded
    assert stored.at(date(2024, 5, 1)) is None


def test_a_cache_written_as_one_line_is_read_whole(tmp_path):
    path = tmp_path / "summary-past.json"
    write_cache(path, entries())
    whole = whole_read(path)
    path.write_text(json.dumps(json.loads(path.read_bytes())))  # an older connect's layout, the same version
    assert read_cache(path) == whole
    assert read_entries(path).at(date(2024, 7, 1)) == whole[2]


def test_a_damaged_entry_is_left_out_and_the_others_still_read(tmp_path):
    path = tmp_path / "summary-past.json"
    write_cache(path, entries())
    whole = whole_read(path)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][:40]  # the second entry, cut short
    path.write_bytes(b"\n".join(lines))
    stored = read_entries(path)
    assert stored.at(whole[1].at) is None
    assert list(stored) == [whole[0], *whole[2:]]


def test_an_empty_cache_round_trips(tmp_path):
    path = tmp_path / "summary-cache.json"
    write_cache(path, [])
    assert json.loads(path.read_bytes()) == {"version": 4, "entries": []}
    assert read_cache(path) == []
