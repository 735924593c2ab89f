"""sha256 and blake2b without importing hashlib on every command: hashlib loads OpenSSL (~2.5 ms, a
twentieth of a one-file check) only to offer its constructors, and CPython's own built-in modules give
the same digests. Interpreters built without them fall back to hashlib."""
from __future__ import annotations

try:
    from _sha2 import sha256  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.10 and 3.11
    except ImportError:
        from hashlib import sha256
try:
    from _blake2 import blake2b
except ImportError:
    from hashlib import blake2b

__all__ = ["sha256", "blake2b"]
