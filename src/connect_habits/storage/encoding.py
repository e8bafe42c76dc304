"""How data files become bytes: compact JSON, by json or, for many files at once, by orjson (the same bytes)."""

from __future__ import annotations

import json

# Files in one commit from which orjson encodes them (an import's or a restore's months): it writes ten years
# in 0.02 s where json takes 0.1 to 0.2 s, and its import (about 10 ms) would outweigh that on an everyday write.
ENCODE_MANY_FROM = 24


def encode(data: dict) -> bytes:
    """A data file's bytes. Decoded JSON holds no cycles: not looking for them is a quarter faster (a restore
    encodes ten years)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")


def encode_all(datas: list[dict], made_here: list[bool] | None = None) -> list[bytes]:
    """encode() of each data file's contents; many at once by orjson, where it writes them as json does.

    `made_here`: which files hold only records this process made and checked (an import's new months): orjson
    writes a NaN as null where json writes NaN, and an amount made here is never one; a record read from a file
    or a backup may hold one in a field connect does not read. The others, or all without it, go to json.
    """
    mine = made_here or [False] * len(datas)
    chosen = [data for data, made in zip(datas, mine) if made]
    encoded = _by_orjson(chosen) if len(chosen) >= ENCODE_MANY_FROM else None
    if encoded is None:
        return [encode(data) for data in datas]
    quick = iter(encoded)
    return [next(quick) if made else encode(data) for data, made in zip(datas, mine)]


def _by_orjson(datas: list[dict]) -> list[bytes] | None:
    """orjson's bytes: json's, but for a float's exponent (1e16 for 1e+16, the same number) and a NaN or an
    infinity (null); None where it declines.

    It declines an integer past 64 bits and text that is not UTF-8 (json writes the one, refuses the other as
    ever), and is made to decline what json cannot write (a date, a subclass): json refuses them as ever.
    """
    try:
        import orjson
    except ImportError:  # an install without it: json's bytes, more slowly
        return None
    as_json = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
    try:
        return [orjson.dumps(data, option=as_json) for data in datas]
    except orjson.JSONEncodeError:
        return None
