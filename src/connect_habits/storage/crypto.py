"""The couple's key: a pairing code to read aloud, the key it gives, and sealed files (AES-256-GCM).

The code is 128 random bits in Crockford's base 32 (no I, L, O or U to misread) with his mod-37 check
symbol, shown in groups of four. The key comes from the code through HKDF-SHA256, so the code is all a
device needs. A sealed file is a magic line, the key's id, a nonce and the AES-GCM ciphertext; the
header and the file's own name are authenticated, so a flipped byte, a truncated file, a file renamed
into another's place or one sealed with another key never opens. pyca/cryptography is imported only
when a file is sealed or opened: a command that reads nothing sealed never pays for it.
"""

from __future__ import annotations

import os

MAGIC = b"connect-sealed-1\n"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES
SECRET_BYTES = 16
SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = SYMBOLS + "*~$=U"  # Crockford's five extra check symbols: values 32 to 36
CODE_SYMBOLS = 26  # 128 bits in base 32
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_SALT = b"connect couple key"


class BadCode(ValueError):
    """A pairing code that is not one: wrong length, a symbol that is not in the alphabet, or a typo."""


class Tampered(ValueError):
    """A sealed file that does not open with the key: changed, cut short, renamed, or sealed with another key."""


def new_secret() -> bytes:
    return os.urandom(SECRET_BYTES)


def code_of(secret: bytes) -> str:
    """The pairing code of a secret: `7K3M-…`, 27 symbols in groups of four, the last one a check symbol."""
    value = int.from_bytes(secret, "big")
    symbols = "".join(SYMBOLS[(value >> (5 * i)) & 31] for i in reversed(range(CODE_SYMBOLS)))
    symbols += CHECK_SYMBOLS[value % 37]
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def parse_code(text: str) -> bytes:
    """The secret a typed pairing code holds; BadCode names what is wrong with it."""
    cleaned = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in " -\t")
    if len(cleaned) != CODE_SYMBOLS + 1:
        raise BadCode(f"a pairing code has {CODE_SYMBOLS + 1} symbols, and this one has {len(cleaned)}")
    body, check = cleaned[:-1], cleaned[-1]
    strange = sorted({c for c in body if c not in SYMBOLS} | ({check} if check not in CHECK_SYMBOLS else set()))
    if strange:
        raise BadCode(f"{', '.join(strange)} is not a symbol of pairing codes")
    value = 0
    for c in body:
        value = value * 32 + SYMBOLS.index(c)
    if value >> (8 * SECRET_BYTES) or CHECK_SYMBOLS[value % 37] != check:
        raise BadCode("it has a typo (its check symbol does not match)")
    return value.to_bytes(SECRET_BYTES, "big")


def _aesgcm():
    """pyca/cryptography's AES-GCM class.

    The public module re-exports a class of its compiled core; importing it through the public package
    also imports typing, enum and its utilities (about 20 ms, twice the interpreter's start). The core
    alone costs about 5 ms, so it is taken directly, and the public module is the fallback should a
    release move it.
    """
    try:
        from cryptography.hazmat.bindings._rust import openssl

        return openssl.aead.AESGCM
    except (ImportError, AttributeError):  # pragma: no cover - a release that moved its core
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM


KEY_INFO = b"connect shared folder: AES-256-GCM key"
ID_INFO = b"connect shared folder: key id"
_derived: dict[tuple[bytes, bytes], bytes] = {}  # (secret, info): HKDF's output, made here or learned
_made_here: set[bytes] = set()  # the secrets whose keys this process derived (not learned)


def _hkdf(secret: bytes, info: bytes) -> bytes:
    """HKDF-SHA256 (RFC 5869) of 32 bytes: one HMAC block, so the standard library's hmac suffices.

    cryptography's HKDF needs its hashes module, which imports typing (about 5 ms); the keys are the
    same byte for byte (test_crypto checks it against cryptography's HKDF).
    """
    known = _derived.get((secret, info))
    if known is None:
        import hmac  # here: it loads OpenSSL's hashes (about 5 ms), and a key learned from a cache needs none

        pseudo_random_key = hmac.digest(_SALT, secret, "sha256")
        known = _derived[(secret, info)] = hmac.digest(pseudo_random_key, info + b"\x01", "sha256")
        _made_here.add(secret)
    return known


def derive_key(secret: bytes) -> bytes:
    """The 256-bit AES key a pairing secret gives."""
    return _hkdf(secret, KEY_INFO)


def key_id(secret: bytes) -> bytes:
    """A short public name for the key, written in each sealed file: tells another couple's file from damage."""
    return _hkdf(secret, ID_INFO)[:KEY_ID_BYTES]


def derived_here(secret: bytes) -> tuple[bytes, bytes] | None:
    """The key and the whole id output this process derived from `secret` (None when it derived none)."""
    if secret not in _made_here:
        return None
    return derive_key(secret), _hkdf(secret, ID_INFO)


def learn_keys(secret: bytes, key: bytes, ident: bytes) -> None:
    """Take what `secret` derives to from a cache (key, whole id output), so it is not derived again."""
    _derived.setdefault((secret, KEY_INFO), key)
    _derived.setdefault((secret, ID_INFO), ident)


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(MAGIC)


def sealed_with(raw: bytes) -> bytes | None:
    """The key id a sealed file names (None when the file is not sealed or too short to name one)."""
    if not is_sealed(raw) or len(raw) < HEADER_BYTES:
        return None
    return raw[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]


def seal(secret: bytes, name: str, plain: bytes) -> bytes:
    """`plain` sealed with the couple's key for the file called `name`."""
    aesgcm = _aesgcm()
    header = MAGIC + key_id(secret) + os.urandom(NONCE_BYTES)
    return header + aesgcm(derive_key(secret)).encrypt(header[-NONCE_BYTES:], plain, header + name.encode())


def unseal(secret: bytes, name: str, raw: bytes) -> bytes:
    """What a file sealed for `name` holds; Tampered when it does not open with this secret."""
    if sealed_with(raw) != key_id(secret):
        raise Tampered("sealed with another key" if sealed_with(raw) else "cut short")
    aesgcm = _aesgcm()
    header = raw[:HEADER_BYTES]
    try:
        return aesgcm(derive_key(secret)).decrypt(header[-NONCE_BYTES:], raw[HEADER_BYTES:], header + name.encode())
    except Exception:  # InvalidTag (its module costs the imports _aesgcm avoids), or a tag cut short
        raise Tampered("not all there yet, or changed by someone without the key") from None
