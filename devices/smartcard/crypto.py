"""The ICAO 9303 symmetric crypto for Basic Access Control and secure messaging.

Two-key triple DES in CBC mode with a zero IV, ISO/IEC 9797-1 padding method 2 and MAC
algorithm 3 (the "retail MAC"), keys derived from a seed with SHA-1 (ICAO 9303 part 11,
sections 9.7 and 9.8). pycryptodome is imported lazily: the rest of the package works
without it.
"""

from __future__ import annotations

import hashlib
from types import ModuleType

from devices.errors import require
from devices.smartcard.errors import SecureMessagingError

BLOCK_SIZE = 8
ENCRYPTION_KEY = 1
MAC_KEY = 2
_ZERO_IV = bytes(BLOCK_SIZE)


def _cipher_module(name: str) -> ModuleType:
    return require(
        f"Crypto.Cipher.{name}",
        "pip install pycryptodome",
        "a badge (UID) card, which needs no cryptography",
    )


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: append 0x80, then zeros up to a whole block."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % BLOCK_SIZE)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2.

    Raises:
        SecureMessagingError: the data is not padded with method 2.
    """
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80") or len(data) - len(stripped) >= BLOCK_SIZE:
        raise SecureMessagingError("decrypted data is not padded with ISO 9797-1 method 2")
    return stripped[:-1]


def with_odd_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so that the byte has an odd number of one bits (DES parity)."""
    return bytes((byte & 0xFE) | (bin(byte >> 1).count("1") + 1) % 2 for byte in key)


def derive_key(seed: bytes, counter: int) -> bytes:
    """A 16-byte two-key 3DES key from ``seed`` (``ENCRYPTION_KEY`` or ``MAC_KEY`` counter)."""
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return with_odd_parity(digest[:16])


def encrypt(key: bytes, data: bytes) -> bytes:
    """3DES-CBC with a zero IV; ``data`` must already be a whole number of blocks."""
    des3 = _cipher_module("DES3")
    return bytes(des3.new(key, des3.MODE_CBC, iv=_ZERO_IV).encrypt(data))


def decrypt(key: bytes, data: bytes) -> bytes:
    """Inverse of :func:`encrypt`.

    Raises:
        SecureMessagingError: ``data`` is not a whole number of blocks.
    """
    if not data or len(data) % BLOCK_SIZE:
        raise SecureMessagingError(f"cryptogram of {len(data)} bytes is not whole DES blocks")
    des3 = _cipher_module("DES3")
    return bytes(des3.new(key, des3.MODE_CBC, iv=_ZERO_IV).decrypt(data))


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with padding method 2 over ``data`` (8 bytes).

    Single DES CBC with the key's first half over every block, then the last block is
    decrypted with the second half and encrypted again with the first.
    """
    des = _cipher_module("DES")
    key_a, key_b = key[:8], key[8:16]
    chained = des.new(key_a, des.MODE_CBC, iv=_ZERO_IV).encrypt(pad(data))[-BLOCK_SIZE:]
    middle = des.new(key_b, des.MODE_ECB).decrypt(chained)
    return bytes(des.new(key_a, des.MODE_ECB).encrypt(middle))
