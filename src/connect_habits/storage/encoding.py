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


def encode_all(datas: list[dict]) -> list[bytes]:
    """encode() of each data file's contents; many files at once by orjson, where it writes them as json does."""
    if len(datas) >= ENCODE_MANY_FROM:
        encoded = _by_orjson(datas)
        if encoded is not None:
            return encoded
    return [encode(data) for data in datas]


def _by_orjson(datas: list[dict]) -> list[bytes] | None:
    """orjson's bytes: json's, but for a float's exponent (1e16 for 1e+16, the same number); None where it declines.

    It declines an integer past 64 bits and text that is not UTF-8 (json writes the one, refuses the other as
    ever), and is made to decline what json cannot write (a date, a subclass): json refuses them as ever. A NaN
    would differ (null, not NaN), but none is ever here: an amount is checked on the way in, and NaN is none.
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
