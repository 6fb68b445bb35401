"""Coordinator accounts and sign-in: salted, slow password hashes, constant-time checks, the
agencies each account may see, and a lockout.

The hash is stored in configuration (never in the repository) as
`scrypt$<n>$<r>$<p>$<salt>$<hash>` with base64 salt and hash, the output of
`python -m training hash-password`. Accounts are read and checked by `training.config`; the
Store applies an account's `Scope` to every record it reads for the console.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 12
#: Wrong sign-ins in a row that lock one username (or the single password) on one client.
MAX_FAILURES = 5
#: Wrong sign-ins from one client, whatever the usernames, that lock the client: without it a
#: client trying username after username would get endless scrypt work out of the server.
MAX_CLIENT_FAILURES = 20
LOCKOUT_SECONDS = 15 * 60
IDLE_TIMEOUT_SECONDS = 30 * 60
USERNAME_MAX = 64
#: Letters and digits, then also . _ @ - (an e-mail address is a username too).
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
ALL_AGENCIES_LABEL = "All agencies"


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


@dataclass(frozen=True)
class Scope:
    """The agencies whose records a coordinator may read: `agencies` None means every agency.

    An agency is matched exactly as records carry it (the name officers chose or typed). Build
    one with `Scope.of`, or use ALL_AGENCIES; there is no default, so no query can forget it.
    """

    agencies: tuple[str, ...] | None

    @classmethod
    def of(cls, agencies: Iterable[str]) -> Scope:
        """Only these agencies (sorted, each once); none at all sees nothing."""
        return cls(tuple(sorted(set(agencies))))

    @property
    def everything(self) -> bool:
        return self.agencies is None

    @property
    def label(self) -> str:
        """What the console says the account sees."""
        if self.agencies is None:
            return ALL_AGENCIES_LABEL
        return "; ".join(self.agencies) if self.agencies else "No agency"


#: Every agency: the single password, single sign-on, an account without `agencies`, and the
#: commands an administrator runs on the server.
ALL_AGENCIES = Scope(None)


@dataclass(frozen=True)
class Account:
    """A coordinator account from `[[coordinator.accounts]]` (checked by training.config)."""

    username: str
    password_hash: str = field(repr=False)
    #: None: every agency.
    agencies: tuple[str, ...] | None = None

    @property
    def scope(self) -> Scope:
        return ALL_AGENCIES if self.agencies is None else Scope.of(self.agencies)


def username_key(typed: str) -> str:
    """A typed username as accounts are looked up and counted: any case, no surrounding
    spaces. Text no account could have (too long, other characters) becomes "?", so whatever
    is typed never reaches the sign-in records as it is."""
    folded = typed.strip().casefold()
    if len(folded) > USERNAME_MAX or not USERNAME.fullmatch(folded):
        return "?"
    return folded


def find_account(accounts: Iterable[Account], typed: str) -> Account | None:
    key = username_key(typed)
    return next((a for a in accounts if a.username.casefold() == key), None)


#: Never matches a password (no scrypt output is 32 zero bytes in practice): an unknown username
#: is checked against it so it costs the same work, and time, as a known one.
_DUMMY_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(bytes(16))}${_b64(bytes(KEY_BYTES))}"


def authenticate(accounts: Iterable[Account], username: str, password: str) -> Account | None:
    """The account these are the username and password of, or None. A wrong username and a
    wrong password take the same scrypt work, so neither the answer nor the time tells whether
    the username exists."""
    account = find_account(accounts, username)
    matches = verify_password(password, _DUMMY_HASH if account is None else account.password_hash)
    return account if matches and account is not None else None


#: How a session remembers who signed in (`signed_in_as`): kind, then what names them.
SIGNED_IN_WITH_PASSWORD = "password"
_ACCOUNT, _SSO = "account:", "sso:"


def signed_in_as_account(account: Account) -> str:
    return _ACCOUNT + account.username


def signed_in_with_sso(email: str) -> str:
    return _SSO + email


def scope_of(
    signed_in_as: str,
    accounts: Iterable[Account],
    password_hash: str | None,
    allowed_emails: tuple[str, ...],
) -> Scope | None:
    """What a signed-in session may see under the settings now in force, or None when it may
    no longer use the console: an account removed or renamed, the single password replaced by
    accounts, an e-mail taken off the list. Asked on every click, so a narrowed account sees
    less at once."""
    if signed_in_as.startswith(_ACCOUNT):
        account = find_account(accounts, signed_in_as.removeprefix(_ACCOUNT))
        return None if account is None else account.scope
    if signed_in_as == SIGNED_IN_WITH_PASSWORD:
        return ALL_AGENCIES if password_hash else None
    if signed_in_as.startswith(_SSO):
        allowed = is_allowed_email(signed_in_as.removeprefix(_SSO), allowed_emails)
        return ALL_AGENCIES if allowed else None
    return None


def throttle_counts(account: str | None, client: str) -> tuple[tuple[str, int], ...]:
    """The failure counts a sign-in try belongs to, each with the failures that lock it.

    `account` is None for the single password: one count per client, as before accounts.
    Otherwise (`username_key` of what was typed, known or not, so a lockout says nothing about
    which usernames exist) a count per username and client, and one per client whatever the
    username. Locking one username on one computer locks neither another computer nor another
    account."""
    if account is None:
        return ((client, MAX_FAILURES),)
    return ((f"{client}\x1f{account}", MAX_FAILURES), (f"{client}\x1f*", MAX_CLIENT_FAILURES))


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

    def failure(self, client: str, max_failures: int | None = None) -> None:
        """Count a failure; `max_failures` (default: the throttle's) failures lock the client."""
        now = self._clock()
        limit = self._max_failures if max_failures is None else max_failures
        with self._lock:
            state = self._clients.setdefault(client, _Client())
            state.failures = [t for t in state.failures if now - t < self._lockout_seconds]
            state.failures.append(now)
            if len(state.failures) >= limit:
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
