"""decc_protected — read a DataProtector protected data inside a Python iApp.

A protected data reaches the app as a zip file, $IEXEC_IN/$IEXEC_DATASET_FILENAME,
holding one entry per value of the protected object (nested objects are
directories: the value at "a.b" is the entry "a/b"). Two formats exist
(docs/api/protect.md):

  v2 ("borsh", @iexec/dataprotector 2.x, `decc protect` by default):
      bool   1 byte (0 or 1)
      f64    8 bytes, IEEE 754 little-endian
      i128   16 bytes, two's complement little-endian
      string u32 little-endian byte length, then UTF-8
      binary the raw bytes (files, images…)
  legacy (@iexec/dataprotector 0.5, `decc protect --format legacy`):
      bool   1 byte (0 or 1)
      number the decimal text of the number
      string the UTF-8 text
      binary the raw bytes

ProtectedData.get_value(path, type) reads one value exactly as the JavaScript
deserializer iApps use (@iexec/dataprotector-deserializer 0.1.1, getValue): the
same modes ("optimistic" by default, "borsh", "legacy"), the same type names
("bool", "f64", "i128", "string" in borsh; "boolean", "number", "string" in
legacy; any other type name returns the raw bytes), the same lenient decoding
and the same error texts ("Failed to load path P", 'Unsupported schema "T" in
"M" mode', 'Failed to deserialize "P" as "T" in "M" mode'). The helpers
get_string / get_bool / get_number / get_int / get_bytes pick the type name
for the mode, as decc's C reader does.

Only the Python standard library is used (zipfile, struct), so the module
runs wherever python3 does; `decc app init --lang python` copies this file
into the app, so it is part of the app's bundle and of its measurement.

    from decc_protected import ProtectedData
    with ProtectedData() as pd:           # $IEXEC_IN/$IEXEC_DATASET_FILENAME
        email = pd.get_string("email")
        score = pd.get_number("score")
"""

import math
import os
import re
import struct
import zipfile

__all__ = ["ProtectedData", "ProtectedDataError", "default_path",
           "js_string_to_number"]

MODES = ("optimistic", "borsh", "legacy")
# Bounds on untrusted input: the largest value read into memory, and the
# number of entries of a zip (decc's own protect limits are the same).
MAX_ENTRY_BYTES = 1 << 30
MAX_ENTRIES = 10000


class ProtectedDataError(Exception):
    """A value that cannot be read; str(e) is the deserializer's message."""


def default_path():
    """$IEXEC_IN/$IEXEC_DATASET_FILENAME, or None when the task has no
    protected data."""
    name = os.environ.get("IEXEC_DATASET_FILENAME", "")
    if not name:
        return None
    return os.path.join(os.environ.get("IEXEC_IN", "/iexec_in"), name)


# ---- JavaScript's Number(text), for legacy "number" values ----------------

_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" \
            "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RADIX = {"x": (16, re.compile(r"[0-9a-fA-F]+")),
          "o": (8, re.compile(r"[0-7]+")),
          "b": (2, re.compile(r"[01]+"))}


def js_string_to_number(text):
    """Number(text) as JavaScript computes it: JS whitespace trimmed, "" is
    0, [+-]Infinity, 0x / 0o / 0b integers, decimal literals; anything else
    is NaN (Python's float() alone would accept "inf", "1_0" or "nan")."""
    t = text.strip(_JS_SPACE)
    if t == "":
        return 0.0
    if t in ("Infinity", "+Infinity"):
        return math.inf
    if t == "-Infinity":
        return -math.inf
    if len(t) > 2 and t[0] == "0" and t[1].lower() in _RADIX:
        base, digits = _RADIX[t[1].lower()]
        if not digits.fullmatch(t[2:]):
            return math.nan
        try:
            return float(int(t[2:], base))  # int -> float rounds correctly
        except OverflowError:
            return math.inf
    if not _DECIMAL.fullmatch(t):
        return math.nan
    return float(t)


# ---- string decoders --------------------------------------------------------

def _utf16_to_str(units):
    """A JavaScript string (UTF-16 code units) as Python text, lone
    surrogates replaced by U+FFFD (what Buffer.from(str) would encode)."""
    out = []
    i, n = 0, len(units)
    while i < n:
        u = units[i]
        if 0xD800 <= u <= 0xDBFF and i + 1 < n and 0xDC00 <= units[i + 1] <= 0xDFFF:
            out.append(chr(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00)))
            i += 2
            continue
        out.append("\ufffd" if 0xD800 <= u <= 0xDFFF else chr(u))
        i += 1
    return "".join(out)


