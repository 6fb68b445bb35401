"""Every setting in one place: environment first, then `.streamlit/secrets.toml`, then default.

The package never imports Streamlit; secrets.toml is read here with tomllib so that the command
line and the app see the same values.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from training.auth import USERNAME, USERNAME_MAX, Account, PasswordHashError, check_hash

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Reading speed behind every lesson's minimum time (words a minute).
READING_WORDS_PER_MINUTE = 180

SECRET_KEY_FILE = ".secret_key"
#: TRAINING_SECRET_KEY=hex:<digits> gives the key's bytes, as SECRET_KEY_FILE holds them.
RAW_KEY_PREFIX = "hex:"


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names the setting."""


@dataclass(frozen=True)
class LrsSettings:
    """A learning record store that receives xAPI statements (training.xapi)."""

    #: The xAPI base address, ending in "/" (statements go to `<endpoint>statements`).
    endpoint: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Settings:
    content_root: Path
    results_dir: Path
    pass_mark: int
    seat_time_scale: float
    timezone: str
    public_url: str
    coordinator_password_hash: str | None
    coordinator_emails: tuple[str, ...]
    secret_key_setting: str | None
    #: A libpq URL: records live in PostgreSQL (nothing under results_dir) when set.
    database_url: str | None = None
    #: Addresses of reverse proxies (nginx) whose X-Real-IP header names the client.
    trusted_proxies: tuple[str, ...] = ()
    #: Where xAPI statements are sent; None: no xAPI at all (nothing is queued or sent).
    lrs: LrsSettings | None = None
    #: `[[coordinator.accounts]]`: when any, the console asks for a username too.
    coordinator_accounts: tuple[Account, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


#: Every environment variable a setting is read from.
SETTING_VARIABLES = (
    "TRAINING_RESULTS_DIR",
    "TRAINING_CONTENT_DIR",
    "TRAINING_TIMEZONE",
    "TRAINING_COORDINATOR_PASSWORD_HASH",
    "TRAINING_SECRET_KEY",
    "TRAINING_COORDINATOR_EMAILS",
    "TRAINING_PASS_MARK",
    "TRAINING_SEAT_TIME_SCALE",
    "TRAINING_PUBLIC_URL",
    "TRAINING_DATABASE_URL",
    "TRAINING_TRUSTED_PROXIES",
    "TRAINING_LRS_ENDPOINT",
    "TRAINING_LRS_USERNAME",
    "TRAINING_LRS_PASSWORD",
)


def _secrets_files() -> tuple[str, ...]:
    # Streamlit's own lookup order: the user's global file, then the project's (which wins).
    # Plain strings: this runs on every click.
    return (
        os.path.join(os.path.expanduser("~"), ".streamlit", "secrets.toml"),
        os.path.join(os.getcwd(), ".streamlit", "secrets.toml"),
    )


FileStamp = tuple[int, int, int] | None


def _stamp(path: str) -> FileStamp:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return (-1, -1, -1)  # unreadable: reading it reports why
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _read_secrets(files: tuple[str, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            continue
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read: {exc}") from exc
        merged.update(data)
    return merged


def _lookup(name: str, secrets_data: dict[str, Any], section: tuple[str, str] | None = None) -> Any:
    if name not in SETTING_VARIABLES:  # the settings would not be read again when it changes
        raise AssertionError(f"{name} is missing from SETTING_VARIABLES")
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    if name in secrets_data:
        return secrets_data[name]
    if section is not None:
        table = secrets_data.get(section[0])
        if isinstance(table, dict) and section[1] in table:
            return table[section[1]]
    return None


def _as_int(name: str, raw: Any, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError(
            f"{name} must be a whole number from {low} to {high}, not {raw!r}"
        ) from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return value


def _as_scale(name: str, raw: Any) -> float:
    if raw is None:
        return 1.0
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number of 0 or more, not {raw!r}") from None
    if not value >= 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a number of 0 or more, not {raw!r}")
    return value


def _lrs(data: dict[str, Any]) -> LrsSettings | None:
    """The learning record store, or None when no endpoint is set (credentials alone do
    nothing: removing the endpoint is how sending is switched off)."""
    endpoint = _lookup("TRAINING_LRS_ENDPOINT", data, ("lrs", "endpoint"))
    if not endpoint:
        return None
    text = str(endpoint).strip()
    example = "such as https://lrs.example.org/xAPI/"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise ConfigError(
            f"TRAINING_LRS_ENDPOINT must be the store's xAPI address, {example}, not {text!r}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"TRAINING_LRS_ENDPOINT must be an http:// or https:// address, {example}, not {text!r}"
        )
    if parts.username or parts.password:
        # Not echoed: the value holds a password.
        raise ConfigError(
            f"TRAINING_LRS_ENDPOINT must be a plain address, {example}, without ?, # or a "
            "password in it (the user name and password have settings of their own: "
            "TRAINING_LRS_USERNAME and TRAINING_LRS_PASSWORD)"
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"TRAINING_LRS_ENDPOINT must be a plain address, {example}, without ?, # or a "
            f"password in it, not {text!r}"
        )
    username = _lookup("TRAINING_LRS_USERNAME", data, ("lrs", "username"))
    password = _lookup("TRAINING_LRS_PASSWORD", data, ("lrs", "password"))
    missing = [
        name
        for name, value in (
            ("TRAINING_LRS_USERNAME", username),
            ("TRAINING_LRS_PASSWORD", password),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} must be set when TRAINING_LRS_ENDPOINT is set (the "
            "learning record store's user name and password for sending statements)"
        )
    return LrsSettings(
        endpoint=text.rstrip("/") + "/", username=str(username), password=str(password)
    )


def load_settings() -> Settings:
    """The settings; raises ConfigError naming the first unusable value. They are asked for on
    every click, so they are read again only when a TRAINING_ variable or a secrets file has
    changed."""
    files = _secrets_files()
    environment = tuple(os.environ.get(name) for name in SETTING_VARIABLES)
    return _settings_as_of(environment, files, tuple(_stamp(f) for f in files))


@lru_cache(maxsize=8)
def _settings_as_of(
    environment: tuple[str | None, ...],
    files: tuple[str, ...],
    stamps: tuple[FileStamp, ...],
) -> Settings:
    # The arguments are the cache key; what they describe is read again here.
    data = _read_secrets(files)
    results = _lookup("TRAINING_RESULTS_DIR", data) or "results"
    results_dir = Path(str(results))
    if not results_dir.is_absolute():
        results_dir = Path.cwd() / results_dir
    content = _lookup("TRAINING_CONTENT_DIR", data) or PROJECT_ROOT
    timezone = str(_lookup("TRAINING_TIMEZONE", data) or "America/Chicago")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TRAINING_TIMEZONE {timezone!r} is not a known time zone") from None
    password_hash = _lookup(
        "TRAINING_COORDINATOR_PASSWORD_HASH", data, ("coordinator", "password_hash")
    )
    secret_key = _lookup("TRAINING_SECRET_KEY", data, ("certificates", "secret_key"))
    if secret_key and str(secret_key).startswith(RAW_KEY_PREFIX):
        _raw_key(str(secret_key))  # refused now, not at the first certificate
    emails = _lookup("TRAINING_COORDINATOR_EMAILS", data, ("coordinator", "allowed_emails"))
    if isinstance(emails, str):
        emails = emails.split(",")
    database_url = _lookup("TRAINING_DATABASE_URL", data, ("database", "url"))
    proxies = _lookup("TRAINING_TRUSTED_PROXIES", data, ("server", "trusted_proxies"))
    if isinstance(proxies, str):
        proxies = proxies.split(",")
    accounts = _accounts(data)
    if accounts and password_hash:
        raise ConfigError(
            "[[coordinator.accounts]] and the single Coordinator password "
            "(TRAINING_COORDINATOR_PASSWORD_HASH or [coordinator] password_hash) cannot both be "
            "set: make the single password an account (a username, the same password_hash, no "
            "agencies) and remove password_hash"
        )
    if database_url and not secret_key:
        # With a database the results folder is not written to, so no key file can be made
        # there; and several servers must sign with the same key.
        raise ConfigError(
            "TRAINING_SECRET_KEY must be set when TRAINING_DATABASE_URL is set (every server "
            "on the database signs certificate codes and resume links with it)"
        )
    return Settings(
        content_root=Path(str(content)),
        results_dir=results_dir,
        pass_mark=_as_int("TRAINING_PASS_MARK", _lookup("TRAINING_PASS_MARK", data), 80, 1, 100),
        seat_time_scale=_as_scale(
            "TRAINING_SEAT_TIME_SCALE", _lookup("TRAINING_SEAT_TIME_SCALE", data)
        ),
        timezone=timezone,
        public_url=str(_lookup("TRAINING_PUBLIC_URL", data) or "http://localhost:8501").rstrip("/"),
        coordinator_password_hash=str(password_hash) if password_hash else None,
        coordinator_emails=tuple(str(e).strip() for e in emails or () if str(e).strip()),
        secret_key_setting=str(secret_key) if secret_key else None,
        database_url=str(database_url) if database_url else None,
        trusted_proxies=tuple(str(p).strip() for p in proxies or () if str(p).strip()),
        lrs=_lrs(data),
        coordinator_accounts=accounts,
    )


_ACCOUNT_KEYS = ("username", "password_hash", "agencies")


def _accounts(data: dict[str, Any]) -> tuple[Account, ...]:
    """`[[coordinator.accounts]]` from secrets.toml, each checked; the first problem is named
    with the account it is in."""
    table = data.get("coordinator")
    if not isinstance(table, dict) or "accounts" not in table:
        return ()
    raw = table["accounts"]
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ConfigError(
            "[coordinator] accounts: write each account as its own [[coordinator.accounts]] "
            "table with username, password_hash and optionally agencies"
        )
    accounts: list[Account] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        where = f"[[coordinator.accounts]] number {number}"
        username = entry.get("username")
        if not isinstance(username, str) or not username.strip():
            raise ConfigError(f"{where}: username is missing")
        username = username.strip()
        if len(username) > USERNAME_MAX or not USERNAME.fullmatch(username):
            raise ConfigError(
                f"{where}: username {username!r}: use letters, digits, and . _ @ - only "
                f"(starting with a letter or digit, at most {USERNAME_MAX} characters)"
            )
        where = f"coordinator account {username!r}"
        unknown = sorted(set(entry) - set(_ACCOUNT_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown setting {unknown[0]!r} (an account has username, "
                "password_hash and optionally agencies)"
            )
        if username.casefold() in seen:
            raise ConfigError(
                f"{where}: the username is used by another account too (usernames are the "
                "same in any case)"
            )
        seen.add(username.casefold())
        password_hash = entry.get("password_hash")
        if not isinstance(password_hash, str) or not password_hash.strip():
            raise ConfigError(
                f"{where}: password_hash is missing (make one with python -m training "
                "hash-password)"
            )
        try:
            check_hash(password_hash)
        except PasswordHashError as exc:
            raise ConfigError(
                f"{where}: password_hash cannot be used: {exc}; make a new one with python -m "
                "training hash-password"
            ) from None
        agencies = entry.get("agencies")
        accounts.append(
            Account(
                username=username,
                password_hash=password_hash.strip(),
                agencies=None if agencies is None else _account_agencies(where, agencies),
            )
        )
    return tuple(accounts)


def _account_agencies(where: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) for a in raw):
        raise ConfigError(
            f"{where}: agencies must be a list of agency names in quotes, such as "
            '["Hinds County Sheriff\'s Office"]; leave agencies out for an account that sees '
            "all agencies"
        )
    # officers reaches this module through content (the reading speed): imported here, when an
    # account lists agencies, not while the package is being imported.
    from training.officers import OTHER_AGENCY, FieldError, agencies, clean_agency

    listed = {_agency_folded(name): name for name in agencies()}
    names: list[str] = []
    for name in raw:
        # A listed agency in another case or with a typographic apostrophe is that agency, as
        # the records spell it; any other name must be one an officer could have typed.
        known = listed.get(_agency_folded(name))
        if known is None:
            try:
                known = clean_agency(OTHER_AGENCY, name)
            except FieldError as exc:
                raise ConfigError(f"{where}: agency {name!r}: {exc}") from None
        if known not in names:
            names.append(known)
    return tuple(names)


def _agency_folded(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").replace("\u02bc", "'").split()).casefold()


def secret_key(settings: Settings) -> bytes:
    """The key that signs certificate codes and resume links.

    From configuration when set (text, or `hex:` and the bytes in hex: the form the CSV store
    keeps, so a site moving to a database keeps its certificates valid); otherwise created once
    in the results directory (mode 0600) and reused, so codes stay valid across restarts.
    """
    setting = settings.secret_key_setting
    if setting and setting.startswith(RAW_KEY_PREFIX):
        return _raw_key(setting)
    if setting:
        return setting.encode("utf-8")
    return _stored_key(settings.results_dir)


def _raw_key(setting: str) -> bytes:
    digits = setting[len(RAW_KEY_PREFIX) :].strip()
    try:
        key = bytes.fromhex(digits)
    except ValueError:
        raise ConfigError(
            f"TRAINING_SECRET_KEY: after {RAW_KEY_PREFIX!r} come hexadecimal digits (the "
            f"contents of {SECRET_KEY_FILE} in the results folder)"
        ) from None
    if len(key) < 16:
        raise ConfigError(f"TRAINING_SECRET_KEY: a {RAW_KEY_PREFIX} key needs 16 bytes or more")
    return key


@lru_cache(maxsize=8)
def _stored_key(results_dir: Path) -> bytes:
    path = results_dir / SECRET_KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    results_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Write a private temporary file, then link it into place: the link either creates the key
    # file whole or fails because another process won, so nobody ever reads a half-written key.
    tmp = path.with_name(f"{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex())
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    finally:
        tmp.unlink(missing_ok=True)
    return key
