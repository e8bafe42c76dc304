"""The command line: the console script, the fast path, the Typer app, one module per group of commands."""
