"""CPython's layout of an ASCII ``str``, for the long texts where copies cost most.

CPython keeps an ASCII ``str`` as one byte per character right after the object's
header. A long text is scanned there, without encoding it (encoding 50 MB costs a
tenth of a scan), and its masked copy is written into a fresh ``str`` of that layout
straight from the original's bytes: one copy, where slices and a join write every byte
twice. Only an exact ``str`` in that layout is used, which its size tells (every other
layout is larger); elsewhere (other interpreters, a build without ``ctypes``) each
function returns None and the caller encodes or joins instead.

Fresh memory is what costs most in that copy: a 50 MB string is 12,000 pages the
kernel faults in and zeroes one by one, three quarters of the copy's time. On Linux
the new string's memory is therefore advised to be backed by 2 MB pages
(``MADV_HUGEPAGE``), which is honoured where transparent huge pages are set to
``madvise`` or ``always`` (the usual defaults) and ignored elsewhere.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = ["held_address", "held_bytes", "new_ascii"]

_ASCII_HEADER = sys.getsizeof("") - 1
#: Huge-page advice pays from a few 2 MB pages on.
_HUGE_FROM = 4 << 20
_HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE = 14  # Linux's value (asm-generic/mman-common.h)


def held_address(text: str) -> int | None:
    """The address of ``text``'s first byte when CPython holds it as one byte per
    character (an exact ``str`` of ASCII text), or None. Valid while ``text`` lives."""
    if (
        sys.implementation.name != "cpython"
        or type(text) is not str
        or sys.getsizeof(text) != _ASCII_HEADER + len(text) + 1
        or _ctypes() is None
    ):
        return None
    return id(text) + _ASCII_HEADER


def held_bytes(text: str) -> memoryview | None:
    """The bytes CPython holds an ASCII ``text`` in, as a view of the text's own memory
    (valid only while the caller holds ``text``), or None."""
    address = held_address(text)
    ctypes = _ctypes()
    if address is None or ctypes is None:
        return None
    return memoryview((ctypes.c_char * len(text)).from_address(address)).cast("B")


def new_ascii(size: int) -> tuple[str, int] | None:
    """A new ``str`` of ``size`` ASCII characters whose bytes the caller must write at
    the returned address before anything else sees it, or None (not CPython, no
    ``ctypes``). Every byte written must be below 0x80: the string is marked ASCII."""
    api = _api()
    if api is None or size <= 0:
        return None
    made: str = api.new(size, 127)
    address = held_address(made)
    if address is None:  # (a layout this module does not know)
        return None
    if size >= _HUGE_FROM and api.madvise is not None:
        first = -(-address // _HUGE_PAGE) * _HUGE_PAGE
        last = (address + size) // _HUGE_PAGE * _HUGE_PAGE
        if last > first:
            api.madvise(first, last - first, _MADV_HUGEPAGE)  # (advice: errors ignored)
    return made, address


@functools.cache
def _ctypes() -> Any:
    try:
        import ctypes
    except ImportError:  # (a build without ctypes)
        return None
    return ctypes


class _Api:
    def __init__(self, ctypes: Any) -> None:
        new = ctypes.pythonapi.PyUnicode_New
        new.restype = ctypes.py_object
        new.argtypes = [ctypes.c_ssize_t, ctypes.c_uint32]
        self.new = new
        self.madvise: Any = None
        if sys.platform.startswith("linux"):
            try:
                madvise = ctypes.CDLL(None).madvise
            except (OSError, AttributeError):
                return
            madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            madvise.restype = ctypes.c_int
            self.madvise = madvise


@functools.cache
def _api() -> _Api | None:
    ctypes = _ctypes()
    if ctypes is None or sys.implementation.name != "cpython":
        return None
    try:
        return _Api(ctypes)
    except (AttributeError, OSError):
        return None