def _borsh_string(data):
    """borsh-js 2.0's string: u32 length then its own lenient UTF-8 decoder
    (missing continuation bytes read as 0, no validation), which fails only
    on code points above U+10FFFF. Returns the text or None."""
    if len(data) < 4:
        return None
    (n,) = struct.unpack_from("<I", data, 0)
    if n > len(data) - 4:
        return None
    b = data[4:4 + n]

    def at(j):
        return b[j] if j < n else 0

    units = []
    i = 0
    while i < n:
        c = b[i]
        if c < 0x80:
            cp = c
        elif c < 0xE0:
            cp = (c & 0x1F) << 6 | (at(i + 1) & 0x3F)
            i += 1
        elif c < 0xF0:
            cp = (c & 0x0F) << 12 | (at(i + 1) & 0x3F) << 6 | (at(i + 2) & 0x3F)
            i += 2
        else:
            cp = ((c & 0x07) << 18 | (at(i + 1) & 0x3F) << 12 |
                  (at(i + 2) & 0x3F) << 6 | (at(i + 3) & 0x3F))
            i += 3
        i += 1
        if cp > 0x10FFFF:  # String.fromCodePoint throws
            return None
        if cp >= 0x10000:
            units.append(0xD800 + ((cp - 0x10000) >> 10))
            units.append(0xDC00 + ((cp - 0x10000) & 0x3FF))
        else:
            units.append(cp)
    return _utf16_to_str(units)


def _utf8_lossy(data):
    """Node's Buffer#toString('utf8'): one U+FFFD per maximal invalid
    subpart (the WHATWG decoder; CPython's "replace" follows the same
    Unicode recommendation)."""
    return bytes(data).decode("utf-8", "replace")


# ---- the reader -------------------------------------------------------------

class ProtectedData:
    """A protected-data zip opened for reading (a context manager)."""

    def __init__(self, path=None, mode="optimistic"):
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % ", ".join(MODES))
        if path is None:
            path = default_path()
            if path is None:
                raise ProtectedDataError(
                    "no protected data: IEXEC_DATASET_FILENAME is not set "
                    "(run the app with a protected data)")
        self.path = path
        self.mode = mode
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as e:
            raise ProtectedDataError("cannot open %s: %s" % (path, e)) from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self._zip.close()
            raise ProtectedDataError("%s: more than %d entries" % (path, MAX_ENTRIES))
        self._entries = {i.filename: i for i in infos}

    def close(self):
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def paths(self):
        """The dotted paths of the values (directories left out), in the
        zip's order."""
        return [i.filename.replace("/", ".") for i in self._zip.infolist()
                if not i.is_dir()]

    def _read(self, path):
        info = self._entries.get(path.replace(".", "/"))
        if info is None or info.is_dir():
            raise ProtectedDataError("Failed to load path %s" % path)
        if info.file_size > MAX_ENTRY_BYTES:
            raise ProtectedDataError("%s: value larger than %d bytes"
                                     % (path, MAX_ENTRY_BYTES))
        with self._zip.open(info) as f:
            data = f.read(MAX_ENTRY_BYTES + 1)
        if len(data) > MAX_ENTRY_BYTES:
            raise ProtectedDataError("%s: value larger than %d bytes"
                                     % (path, MAX_ENTRY_BYTES))
        return data

    def get_value(self, path, type):
        """getValue(path, type) of the JavaScript deserializer: bool, f64,
        i128 (int), string, number (float), boolean, or bytes for any other
        type name (e.g. "application/pdf")."""
        data = self._read(path)
        mode = self.mode
        if ((type in ("bool", "i128", "f64") and mode == "legacy") or
                (type in ("number", "boolean") and mode == "borsh")):
            raise ProtectedDataError('Unsupported schema "%s" in "%s" mode'
                                     % (type, mode))
        value = None
        if type in ("bool", "boolean"):
            if len(data) >= 1:
                value = data[0] > 0
        elif type == "f64":
            if len(data) >= 8:
                value = struct.unpack_from("<d", data, 0)[0]
        elif type == "i128":
            if len(data) >= 16:
                value = int.from_bytes(data[:16], "little", signed=True)
        elif type == "number":
            value = js_string_to_number(_utf8_lossy(data))
        elif type == "string":
            if mode != "legacy":
                value = _borsh_string(data)
                if value is None and mode == "optimistic":
                    value = _utf8_lossy(data)
            else:
                value = _utf8_lossy(data)
        else:
            return bytes(data)
        if value is None:
            raise ProtectedDataError('Failed to deserialize "%s" as "%s" in "%s" mode'
                                     % (path, type, mode))
        return value

    def get_string(self, path):
        return self.get_value(path, "string")

    def get_bool(self, path):
        return self.get_value(path, "boolean" if self.mode == "legacy" else "bool")

    def get_number(self, path):
        """An f64 (v2), or Number(text) in legacy mode."""
        return self.get_value(path, "number" if self.mode == "legacy" else "f64")

    def get_int(self, path):
        """An i128 value (v2 only) as a Python int."""
        return self.get_value(path, "i128")

    def get_bytes(self, path):
        return self.get_value(path, "application/octet-stream")
