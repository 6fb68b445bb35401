"""Coordinator sign-in: hashes, constant-time checks, lockout, the allowed-email rule."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.isolation import outside_project
from training import auth

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored() -> str:
    return auth.hash_password(PASSWORD)


def test_a_hash_is_salted_slow_scrypt_and_verifies_only_the_right_password(stored: str) -> None:
    assert stored.startswith("scrypt$32768$8$1$")
    assert PASSWORD not in stored
    assert auth.hash_password(PASSWORD) != stored, "a fresh salt every time"
    assert auth.verify_password(PASSWORD, stored)
    assert not auth.verify_password(PASSWORD + " ", stored)
    assert not auth.verify_password("", stored)


def test_short_passwords_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        auth.hash_password("short")


@pytest.mark.parametrize(
    "bad",
    [
        "plaintext-password",
        "scrypt$16384$8$1$not base64!$AAAA",
        "scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "bcrypt$whatever",
    ],
)
def test_an_unusable_configured_hash_is_named_not_crashed_on(bad: str) -> None:
    with pytest.raises(auth.PasswordHashError):
        auth.check_hash(bad)


def test_five_failures_lock_a_client_out_for_fifteen_minutes() -> None:
    now = [1000.0]
    throttle = auth.LoginThrottle(clock=lambda: now[0])
    for _ in range(4):
        throttle.failure("10.0.0.7")
    assert throttle.seconds_locked("10.0.0.7") == 0
    throttle.failure("10.0.0.7")
    assert throttle.seconds_locked("10.0.0.7") == 15 * 60
    assert throttle.seconds_locked("10.0.0.8") == 0, "other clients are not locked out"
    now[0] += 14 * 60
    assert throttle.seconds_locked("10.0.0.7") == 60
    now[0] += 61
    assert throttle.seconds_locked("10.0.0.7") == 0


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock() -> None:
    now = [0.0]
    throttle = auth.LoginThrottle(clock=lambda: now[0])
    for _ in range(8):
        throttle.failure("client")
        now[0] += 5 * 60
    assert throttle.seconds_locked("client") == 0


def test_a_success_clears_the_count() -> None:
    throttle = auth.LoginThrottle(clock=lambda: 0.0)
    for _ in range(4):
        throttle.failure("client")
    throttle.success("client")
    throttle.failure("client")
    assert throttle.seconds_locked("client") == 0


def test_single_sign_on_users_must_be_on_the_list() -> None:
    allowed = ("Coordinator@DPS.ms.gov",)
    assert auth.is_allowed_email("coordinator@dps.ms.gov", allowed)
    assert not auth.is_allowed_email("someone@dps.ms.gov", allowed)
    assert not auth.is_allowed_email(None, allowed)
    assert not auth.is_allowed_email("coordinator@dps.ms.gov", ())


def test_hash_password_command_reads_stdin_and_prints_a_usable_hash() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "training", "hash-password"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=outside_project(),  # no secrets.toml of the project
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert auth.verify_password(PASSWORD, done.stdout.strip())
    short = subprocess.run(
        [sys.executable, "-m", "training", "hash-password"],
        input="short\n",
        capture_output=True,
        text=True,
        cwd=outside_project(),  # no secrets.toml of the project
        timeout=60,
    )
    assert short.returncode == 1 and "Traceback" not in short.stderr
    assert "at least 12 characters" in short.stderr


def test_behind_a_trusted_proxy_the_client_is_the_proxys_x_real_ip() -> None:
    from training.auth import client_address

    nginx = ("10.0.0.5",)
    assert client_address("10.0.0.5", {"X-Real-IP": "203.0.113.7"}, nginx) == "203.0.113.7"
    # Two officers behind the same nginx are two clients, not one shared lockout.
    assert client_address("10.0.0.5", {"x-real-ip": "203.0.113.8"}, nginx) == "203.0.113.8"
    # nginx on the same host: Streamlit reports the loopback peer as no address.
    assert client_address(None, {"X-Real-IP": "198.51.100.2"}, ("127.0.0.1",)) == "198.51.100.2"


def test_the_header_from_anyone_but_a_trusted_proxy_is_ignored() -> None:
    from training.auth import client_address

    assert client_address("203.0.113.7", {"X-Real-IP": "1.2.3.4"}, ()) == "203.0.113.7"
    assert client_address("203.0.113.7", {"X-Real-IP": "1.2.3.4"}, ("10.0.0.5",)) == "203.0.113.7"
    assert client_address(None, {"X-Real-IP": "1.2.3.4"}, ()) == "unknown client"
    assert client_address("10.0.0.5", {}, ("10.0.0.5",)) == "10.0.0.5"


def test_trusted_proxies_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from training.config import load_settings

    monkeypatch.setenv("TRAINING_TRUSTED_PROXIES", "10.0.0.5, 127.0.0.1")
    assert load_settings().trusted_proxies == ("10.0.0.5", "127.0.0.1")
    monkeypatch.delenv("TRAINING_TRUSTED_PROXIES")
    assert load_settings().trusted_proxies == ()
