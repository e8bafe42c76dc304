"""The couple's key: pairing codes that catch every typo, and sealed files that open only whole, here, with the key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connect_habits.storage.crypto import (
    CHECK_SYMBOLS,
    HEADER_BYTES,
    MAGIC,
    SYMBOLS,
    BadCode,
    Tampered,
    code_of,
    derive_key,
    is_sealed,
    key_id,
    parse_code,
    seal,
    sealed_with,
    unseal,
)

SECRET = bytes(range(16))
OTHER = bytes(range(1, 17))
NAME = "connect-0123456789ab.2026-11.json"
PLAIN = b'{"checkins":{"1":{"note":"I felt heard"}}}'


def test_a_code_is_27_symbols_in_groups_of_four_and_reads_back():
    code = code_of(SECRET)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 4, 4, 3]
    assert parse_code(code) == SECRET


@given(st.binary(min_size=16, max_size=16))
def test_every_secret_survives_its_code_typed_loosely(secret):
    code = code_of(secret)
    assert parse_code(code) == secret
    assert parse_code(code.lower().replace("-", " ")) == secret
    assert parse_code(code.replace("0", "O").replace("1", "l")) == secret  # read aloud, written down


@pytest.mark.parametrize("secret", [SECRET, OTHER, bytes(16), b"\xff" * 16])
def test_every_single_typo_and_every_swap_of_neighbours_is_refused(secret):
    symbols = code_of(secret).replace("-", "")
    typos = []
    for i, old in enumerate(symbols):
        for new in SYMBOLS if i < len(symbols) - 1 else CHECK_SYMBOLS:
            if new != old:
                typos.append(symbols[:i] + new + symbols[i + 1 :])
    swaps = [
        symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
        for i in range(len(symbols) - 1)
        if symbols[i] != symbols[i + 1]
    ]
    assert len(typos) > 800
    for typo in typos + swaps:
        with pytest.raises(BadCode):
            parse_code(typo)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "has 27 symbols, and this one has 0"),
        ("2KK8-WM98", "this one has 8"),
        ("2KK8-WM98-TKEY-807T-C714-FW2Y-23Y-X", "this one has 28"),
        ("2KK8-WM98-TKEY-807T-C714-FW2Y-2#Y", "# is not a symbol"),
        ("UKK8-WM98-TKEY-807T-C714-FW2Y-23Y", "U is not a symbol"),
        ("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ0", "typo"),  # 130 bits: more than a secret holds
    ],
)
def test_what_is_not_a_code_says_why(text, says):
    with pytest.raises(BadCode, match=says):
        parse_code(text)


def test_the_key_and_its_id_come_from_the_secret_alone():
    assert derive_key(SECRET) == derive_key(bytes(SECRET)) and len(derive_key(SECRET)) == 32
    assert derive_key(SECRET) != derive_key(OTHER)
    assert key_id(SECRET) != key_id(OTHER) and len(key_id(SECRET)) == 8
    assert key_id(SECRET) not in derive_key(SECRET)  # the public id says nothing of the key


@given(st.binary(min_size=16, max_size=16))
def test_the_key_and_its_id_are_cryptographys_hkdf_sha256(secret):
    # Files sealed before the key was derived with the standard library's hmac must still open.
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def hkdf(info: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=32, salt=b"connect couple key", info=info).derive(secret)

    assert derive_key(secret) == hkdf(b"connect shared folder: AES-256-GCM key")
    assert key_id(secret) == hkdf(b"connect shared folder: key id")[:8]


def test_a_sealed_file_hides_what_it_holds_and_opens_with_the_key():
    sealed = seal(SECRET, NAME, PLAIN)
    assert is_sealed(sealed) and sealed_with(sealed) == key_id(SECRET)
    assert b"felt" not in sealed and b"checkins" not in sealed
    assert unseal(SECRET, NAME, sealed) == PLAIN
    assert seal(SECRET, NAME, PLAIN) != sealed  # a fresh nonce each time


def _flipped(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :]


def test_a_flipped_byte_anywhere_is_caught():
    sealed = seal(SECRET, NAME, PLAIN)
    for at in range(len(MAGIC), len(sealed)):
        with pytest.raises(Tampered):
            unseal(SECRET, NAME, _flipped(sealed, at))


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda raw: raw[:-1], "changed"),
        (lambda raw: raw[: HEADER_BYTES + 3], "changed"),
        (lambda raw: raw[:HEADER_BYTES], "changed"),
        (lambda raw: raw[: len(MAGIC) + 3], "cut short"),
        (lambda raw: raw + b"\n", "changed"),
        (lambda raw: seal(OTHER, NAME, PLAIN), "another key"),
        (lambda raw: seal(SECRET, "connect-0123456789ab.2026-10.json", PLAIN), "changed"),  # put in another's place
    ],
    ids=[
        "last byte gone",
        "cut in the text",
        "header only",
        "cut in the header",
        "a byte added",
        "another key",
        "renamed",
    ],
)
def test_a_damaged_renamed_or_foreign_file_never_opens(damage, says):
    with pytest.raises(Tampered, match=says):
        unseal(SECRET, NAME, damage(seal(SECRET, NAME, PLAIN)))
