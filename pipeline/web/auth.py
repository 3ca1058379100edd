"""Who may do what: centers by their personal link, the department and provinces by account and session.

Center links carry secrets.token_urlsafe(32) (256 bits); only its SHA-256 is kept, so
the database alone cannot open a center's form. A fast hash is right for a 256-bit
random token; the department's password, chosen by a person, gets scrypt. CSRF
tokens are HMACs of what already identifies the caller (the link, the session, the
sign-in cookie) with the app's secret: nothing more to store, nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .db import Database, now

T = TypeVar("T")

SESSION_COOKIE = "gecc_session"
SIGN_IN_COOKIE = "gecc_signin"  # a random value the sign-in form's CSRF token is bound to
SESSION_SECONDS = 8 * 3600
SIGN_IN_WINDOW = 15 * 60  # failed sign-ins counted over this many seconds …
SIGN_IN_LIMIT = 5  # … per address; then refused until the window has passed
SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 2**20}  # ~0.1 s and 32 MiB per attempt
DEFAULT_ACCOUNT = "department"  # the earlier single password's account; an empty user name means it
DUMMY_HASH = f"scrypt${2**15}$8$1${'00' * 16}${'00' * 32}"  # hashed against for an unknown user name


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- the department's password --------------------------------------------------------


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        name, n, r, p, salt, key = stored.split("$")
        found = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            dklen=len(bytes.fromhex(key)),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=SCRYPT["maxmem"],
        )
    except (ValueError, TypeError):
        return False
    return name == "scrypt" and hmac.compare_digest(found.hex(), key)


def set_password(db: Database, password: str, name: str = DEFAULT_ACCOUNT) -> None:
    """A new password for account ``name`` (``department``, the earlier single password's account, is
    made when missing); that account's sessions end and it is enabled again."""
    hashed = hash_password(password)
    with db.connect() as con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            con.execute("UPDATE users SET password = ?, disabled = 0 WHERE name = ?", (hashed, name))
        elif name == DEFAULT_ACCOUNT:
            con.execute(
                "INSERT INTO users (name, role, province, password, created) VALUES (?, 'department', '', ?, ?)",
                (name, hashed, now()),
            )
        else:
            raise KeyError(name)
        con.execute("DELETE FROM sessions WHERE user = ?", (name,))


def has_password(db: Database) -> bool:
    """Whether anyone can sign in (an enabled account)."""
    return db.one("SELECT 1 FROM users WHERE disabled = 0 LIMIT 1") is not None


def _account_matches(db: Database, name: str, password: str) -> str | None:
    """The account's name when ``name`` (empty: the department's) and ``password`` match an enabled
    account. An unknown name costs the same scrypt, so timing does not tell which names exist."""
    name = name.strip() or DEFAULT_ACCOUNT
    row = db.one("SELECT password, disabled FROM users WHERE name = ?", name)
    ok = password_matches(password, row["password"] if row else DUMMY_HASH)
    return name if row and ok and not row["disabled"] else None


# --- sign-in attempts -------------------------------------------------------------------


def claim_attempt(db: Database, address: str) -> int | None:
    """An attempt counted for ``address`` (its id), or None when the address is locked out.

    The check and the recording are one transaction (BEGIN IMMEDIATE: one writer at a time),
    taken before the slow hash: a burst of any size from one address gets SIGN_IN_LIMIT tries,
    never more. The attempt counts as failed until ``sign_in`` finds the password right.
    """
    with db.connect() as con:
        con.execute("DELETE FROM sign_ins WHERE at < ?", (now() - SIGN_IN_WINDOW,))
        row = con.execute(
            "SELECT count(*) FROM sign_ins WHERE address = ? AND ok = 0 AND at > ?",
            (address, now() - SIGN_IN_WINDOW),
        ).fetchone()
        if row[0] >= SIGN_IN_LIMIT:
            return None
        return con.execute("INSERT INTO sign_ins (address, at, ok) VALUES (?, ?, 0)", (address, now())).lastrowid


def sign_in(db: Database, attempt: int, password: str, name: str = "") -> str | None:
    """A new session id of account ``name`` when its password is right; ``attempt`` (from
    ``claim_attempt``) records how it went."""
    user = _account_matches(db, name, password)
    if user is None:
        return None  # the attempt stays counted as failed
    with db.connect() as con:
        con.execute("UPDATE sign_ins SET ok = 1 WHERE rowid = ?", (attempt,))
        session = secrets.token_urlsafe(32)
        con.execute("DELETE FROM sessions WHERE expires < ?", (now(),))
        con.execute(
            "INSERT INTO sessions (id_hash, created, expires, user) VALUES (?, ?, ?, ?)",
            (digest(session), now(), now() + SESSION_SECONDS, user),
        )
        return session


def session_valid(db: Database, session: str | None) -> bool:
    return session_user(db, session) is not None


def session_user(db: Database, session: str | None) -> str | None:
    """The account name of a live session of an enabled account."""
    if not session:
        return None
    row = db.one(
        "SELECT s.expires, s.user FROM sessions s JOIN users u ON u.name = s.user "
        "WHERE s.id_hash = ? AND u.disabled = 0",
        digest(session),
    )
    return str(row["user"]) if row is not None and row["expires"] > now() else None


def sign_out(db: Database, session: str | None) -> None:
    if session:
        db.run("DELETE FROM sessions WHERE id_hash = ?", digest(session))


# --- CSRF -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Csrf:
    secret: bytes

    def token(self, bound_to: str) -> str:
        return hmac.new(self.secret, bound_to.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, bound_to: str | None, given: object) -> bool:
        if not bound_to or not isinstance(given, str):
            return False
        return hmac.compare_digest(self.token(bound_to), given)


# --- center links -----------------------------------------------------------------------


def issue_link(db: Database, province: str, center: str) -> str:
    """A new token for the center's link; the old link stops working in the same transaction."""
    return issue_links(db, [(province, center)], lambda tokens: tokens[0])


def issue_links(db: Database, centers: Sequence[tuple[str, str]], keep: Callable[[list[str]], T]) -> T:
    """A new token for each (province, center)'s link, in one transaction that ``keep(tokens)`` ends:
    ``keep`` writes where the links are kept (links.csv). If it fails, nothing is issued and every old
    link still works: a full disk must not leave the centers with links that exist nowhere."""
    tokens = [secrets.token_urlsafe(32) for _ in centers]
    issued = now()
    with db.connect() as con:
        con.executemany(
            "INSERT INTO links (province, center, token_hash, issued_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (province, center) DO UPDATE SET token_hash = excluded.token_hash, "
            "issued_at = excluded.issued_at",
            [
                (province, center, digest(token), issued)
                for (province, center), token in zip(centers, tokens, strict=True)
            ],
        )
        return keep(tokens)


def center_of_token(db: Database, token: str) -> tuple[str, str] | None:
    if not token or len(token) > 200:
        return None
    row = db.one("SELECT province, center FROM links WHERE token_hash = ?", digest(token))
    return (row["province"], row["center"]) if row else None
