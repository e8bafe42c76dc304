"""Time, attacked: midnight, week and year boundaries, and daylight-saving days in several zones.

Each test runs the real `connect` under TZ=... with the clock pinned (CONNECT_NOW, local wall time).
`make test` also runs the time-sensitive test files once more under each of these zones.
"""

from __future__ import annotations

import pytest

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


@pytest.fixture(params=ZONES)
def tz(request):
    return {"TZ": request.param}


@pytest.mark.parametrize(
    "now, expected_day",
    [
        ("2026-11-26T23:59:59", "2026-11-26"),
        ("2026-11-27T00:00:00", "2026-11-27"),
        ("2026-11-27T00:00:30", "2026-11-27"),
    ],
)
def test_a_check_in_around_midnight_lands_on_the_local_day(connect, tz, now, expected_day):
    connect("add", "Talk", now="2026-11-20T09:00", env=tz)
    assert connect("done", "talk", now=now, env=tz).code == 0
    log = connect("log", "--json", now=now, env=tz).json()
    assert [entry["date"] for entry in log] == [expected_day]


@pytest.mark.parametrize(
    "now, week_start",
    [
        ("2026-11-29T23:59", "2026-11-23"),  # Sunday night still belongs to the week
        ("2026-11-30T00:00", "2026-11-30"),  # Monday 00:00 starts the next
        ("2026-12-31T23:00", "2026-12-28"),  # the week that crosses the year
        ("2027-01-03T12:00", "2026-12-28"),
        ("2027-01-04T00:01", "2027-01-04"),
    ],
)
def test_week_boundaries_and_the_turn_of_the_year(connect, tz, now, week_start):
    connect("add", "Talk", now="2026-11-01T09:00", env=tz)
    week = connect("week", "--json", now=now, env=tz).json()
    assert week["week_start"] == week_start


@pytest.mark.parametrize(
    "zone, first_day",
    [("Europe/Berlin", "2026-03-25"), ("America/New_York", "2026-03-04"), ("Australia/Lord_Howe", "2026-09-30")],
)
def test_a_daily_streak_runs_straight_through_a_daylight_saving_change(connect, zone, first_day):
    from datetime import date, timedelta

    env = {"TZ": zone}
    start = date.fromisoformat(first_day)
    connect("add", "Talk", now=f"{first_day}T09:00", env=env)
    for n in range(8):  # the change happens on day 4 (a Sunday)
        assert connect("done", "talk", now=f"{start + timedelta(days=n)}T02:30", env=env).code == 0
    last = start + timedelta(days=7)
    row = connect("week", "--json", now=f"{last}T23:30", env=env).json()["habits"][0]
    assert (row["streak"], row["best_streak"]) == (8, 8)


@pytest.mark.parametrize(
    "zone, day, expected",
    [
        ("Europe/Berlin", "2026-03-29", "03:00"),  # 02:30 does not exist: the first valid time
        ("America/New_York", "2026-03-08", "03:00"),
        ("Australia/Lord_Howe", "2026-10-04", "02:30"),  # a 30-minute jump
        ("Europe/Berlin", "2026-10-25", "02:30"),  # exists twice: the first one
    ],
)
def test_connect_remind_puts_a_reminder_in_a_dst_gap_at_the_first_valid_time(connect, zone, day, expected):
    env = {"TZ": zone}
    connect("add", "Night owl", "--at", "02:30", now=f"{day}T00:00", env=env)
    items = connect("remind", "--json", now=f"{day}T00:05", env=env).json()
    first = items[0]
    assert (first["date"], first["at"], first["status"]) == (day, "02:30", "will_fire")
    assert first["time"][11:16] == expected
