"""Reproducible connect homes with 0 to 10 years of history, written through connect's own store API."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20261126
PARTNERS = ("Alex", "Sam")
NOTES = (
    "board games, phones in the drawer",
    "long one tonight",
    "talked about the summer",
    "rain, did it inside",
    "short but good",
    "Sam's idea",
    "laughed a lot",
    "tired, still did it",
)
SKIP_REASONS = ("visiting family", "sick", "travel", "")


@dataclass(frozen=True)
class Spec:
    """One habit of the benchmark plan and how faithfully the couple keeps it."""

    name: str
    every: str | None = None  # a cadence as `--every` takes it; None for a per-week goal
    goal: str | None = None  # a minutes goal as `--goal` takes it
    at_offset: int | None = None  # reminder `at`, in hours from the time of generation
    done: float = 0.9  # chance of a check-in on a due day
    sessions: tuple[int, ...] = (1,)  # minutes habits: how many check-ins a logged day gets (picked at random)


# 20 habits: 10 daily, 4 day lists, 2 N/week, 2 per-day and 2 per-week minutes goals; about one check-in
# per habit and day in all (minutes habits are often logged in several sittings a day).
PLAN = (
    Spec("Tech-free dinner", "daily", at_offset=2, done=0.95),
    Spec("Say thank you", "daily", at_offset=3, done=0.97),
    Spec("Morning coffee together", "daily", done=0.95),
    Spec("Hug before leaving", "daily", done=0.98),
    Spec("Phone-free bedtime", "daily", at_offset=5, done=0.9),
    Spec("One compliment", "daily", done=0.93),
    Spec("Ask about the day", "daily", done=0.96),
    Spec("Kiss goodnight", "daily", done=0.98),
    Spec("Share a highlight", "daily", at_offset=7, done=0.92),
    Spec("Tidy up together", "daily", done=0.9),
    Spec("Walk together", "mon,wed,sat", at_offset=4, done=0.85),
    Spec("Gratitude note", "weekdays", done=0.9),
    Spec("Stretch together", "mon,wed,fri", done=0.8),
    Spec("Call family", "weekends", done=0.85),
    Spec("Weekly check-in", "weekly", at_offset=8, done=0.9),
    Spec("Cook together", "3/week", done=0.85),
    Spec("Ten-minute talk", "daily", goal="30m/day", at_offset=6, done=0.93, sessions=(2, 3, 3, 4)),
    Spec("Read aloud", "daily", goal="20m/day", done=0.9, sessions=(2, 3, 3, 4)),
    Spec("Tech-free time", goal="2h/week", at_offset=9, done=0.85, sessions=(1, 2, 3)),
    Spec("Reading together", goal="1h30m/week", done=0.85, sessions=(1, 2, 3)),
)

DONE_HABIT = "tech-free-dinner"  # the habit `connect done` and `connect stats` are timed on (daily, ~3,500 check-ins at 10 years)
SKIP_HABIT = "say-thank-you"  # the habit `connect skip` sets today aside on


def years_ago(today: date, years: int) -> date:
    """The same calendar day `years` years before `today` (28 Feb for a 29 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def reminder_times(now: datetime) -> dict[str, str]:
    """Each reminder `at`, whole hours after `now`: never due (nor just missed) while the benchmark runs."""
    return {s.name: f"{(now.hour + s.at_offset) % 24:02d}:{now.minute:02d}" for s in PLAN if s.at_offset is not None}


def generate(home: Path, years: int, today: date, at_times: dict[str, str]) -> dict:
    """Write a home holding PLAN with `years` of history up to yesterday (today is left open); return counts."""
    # Import after CONNECT_HOME is set, and only here: the paths and store read it.
    os.environ["CONNECT_HOME"] = str(home)
    from connect_habits.core.model import (
        WEEKLY,
        CheckIn,
        Habit,
        Skip,
        new_id,
        parse_cadence,
        parse_goal,
        parse_time,
        slugify,
    )
    from connect_habits.storage.paths import resolve_paths
    from connect_habits.storage.store import Store

    rng = random.Random(f"{SEED}-{years}")
    start = years_ago(today, years)
    paths = resolve_paths()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The starter config `connect init` writes, plus a weekly summary that never falls in the measured minutes.
    summary_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(today.weekday() + 3) % 7]
    paths.config_file.write_text(
        f'partners = ["{PARTNERS[0]}", "{PARTNERS[1]}"]\nweek_start = "monday"\nsummary_at = "{summary_day} 19:00"\n'
    )

    habits, checkins, skips = [], [], []
    for spec in PLAN:
        # As `connect add` builds it (actions.new_habit): a per-week goal sets a weekly rhythm.
        goal = parse_goal(spec.goal) if spec.goal else None
        cadence = WEEKLY if goal and goal.per == "week" else parse_cadence(spec.every or "daily")
        at = (parse_time(at_times[spec.name]),) if spec.name in at_times else ()
        habits.append(
            Habit(
                id=new_id(), name=spec.name, slug=slugify(spec.name), cadence=cadence, created=start, goal=goal, at=at
            )
        )

    # A week away every year (all habits), and a few single days set aside per habit.
    holidays = set()
    for year in range(years):
        first = start + timedelta(days=365 * year + rng.randrange(330))
        holidays.update(first + timedelta(days=i) for i in range(7))

    days = [start + timedelta(days=i) for i in range((today - start).days)]  # up to yesterday
    for habit, spec in zip(habits, PLAN):
        per_week = habit.cadence.per_week
        for day in days:
            if day in holidays or rng.random() < 0.01:
                if day in holidays or rng.random() < 0.5:
                    skips.append(
                        Skip(
                            id=new_id(),
                            habit_id=habit.id,
                            day=day,
                            reason="visiting family" if day in holidays else rng.choice(SKIP_REASONS),
                        )
                    )
                continue
            if habit.goal is not None and habit.goal.per == "week":
                chance = spec.done
            elif per_week:  # any N days of the week: spread the target over the week
                chance = spec.done * per_week / 7
            elif day.weekday() in habit.cadence.weekdays:
                chance = spec.done
            else:
                chance = 0.02  # a check-in on a day that is not due: kept in the log, off the streak
            if rng.random() >= chance:
                continue
            for _ in range(rng.choice(spec.sessions) if habit.goal else 1):
                checkins.append(_checkin(CheckIn, new_id, rng, habit, day))

    with Store(paths).transaction() as tx:
        for habit in habits:
            tx.add_habit(habit)
        tx.add_checkins(checkins)
        tx.add_skips(skips)
    return {"habits": len(habits), "checkins": len(checkins), "skips": len(skips), "start": start}


