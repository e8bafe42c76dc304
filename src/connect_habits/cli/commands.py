"""Every command module: importing this declares every command (spec.COMMANDS), without Typer."""

from . import (  # noqa: F401  (they declare the commands)
    ask,
    completion,
    everyday,
    firstrun,
    habits,
    log,
    partners,
    reminders,
    rituals,
    settings,
    sharing,
    talk,
    today,
    transfer,
)
