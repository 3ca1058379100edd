"""Who is asking and what they may do: the first call of every view.

``allow(request, action)`` finds the actor (a signed-in department session, a center by
its link, or anyone), decides whether that actor may do ``action``, and for a POST reads
the form within its limits and checks its CSRF token. A refusal is raised as ``Refused``;
the app turns it into the sign-in redirect, the 403 page or the 404 page.

Signed-in accounts have a role: ``department`` (everything) or ``province`` (the actions whose
rule lists it, and only on its own province's centers: ``visible_center`` and scope.py answer
404 for any other province's center, report, download or figure, as if it did not exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..model import Center
from . import accounts, auth, scope, words
from .site import Site

Who = Literal["anyone", "center", "department"]  # "department": a signed-in account (see Rule.roles)
DEPARTMENT_ONLY = (accounts.DEPARTMENT,)
STAFF = (accounts.DEPARTMENT, accounts.PROVINCE)


@dataclass(frozen=True)
class FormLimits:
    max_files: int
    max_fields: int
    max_part_size: int


FORM = FormLimits(max_files=0, max_fields=1000, max_part_size=64 * 1024)
UPLOAD = FormLimits(max_files=200, max_fields=20, max_part_size=20 * 2**20)


@dataclass(frozen=True)
class Rule:
    who: Who
    limits: FormLimits = FORM  # of a POST's form
    while_open: bool = False  # refused once the department has closed the campaign
    roles: tuple[str, ...] = DEPARTMENT_ONLY  # the account roles allowed, for who="department"


# Every action a view performs, and who may perform it.
RULES: dict[str, Rule] = {
    "home": Rule("anyone"),
    "sign-in": Rule("anyone"),
    "center.view": Rule("center"),
    "center.answer": Rule("center", while_open=True),
    "center.report": Rule("center"),
    "sign-out": Rule("department", roles=STAFF),
    "dashboard.view": Rule("department", roles=STAFF),
    "campaign.view": Rule("department"),
    "campaign.open-close": Rule("department"),
    "builds.view": Rule("department"),
    "builds.start": Rule("department"),
    "links.view": Rule("department", roles=STAFF),
    "links.issue": Rule("department"),  # every center's link anew
    "links.reissue": Rule("department", roles=STAFF),  # one center's
    "centers.view": Rule("department"),
    "centers.replace": Rule("department", limits=UPLOAD),
    "center.detail": Rule("department", roles=STAFF),
    "center.review": Rule("department", roles=STAFF),  # accept: department only (views/review.py)
    "ingest.view": Rule("department"),
    "ingest.upload": Rule("department", limits=UPLOAD),
    "circular.view": Rule("department"),
    "circular.edit": Rule("department"),
    "files.view": Rule("department", roles=STAFF),
    "files.download": Rule("department", roles=STAFF),
    "archive.download": Rule("department"),
}

CLOSED, EXPIRED = words.CLOSED, words.EXPIRED


@dataclass(frozen=True)
class Actor:
    """Who is asking: an account (by its session), one center (by its link), or anyone."""

    who: Who
    session: str | None = None
    token: str | None = None
    center: Center | None = None
    account: accounts.Account | None = None

    @property
    def province(self) -> str:
        """The province this actor is limited to ("" for the department: every province)."""
        return self.account.province if self.account and not self.account.department else ""

    @property
    def name(self) -> str:
        """How the audit log names this actor."""
        if self.account:
            return self.account.actor
        if self.center:
            return f"center:{self.center.slug}"
        return "anyone"


class Refused(Exception):
    """The request stops here. ``kind``: "sign-in" (go and sign in), "forbidden" (403) or "not-found" (404)."""

    def __init__(self, kind: Literal["sign-in", "forbidden", "not-found"], message: str = "", next_path: str = ""):
        super().__init__(kind)
        self.kind, self.message, self.next_path = kind, message, next_path


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def may(actor: Actor, action: str, site: Site) -> str | None:
    """None when ``actor`` may do ``action``, else the reason (Thai)."""
    rule = RULES[action]
    if rule.who != "anyone" and actor.who != rule.who:
        return words.NOT_ALLOWED
    if rule.who == "department" and (actor.account is None or actor.account.role not in rule.roles):
        return words.DEPARTMENT_ONLY
    if rule.while_open and site.closed():
        return CLOSED
    return None


async def allow(request: Request, action: str) -> Actor:
    """The actor of ``request`` when it may do ``action`` (its POST form read into request.state.form,
    its CSRF token checked); raises Refused otherwise."""
    site, rule = site_of(request), RULES[action]
    actor = await run_in_threadpool(_actor, request, site, rule.who)
    if rule.who == "department" and actor.session is None:
        raise Refused("sign-in", next_path=request.url.path)
    if rule.who == "center" and actor.center is None:
        raise Refused("not-found")
    request.state.actor = actor
    key = _csrf_key(request, actor)
    if key is not None:
        request.state.csrf = site.csrf.token(key)
    if request.method == "POST":
        limits = rule.limits
        form = await request.form(
            max_files=limits.max_files, max_fields=limits.max_fields, max_part_size=limits.max_part_size
        )
        request.state.form = form
        if not site.csrf.valid(key, form.get("csrf_token")):
            raise Refused("forbidden", EXPIRED)
    reason = may(actor, action, site)
    if reason is not None:
        raise Refused("forbidden", reason)
    return actor


def _actor(request: Request, site: Site, who: Who) -> Actor:
    """Only what this action's rule asks for is looked up: a session, or the center of a link."""
    if who == "department":
        session = request.cookies.get(auth.SESSION_COOKIE)
        name = auth.session_user(site.db, session)
        account = accounts.get(site.db, name) if name else None
        return Actor("department", session=session, account=account) if account else Actor("anyone")
    if who == "center":
        token = str(request.path_params.get("token", ""))
        center = site.center_of_token(token)
        return Actor("center", token=token, center=center) if center else Actor("anyone")
    return Actor("anyone")


def _csrf_key(request: Request, actor: Actor) -> str | None:
    """What a form's CSRF token is bound to: the session, the center's link, or the sign-in cookie."""
    if actor.session:
        return "session:" + actor.session
    if actor.token:
        return "center:" + auth.digest(actor.token)
    bound = request.cookies.get(auth.SIGN_IN_COOKIE)
    return "sign-in:" + bound if bound else None


def visible_center(site: Site, actor: Actor, slug: str) -> Center:
    """The center ``slug`` when this actor may see it; Refused (404) for a missing one or another
    province's, so a province officer cannot tell them apart."""
    center = site.center_by_slug(slug)
    if center is None or not scope.sees(actor.province, center):
        raise Refused("not-found")
    return center


def sign_in_path(next_path: str) -> str:
    return "/department/sign-in?" + urlencode({"next": next_path})


def form_of(request: Request) -> Any:
    """The POST form allow() read."""
    return request.state.form
