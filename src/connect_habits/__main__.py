"""`python -m connect_habits` runs the CLI."""

from .entry import main

main()
