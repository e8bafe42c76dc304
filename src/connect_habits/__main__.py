"""`python -m connect_habits` runs the CLI."""

from .cli.entry import main

main()
