"""The web app's commands: serve, links, set-password (hooked into pipeline.cli's parser).

gecc serve [--inputs DIR] [--outputs DIR] [--host H] [--port N] [--base-url URL] [--insecure-cookies]
gecc links [--base-url URL]        → outputs/links.csv (a new link for every center)
gecc set-password [--user NAME]    → an account's password (default: the department's), as an scrypt hash
gecc users add NAME --role department|province [--province จังหวัด]   (password on stdin or asked twice)
gecc users list | gecc users disable NAME
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import Settings

if TYPE_CHECKING:
    from .site import WebConfig

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


# What set-password and users can end with: none of a build's LibreOffice or font statuses.
ACCOUNT_EXITS = """\
สถานะเมื่อจบ / exit status:
  0 เรียบร้อย / done
  1 ไม่ได้เปลี่ยนแปลง: รหัสผ่านสั้นเกินไป พิมพ์สองครั้งไม่ตรงกัน หรือบัญชีไม่ถูกต้อง
    nothing changed: the password is too short, the two entries differ, or the account is wrong
  2 คำสั่งไม่ครบ (เช่น ไม่ได้ระบุชื่อผู้ใช้) / the command is incomplete (e.g. no user NAME)
  130 / 143 ถูกขัดจังหวะ / interrupted (Ctrl-C / SIGTERM)

รหัสผ่านอ่านจาก stdin (หนึ่งบรรทัด) เมื่อส่งต่อมาทางท่อ เช่น
  printf '%s\\n' "$PASSWORD" | gecc set-password
หรือถามสองครั้งเมื่อพิมพ์ที่เทอร์มินัล (ไม่แสดงบนจอ)
The password is read from standard input (one line) when it is piped, as above; at a terminal
it is asked for twice, not shown.
"""


def add_commands(
    command: Callable[..., argparse.ArgumentParser],
    folders: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add serve, links and set-password with ``command(name, help, run)`` and ``folders(sub)`` of pipeline.cli."""
    sub = command("serve", "เปิดเว็บสำหรับศูนย์และกรมการปกครอง / run the campaign web app", serve)
    folders(sub)
    sub.add_argument(
        "--host",
        default=os.environ.get("GECC_HOST", DEFAULT_HOST),
        help=f"address to listen on (default {DEFAULT_HOST}; behind a reverse proxy keep it)",
    )
    sub.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT), help=f"port (default {DEFAULT_PORT})"
    )
    _base_url(sub)
    sub.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="session cookies without Secure: only for plain http that is not localhost (testing)",
    )
    sub = command(
        "links",
        "เขียนลิงก์ส่วนตัวใหม่ของทุกศูนย์ลง outputs/links.csv (ลิงก์เดิมใช้ไม่ได้) / "
        "a new personal link for every center, in outputs/links.csv (old links stop)",
        links,
    )
    folders(sub)
    _base_url(sub)
    sub = command(
        "set-password",
        "ตั้งรหัสผ่าน (อ่านจาก stdin หรือถามสองครั้ง) ค่าเริ่มต้นคือบัญชี department / "
        "set an account's password (read from stdin, or asked twice); default the department's account",
        set_password,
        ACCOUNT_EXITS,
    )
    folders(sub)
    sub.add_argument("--user", default="department", metavar="NAME", help="the account (default: department)")
    sub = command(
        "users",
        "บัญชีผู้ใช้: add เพิ่ม (รหัสผ่านจาก stdin หรือถามสองครั้ง), list แสดง, disable ระงับ / "
        "accounts: add (password from stdin or asked twice), list, disable",
        users,
        ACCOUNT_EXITS,
    )
    folders(sub)
    sub.add_argument("what", choices=("add", "list", "disable"), help="add | list | disable")
    sub.add_argument("name", nargs="?", metavar="NAME", help="the account's user name (add, disable)")
    sub.add_argument(
        "--role", choices=("department", "province"), help="department: everything; province: its province only"
    )
    sub.add_argument("--province", default="", metavar="จังหวัด", help="the province a province account sees")


def _base_url(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--base-url",
        default=os.environ.get("GECC_BASE_URL") or None,
        metavar="URL",
        help="the address centers open, e.g. https://gecc.example.go.th (default: http://HOST:PORT)",
    )


def _config(args: argparse.Namespace, **changes: Any) -> WebConfig:
    from .site import WebConfig

    settings = Settings.from_environment(args.inputs, args.outputs)
    port = getattr(args, "port", DEFAULT_PORT)
    host = getattr(args, "host", DEFAULT_HOST)
    base = args.base_url if getattr(args, "base_url", None) else f"http://{host}:{port}"
    return WebConfig(settings, base_url=base.rstrip("/"), **changes)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import RedactTokens, create_app
    from .slow import SERVER_OPTIONS, HeadTimeout, allow_connections

    allow_connections()
    config = _config(args, secure_cookies=not args.insecure_cookies)
    app = create_app(config)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    sys.stderr.write(f"GECC: {config.base_url}/department (กรมการปกครอง) · ข้อมูลเว็บ {config.database_path}\n")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("GECC_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_config=_log_config(),
        http=HeadTimeout,  # a request head sent a byte at a time is cut off (slow.py)
        **SERVER_OPTIONS,
    )
    return 0


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with every center's token cut out of the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {**LOGGING_CONFIG, "filters": {"redact": {"()": "pipeline.web.app.RedactTokens"}}}
    config["handlers"] = {name: {**h, "filters": ["redact"]} for name, h in LOGGING_CONFIG["handlers"].items()}
    return config


