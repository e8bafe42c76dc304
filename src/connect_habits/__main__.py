"""`python -m connect_habits` runs the CLI."""

from .cli import main

main()
