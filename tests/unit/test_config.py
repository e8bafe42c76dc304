"""config.toml: the Config record, and the small reader that spares a start-up the cost of tomllib.

`_read_simple_toml` must be correct or decline: for any text it returns either None (tomllib
decides) or exactly what `tomllib.loads` returns, types and key order included; and it must
accept everything `save_config` writes, or the CLI pays for tomllib after all.
"""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from connect_habits.errors import DataFileError
from connect_habits.storage import config as config_module
from connect_habits.storage.config import (
    Config,
    _read_simple_toml,
    _toml_value,
    load_config,
    save_config,
)

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed(value):
    """`value` with every type spelled out: True == 1 and 1 == 1.0 in Python, but not in TOML."""
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])  # key order too
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    if isinstance(value, float):
        return ("float", repr(value))  # nan == nan, -0.0 != 0.0
    return (type(value).__name__, value)


def tomllib_result(text: str):
    """tomllib's answer: ("ok", typed value) or ("error", the exception's type)."""
    try:
        return ("ok", typed(tomllib.loads(text)))
    except Exception as error:  # noqa: BLE001 - a ValueError for huge ints counts as well
        return ("error", type(error))


def assert_agrees(text: str):
    """The reader declines, or returns exactly what tomllib returns; never a value where tomllib fails."""
    fast = _read_simple_toml(text)
    if fast is None:
        return None
    assert tomllib_result(text) == ("ok", typed(fast)), f"the reader got {text!r} wrong: {fast!r}"
    return fast


def saved_text(config: Config) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        save_config(path, config)
        return path.read_bytes().decode("utf-8")


# ---------------------------------------------------------------- strategies

TRICKY = st.sampled_from(
    [
        "",
        " ",
        '"',
        "\\",
        '\\"',
        '"\\',
        "\\u0022",
        "\\n",
        "\\\\u0041",
        "#",
        " = ",
        "[",
        "]",
        ", ",
        "'",
        "'''",
        '"""',
        "\x00",
        "\x1f",
        "\x7f",
        "\t",
        "\r",
        "\n",
        "\r\n",
        "\x85",
        "\u2028",
        "\ufeff",
        "😀",
        "👩\u200d👩\u200d👧",
        "é",
        "e\u0301",
        "\U0010ffff",
        "\ud7ff",
        "\ue000",
        'Tom\'s "walk"',
        "C:\\Users\\sam",
        "a = 1",
        "[x]",
        "true",
        "-12",
    ]
)
NAMES = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from("\"\\\x00\x01\x1f\x7f\x85\n\r\t u#=[],'")),
    TRICKY,
    st.lists(TRICKY, max_size=5).map("".join),
)
# The keys the reader checks itself (a bad value there is refused, tests/unit/test_daystart.py) are left out.
CHECKED_KEYS = ("partners", "week_start", "day_starts")
BARE_KEY = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12
).filter(lambda key: key not in CHECKED_KEYS)
INTS = st.integers(-(10**18 - 1), 10**18 - 1)
SCALARS = st.one_of(NAMES, INTS, st.booleans())
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=5))
CONFIGS = st.builds(
    Config,
    partners=st.lists(NAMES, max_size=4).map(tuple),
    week_start=st.sampled_from(["monday", "sunday"]),
    extra=st.dictionaries(BARE_KEY, VALUES, max_size=6),
)

