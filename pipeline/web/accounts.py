"""Named accounts: the department's (everything the dashboard does) and each province's officers
(only their province's centers). Passwords are kept as scrypt hashes (auth.hash_password).

The one department password of earlier releases is the account ``department``: signing in
with an empty user name means that account, so scripts that post only a password keep working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import auth
from .db import Database, now

DEPARTMENT, PROVINCE = "department", "province"
ROLES = (DEPARTMENT, PROVINCE)
DEFAULT = auth.DEFAULT_ACCOUNT  # the account of the earlier single password, and of an empty user name
MIN_PASSWORD = 10
NAME = re.compile(r"^[^\s/\\:\x00-\x1f]{1,64}$")  # no spaces, slashes or colons (it goes in the audit log)


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    province: str = ""
    disabled: bool = False

    @property
    def department(self) -> bool:
        return self.role == DEPARTMENT

    @property
    def actor(self) -> str:
        """How the audit log names this account."""
        return f"user:{self.name}"


class AccountError(ValueError):
    """A change that cannot be made (Thai message)."""


def _account(row: object) -> Account:
    r = row  # sqlite3.Row
    return Account(r["name"], r["role"], r["province"], bool(r["disabled"]))  # type: ignore[index]


def get(db: Database, name: str) -> Account | None:
    row = db.one("SELECT name, role, province, disabled FROM users WHERE name = ?", name)
    return _account(row) if row else None


def every(db: Database) -> list[Account]:
    rows = db.all("SELECT name, role, province, disabled FROM users ORDER BY role, province, name")
    return [_account(r) for r in rows]


def check_new(name: str, role: str, province: str, password: str, provinces: Sequence[str]) -> None:
    """Raise AccountError naming everything wrong with a new account."""
    problems = []
    if not NAME.match(name):
        problems.append(f"ชื่อผู้ใช้ “{name}” ใช้ไม่ได้: ต้องยาว 1–64 ตัวอักษร ไม่มีช่องว่าง / : หรือ \\")
    if role not in ROLES:
        problems.append(f"บทบาท “{role}” ไม่มี: ใช้ department (กรมการปกครอง) หรือ province (จังหวัด)")
    if role == PROVINCE and province not in provinces:
        near = [p for p in provinces if province and (province in p or p in province)]
        hint = f" หมายถึง {', '.join(near)} หรือไม่" if near else ""
        problems.append(f"จังหวัด “{province}” ไม่อยู่ในรายชื่อศูนย์ (centers.csv){hint}")
    if role == DEPARTMENT and province:
        problems.append("บัญชีของกรมการปกครองไม่ต้องระบุ --province (เห็นทุกจังหวัด)")
    if len(password) < MIN_PASSWORD:
        problems.append(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร")
    if problems:
        raise AccountError("\n".join(problems))


def add(db: Database, account: Account, password: str) -> None:
    """A new account; AccountError when the name is taken."""
    with db.connect() as con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", (account.name,)).fetchone():
            raise AccountError(f"มีผู้ใช้ชื่อ “{account.name}” อยู่แล้ว")
        con.execute(
            "INSERT INTO users (name, role, province, password, created) VALUES (?, ?, ?, ?, ?)",
            (account.name, account.role, account.province, auth.hash_password(password), now()),
        )


def disable(db: Database, name: str) -> None:
    """The account can no longer sign in; its sessions end now."""
    with db.connect() as con:
        if not con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(f"ไม่มีผู้ใช้ชื่อ “{name}”")
        con.execute("UPDATE users SET disabled = 1 WHERE name = ?", (name,))
        con.execute("DELETE FROM sessions WHERE user = ?", (name,))


def set_password(db: Database, name: str, password: str) -> None:
    """A new password for ``name`` (``department`` is made if missing); its sessions end, and a
    disabled account is enabled again."""
    try:
        auth.set_password(db, password, name)
    except KeyError:
        raise AccountError(f"ไม่มีผู้ใช้ชื่อ “{name}”") from None