def links(args: argparse.Namespace) -> int:
    from ..audit import append, cli_actor
    from .site import Site

    site = Site(_config(args))
    target = site.write_links()
    append(site.settings.outputs, cli_actor(), "links", {"file": target.name})
    sys.stderr.write(
        f"เขียน {target} แล้ว: ลิงก์ใหม่ของทุกศูนย์ ลิงก์เดิมใช้ไม่ได้แล้ว\n"
        f"wrote {target}: a new link for every center; the old links no longer work\n"
    )
    return 0


def _read_password() -> str | None:
    """A password typed twice at a terminal, or one line of standard input; None when the two differ."""
    if sys.stdin.isatty():
        password = getpass.getpass("รหัสผ่านใหม่ / new password: ")
        if getpass.getpass("อีกครั้ง / again: ") != password:
            sys.stderr.write("รหัสผ่านสองครั้งไม่ตรงกัน ไม่ได้เปลี่ยน / the two entries differ: nothing changed\n")
            return None
        return password
    return sys.stdin.readline().rstrip("\r\n")


def set_password(args: argparse.Namespace) -> int:
    from ..audit import append, cli_actor
    from . import accounts
    from .db import Database

    password = _read_password()
    if password is None:
        return 1
    if len(password) < accounts.MIN_PASSWORD:
        sys.stderr.write(
            f"รหัสผ่านต้องยาวอย่างน้อย {accounts.MIN_PASSWORD} ตัวอักษร ไม่ได้เปลี่ยน / "
            f"at least {accounts.MIN_PASSWORD} characters: nothing changed\n"
        )
        return 1
    config = _config(args)
    try:
        accounts.set_password(Database(config.database_path), args.user, password)
    except accounts.AccountError as error:
        sys.stderr.write(f"{error} ไม่ได้เปลี่ยน / nothing changed\n")
        return 1
    append(config.settings.outputs, cli_actor(), "set-password", {"user": args.user})
    sys.stderr.write(f"ตั้งรหัสผ่านของ {args.user} แล้ว (เก็บแบบ scrypt ใน {config.database_path}) / password set\n")
    return 0


def users(args: argparse.Namespace) -> int:
    from ..audit import append, cli_actor
    from . import accounts
    from .db import Database

    config = _config(args)
    db = Database(config.database_path)
    if args.what == "list":
        roles = {"department": "กรมการปกครอง", "province": "จังหวัด"}
        for a in accounts.every(db):
            state = " (ระงับแล้ว / disabled)" if a.disabled else ""
            sys.stdout.write(f"{a.name}\t{a.role}\t{roles[a.role]}{a.province}{state}\n")
        return 0
    if not args.name:
        sys.stderr.write(f"gecc users {args.what}: ต้องระบุชื่อผู้ใช้ / a user NAME is needed\n")
        return 2
    try:
        if args.what == "disable":
            accounts.disable(db, args.name)
            append(config.settings.outputs, cli_actor(), "user-disable", {"user": args.name})
            sys.stderr.write(f"ระงับบัญชี {args.name} แล้ว ออกจากระบบทุกที่แล้ว / {args.name} disabled\n")
            return 0
        account = accounts.Account(args.name, args.role or "", args.province.strip())
        provinces = _provinces(config.settings) if account.role == accounts.PROVINCE else []
        accounts.check_new(account.name, account.role, account.province, "x" * accounts.MIN_PASSWORD, provinces)
        password = _read_password()
        if password is None:
            return 1
        accounts.check_new(account.name, account.role, account.province, password, provinces)
        accounts.add(db, account, password)
    except accounts.AccountError as error:
        sys.stderr.write(f"{error}\nไม่ได้เปลี่ยนแปลงบัญชีใด / nothing changed\n")
        return 1
    detail = {"user": account.name, "role": account.role, "province": account.province}
    append(config.settings.outputs, cli_actor(), "user-add", detail)
    sys.stderr.write(f"เพิ่มบัญชี {account.name} แล้ว / account added\n")
    return 0


def _provinces(settings: Settings) -> list[str]:
    from ..service import load

    return list(dict.fromkeys(c.province for c in load(settings).centers))


def main(argv: list[str] | None = None) -> int:
    """Standalone: python -m pipeline.web.cli serve|links|set-password …"""
    top = argparse.ArgumentParser(prog="python -m pipeline.web.cli")
    commands = top.add_subparsers(dest="command", required=True)

    def command(
        name: str, help: str, run: Callable[[argparse.Namespace], int], exits: str = ""
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, epilog=exits, formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(run=run)
        return sub

    def folders(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--inputs", type=Path, default=Path("inputs"))
        sub.add_argument("--outputs", type=Path, default=Path("outputs"))

    add_commands(command, folders)
    args = top.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
