"""Long JSON in a fraction of the time: `json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)` byte for
byte (`indented_json`), the check of the types of many records' fields (`type_problem`), and reading by orjson
what json would read the same (`quick_loads`).

With `indent`, json encodes in Python, one call per value: ten years of check-ins take a second. A list of
flat records (every value text, a number, true, false or null) is encoded here by json's C encoder instead,
with a line break and the record's indent as the separator between items, and then laid out as indent=2
lays it out. A line break written by the encoder is always a separator (one inside a string is written
`\\n`), a key always starts with `"` and a value never ends with `}`: so `},` + separator + `{` only ever
stands between two records.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from itertools import chain, repeat

_SCALARS = frozenset((str, int, float, bool, type(None)))


def indented_json(
    data: dict, flat: tuple[str, ...] = (), encoded: dict[str, str | list[str]] | None = None, end: str = ""
) -> str:
    """`data` as json.dumps writes it with indent=2, sorted keys and ensure_ascii=False (then `end`).

    `flat` names the keys of `data` that hold long lists of flat records: those are encoded at C speed
    (a list that is not all flat records is encoded the usual way, by flat_list). `encoded`: keys whose
    value is already written as they would be at the top level (flat_rows; or its pieces, rows_pieces),
    put in as they are. The text is joined once: ten years of a backup are not copied again for each key.
    """
    token = f"@flat-{os.urandom(16).hex()}-"  # stands in for the fast lists: nothing else can hold it
    fast = {key: "" for key in flat if isinstance(data.get(key), list)} | (encoded or {})
    rest = json.dumps(
        {key: f"{token}{key}" if key in fast else value for key, value in data.items()},
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )
    pieces: list[str] = []
    for key in sorted(fast):  # as sort_keys wrote them
        before, _, rest = rest.partition(json.dumps(f"{token}{key}", ensure_ascii=False))
        written = fast[key] or flat_list(data[key], 2)
        pieces += [before, written] if isinstance(written, str) else [before, *written]
    return "".join([*pieces, rest, end])


def flat_rows(keys: tuple[str, ...], columns: Sequence[Iterable[str]], count: int, indent: int) -> str:
    """flat_list of `count` records with these (sorted) keys, given column by column, each value already
    written as JSON: for lists of records whose values the caller writes faster than a dict per record
    would be encoded. The pieces are laid side by side in C (zip, chain, join): no Python runs per record.
    """
    return rows_list([row_block(keys, columns, count, indent)], indent)


def row_block(keys: tuple[str, ...], columns: Sequence[Iterable[str]], count: int, indent: int) -> str:
    """flat_rows' records without the list around them ("" for none): blocks of records made apart are
    put in one list by rows_list, as if they had been written together."""
    if not count:
        return ""
    item, field = "\n" + " " * (indent + 2), "\n" + " " * (indent + 4)
    names = [json.dumps(key, ensure_ascii=False) + ": " for key in keys]
    opening = "{" + field + names[0]  # the first record's; every later one is closed and opened at once
    between = item + "}," + item + opening
    labels = [between, *("," + field + name for name in names[1:])]
    pieces = chain.from_iterable(zip(*chain.from_iterable(zip(map(repeat, labels), columns))))
    next(pieces)
    return opening + "".join(pieces) + item + "}"


def rows_list(blocks: Iterable[str], indent: int) -> str:
    """Blocks of records (row_block) as one list, as json.dumps(indent=2) writes it at `indent`."""
    return "".join(rows_pieces(blocks, indent))


def rows_pieces(blocks: Iterable[str], indent: int) -> list[str]:
    """rows_list's text in pieces, to be joined once with what surrounds it (indented_json's `encoded`)."""
    item = "\n" + " " * (indent + 2)
    written = [block for block in blocks if block]
    if not written:
        return ["[]"]
    pieces = ["[" + item]
    for block in written:
        pieces += [block, "," + item]
    pieces[-1] = "\n" + " " * indent + "]"
    return pieces


def _all_flat(records: list) -> bool:
    """Whether every record is a dict with a field or more, each a text, a number, a boolean or None."""
    # map and chain rather than a generator: one pass in C over ten years of records.
    return (
        set(map(type, records)) <= {dict}
        and all(records)
        and set(map(type, chain.from_iterable(map(dict.values, records)))) <= _SCALARS
    )


def flat_list(records: list[dict], indent: int, sort_keys: bool = True) -> str:
    """A list of flat, non-empty records as indent=2 writes it when the list's key is at `indent` spaces.

    (A list that is not all flat, non-empty records is written by json.dumps itself.)
    """
    if not records:
        return "[]"
    if not _all_flat(records):
        return json.dumps(records, ensure_ascii=False, indent=2, sort_keys=sort_keys).replace("\n", "\n" + " " * indent)
    item, field = "\n" + " " * (indent + 2), "\n" + " " * (indent + 4)
    text = json.dumps(records, ensure_ascii=False, sort_keys=sort_keys, separators=("," + field, ": "))
    body = text[2:-2].replace("}," + field + "{", item + "}," + item + "{" + field)  # text is [{...}, {...}]
    return "[" + item + "{" + field + body + item + "}\n" + " " * indent + "]"


class _Missing:
    """The type of a field a record does not have."""


_MISSING = _Missing()
_PASSED: set[tuple] = set()  # record shapes (see type_problem) found right
_KEPT: dict[int, dict] = {}


def type_problem(record: dict, types: dict, optional: tuple | frozenset = ()) -> str | None:
    """None when each of `types`' fields of `record` is of a type it allows (a bool only where bool is named),
    else `has no 'KEY'` or `has an invalid 'KEY'`; a field in `optional` may be missing.

    Whether a record passes depends only on which fields it has and their types: a shape once passed passes.
    """
    shape = (id(types), *map(type, map(record.get, types, repeat(_MISSING))))
    if shape in _PASSED:
        return None
    for key, allowed in types.items():
        if key not in record:
            if key in optional:
                continue
            return f"has no '{key}'"
        value = record[key]
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            return f"has an invalid '{key}'"
    _PASSED.add(shape)
    _KEPT[id(types)] = types  # kept alive, so its id never names another dict
    return None


# orjson reads an integer past 64 bits as a float: from here on, a float may have been such an integer to json.
_PAST_64_BITS = 2.0**63


def quick_loads(raw: bytes) -> object:
    """orjson's reading of `raw` (ten years: 0.1 s where decoding and json take 0.15 to 0.2), or None where
    it refuses the text (not UTF-8, a byte order mark, NaN, a number past a double, too deep): json reads it then.

    Where it reads the text, it gives what json gives, but for an integer past 64 bits (a float here): see
    past_64_bits.
    """
    try:
        import orjson
    except ImportError:  # an install without it
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def past_64_bits(value: object) -> bool:
    """Whether `value` holds a float of 2**63 or more either way: maybe an integer json would have read as one."""
    pending = [value]  # a list, not recursion: orjson reads 1,024 levels deep, past Python's recursion limit
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            if not -_PAST_64_BITS < item < _PAST_64_BITS:
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
