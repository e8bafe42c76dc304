"""The package's start-up trims: pathlib without urllib.parse, and nothing else changed by it."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import connect_habits
import pathlib
assert "pathlib" in sys.modules
assert "urllib.parse" not in sys.modules and "ipaddress" not in sys.modules, "urllib.parse was imported"
uri = pathlib.Path("/tmp/a b/ü#?.json").as_uri()
import urllib.parse
assert urllib.parse.quote("a b") == "a%20b" and hasattr(urllib.parse, "urlsplit")
from urllib.parse import quote_from_bytes
assert pathlib.urlquote_from_bytes is not quote_from_bytes  # pathlib's own stand-in, which calls the real one
print(uri)
"""


def test_pathlib_loads_without_urllib_parse_and_as_uri_still_quotes():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "file:///tmp/a%20b/%C3%BC%23%3F.json"


def test_with_pathlib_loaded_first_nothing_is_replaced():
    code = "import pathlib, urllib.parse, connect_habits; assert pathlib.urlquote_from_bytes is urllib.parse.quote_from_bytes"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
