"""Every error a user can cause: one sentence and an exit code, never a traceback."""


class ConnectError(Exception):
    """A user-caused error: `message` is one sentence for stderr, `exit_code` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(ConnectError):
    """A name, date, cadence, goal, time or duration the user typed does not parse."""


class HabitNotFound(ConnectError):
    """No habit matches the name the user gave (`query`, when it was a habit's name that was looked for)."""

    def __init__(self, message: str, query: str | None = None):
        super().__init__(message)
        self.query = query


class AmbiguousHabit(ConnectError):
    """More than one habit matches a prefix."""


class DuplicateHabit(ConnectError):
    """A habit with that name already exists."""


class DataFileError(ConnectError):
    """The data file cannot be read, is damaged, or comes from a newer version."""


class UsageError(ConnectError):
    """Options that cannot go together; the same exit code as a command-line usage error."""

    exit_code = 2
