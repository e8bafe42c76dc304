"""connect: a habit tracker and reminder daemon for couples who want to rebuild closeness."""

__version__ = "0.1.0"
