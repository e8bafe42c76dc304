"""The public JSON forms of the command line's answers: `week --json`, `stats --json`, `list --json`.

Other tools read these: a field's name and meaning is a contract (README lists them)."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.model import Habit
from ..core.week import WeekSummary
from ..core.words import person_name
from .render import run_end, who_text


def week_json(summary: WeekSummary) -> dict:
    """The public JSON form of a weekly summary (`connect week --json`); partners by name."""
    names = summary.names or {}

    def name(person: str | None) -> str | None:
        return None if person is None else names.get(person, person_name(person))

    return {
        "week_start": summary.week_start.isoformat(),
        "week_end": summary.week_end.isoformat(),
        "today": summary.today.isoformat(),
        "habits": [
            {
                "name": row.habit.name,
                "slug": row.habit.slug,
                "group": row.habit.group or None,
                "who": who_text(row.habit.who, names),
                "person": name(row.person),
                "cadence": str(row.habit.cadence),
                "goal": row.habit.goal.as_dict() if row.habit.goal else None,
                "limit": row.habit.limit.as_dict() if row.habit.limit else None,
                "streak": row.streak,
                "best_streak": row.best_streak,
                "streak_unit": row.streak_unit,
                "progress": {"done": row.progress.done, "target": row.progress.target, "unit": row.progress.unit},
                "days": {day.isoformat(): status for day, status in row.days.items()},
                "by": {day.isoformat(): sorted(name(p) for p in people) for day, people in (row.by or {}).items()},
            }
            for row in summary.habits
        ],
    }


def stats_json(result) -> dict:
    """The public JSON form of one habit's stats (`connect stats NAME --json`)."""
    return {
        "name": result.habit.name,
        "slug": result.habit.slug,
        "group": result.habit.group or None,
        "streak": result.streak,
        "best_streak": result.best_streak,
        "streak_unit": result.streak_unit,
        "strength": round(result.strength, 4),
        "best_streaks": [
            {"length": r.length, "first": r.first.isoformat(), "last": run_end(r, result.habit).isoformat()}
            for r in result.best_streaks
        ],
        "completion": {str(k): v for k, v in result.rates.items()},
        "weekdays": dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), result.weekdays)),
        "calendar": {d.isoformat(): status for week in result.calendar for d, status in week},
        "starts": result.habit.starts and result.habit.starts.isoformat(),
        "ends": result.habit.ends and result.habit.ends.isoformat(),
        "finished": result.result is not None and result.result.finished,
        "result": _result_json(result.result),
    }


def habit_json(habit: Habit, names: Mapping[str, str] | None = None, result=None) -> dict:
    """The public JSON form of a habit (`connect list --json`): `who` is together, each or the partner's name;
    a challenge's `result` (core/challenges.py) and whether it is `finished`; its position is the list's order."""
    over = result is not None and result.finished
    shown = {k: v for k, v in habit.as_dict().items() if k != "position"}
    return shown | {"who": who_text(habit.who, names), "finished": over, "result": _result_json(result)}


def _result_json(result) -> dict | None:
    return None if result is None else result.as_dict()
