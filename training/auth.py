"""Coordinator sign-in: salted, slow password hashes, constant-time checks, and a lockout.

The hash is stored in configuration (never in the repository) as
`scrypt$<n>$<r>$<p>$<salt>$<hash>` with base64 salt and hash, the output of
`python -m training hash-password`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
IDLE_TIMEOUT_SECONDS = 30 * 60


class PasswordHashError(ValueError):
    """The configured hash is not one `hash-password` makes."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=2**26
    )


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"use a password of at least {MIN_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(16)
    key = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True)
class _Parsed:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _parse(stored: str) -> _Parsed:
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise PasswordHashError("not an scrypt hash from `python -m training hash-password`")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError as exc:
        raise PasswordHashError(f"the hash is damaged ({exc})") from None
    if n < 2**14 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or len(key) != KEY_BYTES:
        raise PasswordHashError("the hash's parameters are not ones this app accepts")
    return _Parsed(n, r, p, salt, key)


def check_hash(stored: str) -> None:
    """Raise PasswordHashError when the configured hash cannot be used."""
    _parse(stored)


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches; compared in constant time."""
    parsed = _parse(stored)
    candidate = _derive(password, parsed.salt, parsed.n, parsed.r, parsed.p)
    return hmac.compare_digest(candidate, parsed.key)


@dataclass
class _Client:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginThrottle:
    """Refuses a client's tries for a while after too many failures in a row of time: by
    default 15 minutes after 5 failures within 15 minutes.

    One instance serves the whole process (every browser session), so opening a new tab does
    not reset the count.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_failures: int = MAX_FAILURES,
        lockout_seconds: int = LOCKOUT_SECONDS,
    ) -> None:
        self._clock = clock
        self._max_failures = max_failures
        self._lockout_seconds = lockout_seconds
        self._clients: dict[str, _Client] = {}
        self._lock = threading.Lock()

    def seconds_locked(self, client: str) -> int:
        with self._lock:
            state = self._clients.get(client)
            if state is None:
                return 0
            return max(0, int(state.locked_until - self._clock() + 0.999))

    def failure(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            state = self._clients.setdefault(client, _Client())
            state.failures = [t for t in state.failures if now - t < self._lockout_seconds]
            state.failures.append(now)
            if len(state.failures) >= self._max_failures:
                state.locked_until = now + self._lockout_seconds
                state.failures.clear()

    def success(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)


def is_allowed_email(email: str | None, allowed: tuple[str, ...]) -> bool:
    """Single sign-on proves who someone is; this list says who may see the records."""
    if not email:
        return False
    return email.strip().casefold() in {a.strip().casefold() for a in allowed}


#: How a proxy on the same host looks to Streamlit, which reports loopback peers as no address.
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted_proxies: tuple[str, ...]
) -> str:
    """Who is trying, for the sign-in and code throttles. Behind a trusted proxy every browser
    arrives from the proxy's address, so the proxy's X-Real-IP names the client; from anyone
    else that header is ignored (a client could write any address into it). Without a usable
    address all tries share one count, which errs on the side of refusing."""
    via_proxy = peer in trusted_proxies or (not peer and bool(_LOOPBACK & set(trusted_proxies)))
    if via_proxy:
        real = next((v for k, v in headers.items() if k.lower() == "x-real-ip"), "").strip()
        if real:
            return real
    return peer if peer else "unknown client"
