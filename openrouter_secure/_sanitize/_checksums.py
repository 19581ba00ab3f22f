"""Checksums that keys carry, and what an encoded key holds, checked where a
look-alike shares a key's shape.

A NATS seed and an Algorand address are the same base32 run: the seed's CRC-16 tells
them apart, so the rule needs no name around the key. (Formats whose prefix and length
no other data has, BIP32's ``xprv`` and Nostr's ``nsec1``, are masked by their shape
alone: a test's key with a broken checksum is still masked.)
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["nkey_checksum_ok", "private_key_in_base64"]


def nkey_checksum_ok(seed: str) -> bool:
    """Whether a NATS NKey's text (base32, unpadded) ends in the CRC-16/XMODEM of the
    bytes before it, little-endian, as ``nkeys`` writes it."""
    try:
        raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
    except binascii.Error:
        return False
    data, crc = raw[:-2], int.from_bytes(raw[-2:], "little")
    return binascii.crc_hqx(data, 0) == crc


#: what a private key's PEM block holds between its armour lines: its base64, wrapped
_PEM_PRIVATE = re.compile(
    rb"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----\s*(?:[A-Za-z0-9-]+: [^\n]*\n)*\s*"
    rb"([A-Za-z0-9+/=\s]{40,})"
)


def private_key_in_base64(run: str) -> bool:
    """Whether ``run``, the base64 of PEM text (``LS0tLS1CRUdJTi...``, over lines or
    JSON's ``\\n`` escapes), holds a private key's block with a key in it: a
    certificate's base64 does not, nor does a placeholder's (``...``, ``<your key>``)."""
    joined = re.sub(r"\\[rn]|\s", "", run)
    joined = joined[: len(joined) // 4 * 4]
    try:
        decoded = base64.b64decode(joined)
    except (binascii.Error, ValueError):
        return False
    block = _PEM_PRIVATE.search(decoded)
    # (a placeholder's body, one character over and over: ``XXXX...``)
    return block is not None and len(set(block.group(1)) - set(b" \t\r\n")) >= 8
