"""Foreign formats, one module each: our JSON backup, CSV, iCalendar, Loop Habit Tracker."""