def _checkin(CheckIn, new_id, rng: random.Random, habit, day: date):
    """One check-in as `connect done` records it: logged that evening, or backfilled the next morning."""
    logged = datetime.combine(day, datetime.min.time()) + timedelta(hours=18, seconds=rng.randrange(5 * 3600))
    if rng.random() < 0.05:  # `connect done NAME --date yesterday`
        logged = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(
            hours=7, seconds=rng.randrange(3 * 3600)
        )
    minutes = None
    if habit.goal is not None:
        minutes = rng.choice((10, 15, 20, 25, 30, 45, 60)) if habit.goal.per == "week" else rng.choice((10, 15, 20, 30))
    return CheckIn(
        id=new_id(),
        habit_id=habit.id,
        day=day,
        logged_at=logged.isoformat(timespec="seconds"),
        minutes=minutes,
        note=rng.choice(NOTES) if rng.random() < 0.15 else "",
        source="cli",
        by=None,
    )


SHARED = "10 y × 2, sealed"  # the history label of the shared home: ten years on each of two devices


def generate_shared(work: Path, today: date, at_times: dict[str, str], connect: str, env: dict) -> tuple[Path, dict]:
    """Two devices sharing a sealed folder, each with ten years of check-ins on the same habits; Sam's home is timed.

    Alex's home is generated as the private ones are and shared with `connect sync init`; Sam joins with
    the pairing code, and Sam's own ten years are added through the store (which seals them). The shared
    folder lies inside Sam's home, so putting the home back restores it too.
    """
    import subprocess

    alex, sam = work / "shared-alex", work / "shared-sam"
    counts = generate(alex, 10, today, at_times)
    folder = sam / "shared-folder"

    def run(home: Path, *args: str) -> str:
        done = subprocess.run([connect, *args], env={**env, "CONNECT_HOME": str(home)}, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"`connect {' '.join(args)}` failed: {done.stderr.strip()}")
        return done.stdout

    sam.mkdir(mode=0o700)
    code = run(alex, "sync", "init", str(folder), "--me", PARTNERS[0]).splitlines()[-1]
    run(sam, "sync", "join", str(folder), "--me", PARTNERS[1], "--code", code)

    os.environ["CONNECT_HOME"] = str(sam)
    from connect_habits.core.model import CheckIn, new_id
    from connect_habits.storage.config import load_config
    from connect_habits.storage.paths import resolve_paths
    from connect_habits.storage.store import Store

    paths = resolve_paths()
    store = Store(paths, load_config(paths.config_file))
    snapshot = store.load()
    rng = random.Random(f"{SEED}-shared")
    start = years_ago(today, 10)
    checkins = [
        _checkin(CheckIn, new_id, rng, habit, start + timedelta(days=i))._replace(by=snapshot.me)
        for habit in snapshot.habits
        if habit.goal is None
        for i in range((today - start).days)
        if rng.random() < 0.5
    ]
    with store.transaction() as tx:
        tx.add_checkins(checkins)
    return sam, {**counts, "checkins": counts["checkins"] + len(checkins), "start": start}
