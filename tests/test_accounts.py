"""Coordinator accounts: read and checked from secrets.toml, signed in to by username and
password (a wrong username costs what a wrong password costs), and the scope each one sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from training import auth
from training.auth import ALL_AGENCIES, Account, Scope
from training.config import ConfigError, load_settings

HINDS = "Hinds County Sheriff's Office"
JACKSON = "Jackson Police Department"
PASSWORD = "hinds coordinator password"


@pytest.fixture(scope="module")
def hashed() -> str:
    return auth.hash_password(PASSWORD)


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The secrets.toml the settings read: in the test's own working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    return tmp_path / ".streamlit" / "secrets.toml"


def toml_accounts(*accounts: str) -> str:
    return "".join(f"[[coordinator.accounts]]\n{body}\n" for body in accounts)


def test_accounts_are_read_with_their_agencies(secrets_file: Path, hashed: str) -> None:
    secrets_file.write_text(
        toml_accounts(
            f'username = "state"\npassword_hash = "{hashed}"',
            # A listed agency in lower case with a typographic apostrophe is that agency.
            f'username = "Hinds"\npassword_hash = "{hashed}"\n'
            'agencies = ["hinds county sheriff\u2019s office", "Jackson Police Department"]',
            # A name that is not on the list is one an officer typed under "Other".
            f'username = "town"\npassword_hash = "{hashed}"\nagencies = ["Town of Example PD"]',
        ),
        encoding="utf-8",
    )
    state, hinds, town = load_settings().coordinator_accounts
    assert state == Account("state", hashed, None) and state.scope == ALL_AGENCIES
    assert state.scope.label == "All agencies"
    assert hinds.agencies == (HINDS, JACKSON)
    assert hinds.scope == Scope.of([JACKSON, HINDS]) and hinds.scope.label == f"{HINDS}; {JACKSON}"
    assert town.scope.agencies == ("Town of Example PD",)
    assert load_settings().coordinator_password_hash is None


def test_the_single_password_works_as_before(
    secrets_file: Path, hashed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_file.write_text(f'[coordinator]\npassword_hash = "{hashed}"\n', encoding="utf-8")
    settings = load_settings()
    assert settings.coordinator_password_hash == hashed and settings.coordinator_accounts == ()
    secrets_file.unlink()
    monkeypatch.setenv("TRAINING_COORDINATOR_PASSWORD_HASH", hashed)
    assert load_settings().coordinator_password_hash == hashed


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        ('[coordinator]\naccounts = "state"\n', r"each account as its own \[\[coordinator"),
        (toml_accounts('password_hash = "HASH"'), r"number 1: username is missing"),
        (
            toml_accounts('username = "state"\npassword_hash = "HASH"', 'username = " "'),
            r"number 2: username is missing",
        ),
        (
            toml_accounts('username = "jo smith"\npassword_hash = "HASH"'),
            r"'jo smith': use letters, digits, and \. _ @ - only",
        ),
        (
            toml_accounts(
                'username = "Hinds"\npassword_hash = "HASH"',
                'username = "hinds"\npassword_hash = "HASH"',
            ),
            r"account 'hinds': the username is used by another account",
        ),
        (toml_accounts('username = "state"'), r"account 'state': password_hash is missing"),
        (
            toml_accounts('username = "state"\npassword_hash = "letmein"'),
            r"account 'state': password_hash cannot be used: not an scrypt hash",
        ),
        (
            toml_accounts('username = "state"\npassword_hash = "HASH"\nagency = "Hinds"'),
            r"account 'state': unknown setting 'agency'",
        ),
        (
            toml_accounts('username = "hinds"\npassword_hash = "HASH"\nagencies = "Hinds"'),
            r"account 'hinds': agencies must be a list of agency names",
        ),
        (
            toml_accounts('username = "hinds"\npassword_hash = "HASH"\nagencies = []'),
            r"leave agencies out for an account that sees all agencies",
        ),
        (
            toml_accounts('username = "hinds"\npassword_hash = "HASH"\nagencies = ["<b>PD</b>"]'),
            r"account 'hinds': agency '<b>PD</b>': Use letters, spaces",
        ),
        (
            '[coordinator]\npassword_hash = "HASH"\n'
            + toml_accounts('username = "state"\npassword_hash = "HASH"'),
            r"cannot both be set: make the single password an account",
        ),
    ],
)
def test_a_bad_accounts_table_is_refused_naming_the_problem(
    secrets_file: Path, hashed: str, accounts: str, message: str
) -> None:
    secrets_file.write_text(accounts.replace("HASH", hashed), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_the_right_username_and_password_sign_in_in_any_case(hashed: str) -> None:
    hinds = Account("Hinds", hashed, (HINDS,))
    state = Account("state", auth.hash_password("the statewide password"), None)
    assert auth.authenticate([state, hinds], "  hINDS ", PASSWORD) == hinds
    assert auth.authenticate([state, hinds], "hinds", "the statewide password") is None
    assert auth.authenticate([state, hinds], "nobody", PASSWORD) is None
    assert auth.authenticate([state, hinds], "", "") is None


def test_an_unknown_username_costs_the_same_scrypt_work_as_a_wrong_password(
    hashed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time is not measured (tests never assert times): the work is. Each try derives one
    key with the same parameters, so nothing but the answer differs, and the answer is None."""
    calls: list[tuple[int, int, int, int]] = []
    derive = auth._derive

    def counted(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        calls.append((len(salt), n, r, p))
        return derive(password, salt, n, r, p)

    monkeypatch.setattr(auth, "_derive", counted)
    accounts = [Account("hinds", hashed, (HINDS,))]
    assert auth.authenticate(accounts, "hinds", "a wrong password!") is None
    assert auth.authenticate(accounts, "no-such-user", "a wrong password!") is None
    assert auth.authenticate(accounts, "not a username at all\x00", "") is None
    assert len(calls) == 3 and len(set(calls)) == 1, calls


def test_what_is_typed_as_a_username_is_counted_without_being_stored_as_typed() -> None:
    assert auth.username_key("  Hinds ") == "hinds"
    assert auth.username_key("x" * 65) == "?"
    assert auth.username_key("robert'); DROP TABLE--") == "?"
    assert auth.username_key("nul\x00") == "?"
    assert auth.throttle_counts(None, "10.0.0.1") == (("10.0.0.1", auth.MAX_FAILURES),)


def test_a_session_sees_what_its_account_sees_under_the_settings_now(hashed: str) -> None:
    hinds = Account("hinds", hashed, (HINDS,))
    signed_in = auth.signed_in_as_account(hinds)
    assert auth.scope_of(signed_in, [hinds], None, ()) == Scope.of([HINDS])
    narrowed = Account("hinds", hashed, (JACKSON,))
    assert auth.scope_of(signed_in, [narrowed], None, ()) == Scope.of([JACKSON])
    assert auth.scope_of(signed_in, [], None, ()) is None, "a removed account is signed out"
    password = auth.SIGNED_IN_WITH_PASSWORD
    assert auth.scope_of(password, [], hashed, ()) == ALL_AGENCIES
    assert auth.scope_of(password, [hinds], None, ()) is None, "the single password was replaced"
    sso = auth.signed_in_with_sso("coordinator@dps.ms.gov")
    assert auth.scope_of(sso, [], None, ("Coordinator@dps.ms.gov",)) == ALL_AGENCIES
    assert auth.scope_of(sso, [], None, ()) is None
    assert auth.scope_of("", [hinds], hashed, ()) is None


def test_a_scope_says_what_it_sees() -> None:
    assert ALL_AGENCIES.everything and ALL_AGENCIES.label == "All agencies"
    hinds = Scope.of([JACKSON, HINDS, JACKSON])
    assert hinds.agencies == (HINDS, JACKSON) and not hinds.everything
    assert hinds.label == f"{HINDS}; {JACKSON}"
