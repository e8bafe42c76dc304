"""Pure rules: habits, cadences, histories, streaks, the week, stats, folds, reminders' rules, the couple, words."""
