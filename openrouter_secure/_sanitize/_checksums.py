"""Checksums that keys carry, checked where a look-alike shares a key's shape.

A NATS seed and an Algorand address are the same base32 run: the seed's CRC-16 tells
them apart, so the rule needs no name around the key. (Formats whose prefix and length
no other data has, BIP32's ``xprv`` and Nostr's ``nsec1``, are masked by their shape
alone: a test's key with a broken checksum is still masked.)
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["nkey_checksum_ok"]


def nkey_checksum_ok(seed: str) -> bool:
    """Whether a NATS NKey's text (base32, unpadded) ends in the CRC-16/XMODEM of the
    bytes before it, little-endian, as ``nkeys`` writes it."""
    try:
        raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
    except binascii.Error:
        return False
    data, crc = raw[:-2], int.from_bytes(raw[-2:], "little")
    return binascii.crc_hqx(data, 0) == crc
