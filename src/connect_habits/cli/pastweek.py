"""The reading `connect week` works from: the recent months, or for a week long past its own months from a past fold.

A past week shows its streaks as they stood at its end, and each habit's best streak up to today. Its
check-ins come from a fold at the first of its month (storage/pastfolds.py), the best streaks from this
month's reading: neither reads the years between.
"""

from __future__ import annotations

from .context import Context
from .output import warn_once


def week_reading(ctx: Context, first, when, today):
    """(snapshot, None) for weeks the recent months show; for weeks before the folds, (this month's
    snapshot, (the weeks' own reading from a past fold, every row's best streak up to today)).
    """
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.folds import fold_point
    from ..core.week import best_streaks
    from ..storage.pastfolds import load_past

    if min(first + timedelta(days=6), today) >= fold_point(today):
        return ctx.load(first, as_of=min(first + timedelta(days=6), today)), None
    snapshot = ctx.load(today)
    # To the day after the last week: a kept limit's streak is seen from there.
    past = load_past(ctx.store, first, min(week_start(when, ctx.config.first_weekday) + timedelta(days=7), today))
    if past is None:  # a folder only the whole read handles: the whole history
        return ctx.load(first, as_of=first + timedelta(days=6)), None
    from ..storage.private import overlay

    overlay(past, ctx.private_notes().notes)
    for warning in past.warnings:
        if warning not in snapshot.warnings:
            warn_once(warning)
            snapshot.warnings.append(warning)
    best = best_streaks(
        snapshot.habits,
        snapshot.checkins,
        snapshot.skips,
        today,
        ctx.config.first_weekday,
        snapshot.persons,
        snapshot.folds,
        snapshot.since,
    )
    return snapshot, (past, best)