# Anything save_config may write, including what the reader leaves to tomllib (floats, huge ints,
# nested lists, keys that are not bare).
ANY_SCALAR = st.one_of(SCALARS, st.integers(), st.floats())
ANY_VALUE = st.recursive(ANY_SCALAR, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
ANY_KEY = st.one_of(BARE_KEY, st.text(max_size=6), st.sampled_from(["a.b", '"a"', "'a'", "a b", "a=b", "#"])).filter(
    lambda key: key not in CHECKED_KEYS
)
ANY_CONFIGS = st.builds(
    Config,
    partners=st.lists(NAMES, max_size=3).map(tuple),
    week_start=st.sampled_from(["monday", "sunday"]),
    extra=st.dictionaries(ANY_KEY, ANY_VALUE, max_size=5),
)

# Pieces of TOML, good and bad, to build lines from.
TOKENS = st.sampled_from(
    [
        "a",
        "key",
        "b-c",
        "_",
        "1",
        "partners",
        "week_start",
        "a.b",
        '"a"',
        "'a'",
        " ",
        "  ",
        "\t",
        "=",
        " = ",
        " =",
        "= ",
        '"x"',
        '""',
        '"""',
        "'''",
        "'x'",
        '"\\u00e9"',
        '"\\U0001F600"',
        '"\\x41"',
        '"\\ud800"',
        '"\\uDFFF"',
        '"\\u12"',
        '"\\e"',
        '"\\ "',
        '"\\',
        "\\",
        '"',
        "true",
        "false",
        "True",
        "0",
        "-0",
        "+1",
        "-12",
        "007",
        "1_000",
        "0x10",
        "0o7",
        "0b1",
        "1.5",
        "1e3",
        "-1e-3",
        "inf",
        "-inf",
        "nan",
        "1979-05-27",
        "07:32:00",
        "1979-05-27T07:32:00Z",
        "[",
        "]",
        "[]",
        "[[",
        "]]",
        ", ",
        ",",
        "12",
        "[1, 2]",
        "[1,2]",
        "[1,23]",
        "[1, ]",
        '["a", "b"]',
        "[[1]]",
        "{",
        "}",
        "{a = 1}",
        "#",
        "# c",
        "\n",
        "\r\n",
        "\r",
        "\x00",
        "\x7f",
        "\ufeff",
        "é",
        "😀",
        "99999999999999999999",
    ]
)
TOKEN_TEXTS = st.lists(TOKENS, max_size=24).map("".join)
LINES = st.lists(
    st.tuples(BARE_KEY, st.sampled_from([" = ", "=", " =", "  = "]), TOKENS).map("".join) | TOKEN_TEXTS,
    max_size=6,
).map("\n".join)
EDIT_CHARS = st.sampled_from(list("\"\\'#=[],. \t\r\n\x00\x7fux0123456789-+_eE{}:TZabt\ufeffé😀"))


@st.composite
def mutated_texts(draw):
    """A file save_config wrote, with a few characters inserted, deleted or replaced."""
    text = draw(st.one_of(CONFIGS, ANY_CONFIGS).map(saved_text))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(EDIT_CHARS)
        if edit == "insert":
            text = text[:at] + char + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    return text


# ---------------------------------------------------------------- properties


@FUZZ
@given(CONFIGS)
def test_reader_reads_everything_save_config_writes_exactly_as_tomllib(config):
    text = saved_text(config)
    fast = _read_simple_toml(text)
    assert fast is not None, f"the reader declined a file save_config wrote: {text!r}"
    assert typed(fast) == typed(tomllib.loads(text))


@FUZZ
@given(CONFIGS)
def test_load_config_gives_back_what_save_config_wrote(config):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        save_config(path, config)
        loaded = load_config(path)
    assert type(loaded) is Config
    assert loaded.partners == config.partners and loaded.week_start == config.week_start
    assert typed(loaded.extra) == typed(config.extra)


@FUZZ
@given(ANY_CONFIGS)
def test_reader_agrees_with_tomllib_on_anything_save_config_writes(config):
    try:
        text = saved_text(config)
    except TypeError:  # a value save_config cannot write
        assume(False)
    assert_agrees(text)


@FUZZ
@given(st.one_of(st.text(), TOKEN_TEXTS, LINES, mutated_texts()))
def test_reader_declines_or_agrees_with_tomllib_on_any_text(text):
    assert_agrees(text)


@FUZZ
@given(mutated_texts())
def test_load_config_is_the_same_with_and_without_the_reader(text):
    assert load_outcome(text.encode("utf-8"), fast=True) == load_outcome(text.encode("utf-8"), fast=False)


# ---------------------------------------------------------------- hand-edited files

ACCEPTED = [  # the reader's own subset: no tomllib needed
    "",
    "\n",
    "# connect settings (https://toml.io)\n",
    'partners = ["Ana", "Ben"]\nweek_start = "sunday"\n',
    'partners = ["Ana", "Ben"]\nweek_start = "sunday"',  # no newline at the end
    '# mine\n\n\npartners = []\n\n# the daemon\ngrace = "3h"\n',
    '#no space after the hash = "x"\npartners = ["Ana"]\n',
    "#\n#\n",
    'a = ""\nb = "\\"\\\\\\b\\t\\n\\f\\r"\n',
    'a = "\\u00e9\\u00E9\\u0000\\u001f\\u007f\\uffff\\ud7ff\\ue000"\n',
    'a = "\\\\u0041"\n',  # an escaped backslash, then the letters u0041
    'a = "# not a comment"\n',
    'a = "x = 1, [y]"\n',
    'a = "tab\\there"\n',
    'a = "é 😀 \u2028 \x85 \ufeff"\n',  # any non-ASCII character, raw
    "a = 0\nb = -0\nc = -12\nd = 123456789012345678\ne = -123456789012345678\n",
    "a = true\nb = false\n",
    'a = [1, "two", true]\n',
    "a = []\n",
    'a = ["x", "y"]\n',
    "a = [1, -2, 3]\n",
    "A-b_9 = 1\n123 = 2\ntrue = 3\n-- = 4\n",  # bare keys may look like anything
]

DECLINED = [  # left to tomllib, which reads them or says why not
    "\ufeffpartners = []\n",  # BOM
    'partners = ["Ana"]\r\nweek_start = "sunday"\r\n',  # CRLF
    "a = 1 # trailing comment\n",
    "a = 1 \n",  # trailing space
    "  a = 1\n",
    "\ta = 1\n",
    "a\t= 1\n",
    "a =\t1\n",
    'a = "tab\there"\n',
    "a=1\n",
    "a  =  1\n",
    "  # an indented comment\n",
    "[table]\na = 1\n",
    "a = 1\n[table]\nb = 2\n",
    "[[array_of_tables]]\n",
    "a.b = 1\n",
    "a . b = 1\n",
    '"quoted" = 1\n',
    "'literal' = 1\n",
    '"" = 1\n',
    "a = 'literal'\n",
    "a = 'C:\\path'\n",
    'a = """multi\nline"""\n',
    'a = """one line"""\n',
    "a = '''x'''\n",
    'a = "\\U0001F600"\n',
    'a = "\\x41"\n',
    'a = "\\e"\n',
    'a = "\\ "\n',
    'a = "\\ud800"\n',  # a surrogate: tomllib refuses
    'a = "\\uDFFF"\n',
    'a = "\\u12"\n',
    'a = "\\u12g4"\n',
    'a = "unterminated\n',
    'a = "x" "y"\n',
    "a = inf\n",
    "a = -inf\n",
    "a = nan\n",
    "a = +nan\n",
    "a = 1.5\n",
    "a = 1e3\n",
    "a = -0.0\n",
    "a = 1.\n",
    "a = 1_000\n",
    "a = 0x10\n",
    "a = 0o17\n",
    "a = 0b101\n",
    "a = +1\n",
    "a = 007\n",
    "a = -\n",
    "a = 1234567890123456789\n",  # more digits than the reader takes
    "a = " + "9" * 5000 + "\n",  # int() refuses it: tomllib's ValueError stays as it was
    "a = 1979-05-27\n",
    "a = 07:32:00\n",
    "a = 1979-05-27T07:32:00Z\n",
    "a = 1979-05-27 07:32:00\n",
    "a = True\n",
    "a = truex\n",
    "a = true false\n",
    "a = 1\na = 2\n",  # a duplicate key
    'a = 1\nb = 2\na = "x"\n',
    'partners = [\n  "Ana",\n  "Ben",\n]\n',
    "a = [1,2]\n",
    "a = [1,22]\n",
    'a = ["a","b"]\n',
    "a = [true,false]\n",
    "a = [ 1, 2 ]\n",
    "a = [1, 2,]\n",
    "a = [1, 2, ]\n",
    "a = [, 1]\n",
    "a = [1 , 2]\n",
    "a = [[1, 2], [3]]\n",
    "a = [1, [2]]\n",
    "a = [\n]\n",
    "a = [1\n",
    "a = {b = 1}\n",
    "a = {}\n",
    "a = \n",
    "a =\n",
    "a\n",
    " = 1\n",
    "= 1\n",
    "a = = 1\n",
    "a b = 1\n",
    "é = 1\n",  # not a bare key in TOML
    "a = 1\x00\n",
    'a = "\x7f"\n',
    "# a comment with \x01\n",
    "a = 1\rb = 2\n",
    'a = "x"\x0c\n',
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_reader_reads_the_plain_hand_edits(text):
    assert assert_agrees(text) is not None, f"the reader declined {text!r}"


@pytest.mark.parametrize("text", DECLINED)
def test_reader_leaves_the_rest_to_tomllib(text):
    assert _read_simple_toml(text) is None
    assert_agrees(text)


def test_the_examples_are_the_cases_they_claim():
    """The declined examples include both files tomllib reads and files it refuses."""
    outcomes = {tomllib_result(text)[0] for text in DECLINED}
    assert outcomes == {"ok", "error"}
    assert all(tomllib_result(text)[0] == "ok" for text in ACCEPTED)


def test_reader_keeps_the_order_and_the_types():
    fast = _read_simple_toml('b = 1\na = true\nc = [1, true, "1"]\n')
    assert list(fast) == ["b", "a", "c"]
    assert [type(v) for v in fast["c"]] == [int, bool, str]
    assert type(fast["a"]) is bool and type(fast["b"]) is int


def test_every_value_save_config_writes_for_a_string_is_read_back():
    every_ascii = "".join(map(chr, range(128)))
    text = f"a = {_toml_value(every_ascii)}\n"
    assert _read_simple_toml(text) == {"a": every_ascii} == tomllib.loads(text)


# ---------------------------------------------------------------- load_config, with and without the reader


def load_outcome(raw: bytes, fast: bool):
    """What load_config makes of a file: the Config's parts, or the error's class and message."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(raw)
        original = config_module._read_simple_toml
        if not fast:
            config_module._read_simple_toml = lambda text: None
        try:
            loaded = load_config(path)
        except Exception as error:  # noqa: BLE001 - the exact error is what is compared
            return ("error", type(error), str(error).replace(folder, "<home>"))
        finally:
            config_module._read_simple_toml = original
        return ("ok", loaded.partners, loaded.week_start, typed(loaded.extra))


LOAD_CASES = [
    *(text.encode("utf-8") for text in ACCEPTED + DECLINED),
    b'partners = "Ana"\n',
    b"partners = [1, 2]\n",
    b'partners = ["Ana", 2]\n',
    b'week_start = "tuesday"\n',
    b"week_start = 1\n",
    b'week_start = "Sunday"\n',
    b'partners = ["\xff"]\n',  # not UTF-8
    b"\xef\xbb\xbfpartners = []\n",  # a UTF-8 BOM
    'partners = ["Zoë", "\\u0041"]\nweek_start = "sunday"\nsync_folder = "/x"\ngrace = 30\n'.encode(),
]


@pytest.mark.parametrize("raw", LOAD_CASES)
def test_load_config_is_unchanged_by_the_reader(raw):
    assert load_outcome(raw, fast=True) == load_outcome(raw, fast=False)


def test_load_config_errors_name_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'partners = ["Ana"]\na = [1,\n\nb = 2\n')
    with pytest.raises(DataFileError, match=r"The config file .*config\.toml does not parse \(.*line 4"):
        load_config(path)
    path.write_bytes(b"a = \xff\n")
    with pytest.raises(DataFileError, match=r"does not parse \('utf-8' codec can't decode"):
        load_config(path)


def test_missing_file_means_defaults(tmp_path):
    assert load_config(tmp_path / "nothing.toml") == Config()


def _fresh_python(code: str) -> str:
    src = Path(config_module.__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(src)}
    )
    return result.stdout.strip()


def test_reading_a_saved_config_does_not_import_tomllib(tmp_path):
    path = tmp_path / "config.toml"
    save_config(
        path,
        Config(
            partners=("Ana", 'B"en\\'),
            week_start="sunday",
            extra={"sync_folder": "/s", "device": "d1", "grace": "2h", "n": 3, "on": True},
        ),
    )
    code = (
        "import sys; from pathlib import Path; from connect_habits.storage.config import load_config; "
        f"c = load_config(Path({str(path)!r})); print('tomllib' in sys.modules, c.partners, c.extra['n'])"
    )
    assert _fresh_python(code) == "False ('Ana', 'B\"en\\\\') 3"


def test_a_hand_edited_config_still_reads_through_tomllib(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("partners = ['Ana']  # literal strings\n[daemon]\ngrace = 1_0\n")
    code = (
        "import sys; from pathlib import Path; from connect_habits.storage.config import load_config; "
        f"c = load_config(Path({str(path)!r})); print('tomllib' in sys.modules, c.partners, c.extra)"
    )
    assert _fresh_python(code) == "True ('Ana',) {'daemon': {'grace': 10}}"


def test_config_module_imports_no_heavy_module_at_the_top():
    tree = ast.parse(Path(config_module.__file__).read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            top.add(node.module.split(".")[0])
    assert not top & {"typing", "dataclasses", "tomllib", "inspect"}, top


# ---------------------------------------------------------------- the Config record


def test_config_is_not_a_dataclass():
    assert not dataclasses.is_dataclass(Config)


def test_config_defaults_and_keywords():
    config = Config()
    assert (config.partners, config.week_start, config.extra) == ((), "monday", {})
    config = Config(partners=("Ana",), week_start="sunday", extra={"grace": "1h"})
    assert (config.partners, config.week_start, config.extra) == (("Ana",), "sunday", {"grace": "1h"})
    assert Config(("Ana",), "sunday") == Config(partners=("Ana",), week_start="sunday", extra={})
    assert Config(week_start="sunday").first_weekday == 6 and Config().first_weekday == 0
    assert repr(Config(partners=("A",))) == "Config(partners=('A',), week_start='monday', extra={})"


def test_each_config_has_its_own_extra():
    first, second = Config(), Config(partners=("Ana",))
    first.extra["sync_folder"] = "/x"
    assert second.extra == {} and Config().extra == {}
    given_extra = {"a": 1}
    assert Config(extra=given_extra).extra is given_extra


def test_config_is_immutable():
    config = Config()
    with pytest.raises(AttributeError):
        config.partners = ("Ana",)
    with pytest.raises(AttributeError):
        config.other = 1  # __slots__: no instance dict


def test_with_partners_and_replace_keep_the_rest():
    config = Config(partners=("Ana",), week_start="sunday", extra={"grace": "1h"})
    changed = config.with_partners(("Ben",))
    assert type(changed) is Config
    assert changed == Config(partners=("Ben",), week_start="sunday", extra={"grace": "1h"})
    assert config.partners == ("Ana",)
    replaced = config._replace(partners=("Cy",), extra={"me": "Cy"})
    assert type(replaced) is Config and replaced.week_start == "sunday" and replaced.extra == {"me": "Cy"}


def test_config_survives_pickle_and_copy():
    import copy
    import pickle

    config = Config(partners=("Ana",), week_start="sunday", extra={"n": [1]})
    assert pickle.loads(pickle.dumps(config)) == config
    deep = copy.deepcopy(config)
    assert deep == config and deep.extra is not config.extra
