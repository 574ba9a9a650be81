"""Per-request context: who is calling, in which language, and what the request may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from gateway import access, audit, sessions, tokens
from gateway.access import Caller, KeyCaller, Right
from gateway.audit import Origin
from gateway.i18n import Language, language_from_header
from gateway.problems import ErrorCode, Problem, waiting
from gateway.ratelimit import AddressRateLimiter
from gateway.settings import Settings
from gateway.toolkit import Toolkit
from store.records import SignedIn

_UNSET = object()


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def is_json_post(request: Request) -> bool:
    """Browsers cannot send a cross-site JSON POST without CORS consent: cookies are safe here."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.method == "POST" and content_type == "application/json"


@dataclass
class GatewayContext:
    request: Request
    response: Response
    settings: Settings
    kit: Toolkit
    rate_limiter: AddressRateLimiter
    language: Language
    client_address: str | None
    _caller: object = field(default=_UNSET, repr=False)

    @classmethod
    def build(
        cls, request: Request, response: Response, kit: Toolkit, rate_limiter: AddressRateLimiter
    ) -> GatewayContext:
        state = request.scope.setdefault("state", {})
        language = language_from_header(request.headers.get("accept-language"))
        state["language"] = language  # for the messages of errors no resolver made
        return cls(
            request=request,
            response=response,
            settings=kit.settings,
            kit=kit,
            rate_limiter=rate_limiter,
            language=language,
            client_address=state.get("client_address")
            or (request.client.host if request.client else None),
        )

    def origin(self, channel: str | None = None) -> Origin:
        return Origin(
            channel=channel or "WEB",
            client_address=self.client_address,
            user_agent=self.request.headers.get("user-agent"),
            language=self.language,
            request_id=self.request.scope.get("state", {}).get("request_id"),
        )

    @property
    def cookie_name(self) -> str:
        """``__Host-`` whenever the cookie is Secure: then no sibling sub-domain can plant a
        cookie of that name (and Starlette keeps the last of duplicates)."""
        name = self.settings.cookie_name
        return f"__Host-{name}" if self.settings.cookie_secure else name

    @property
    def cookie_token(self) -> str | None:
        return self.request.cookies.get(self.cookie_name)

    async def caller(self, *, for_mutation: bool = False) -> Caller:
        """Who is calling, looked up once per request.

        The bearer header carries a member token or an API key; the cookie only a member
        token, and only counts for a mutation sent as a JSON POST (no CSRF by form or link).
        """
        if self._caller is _UNSET:
            self._caller = await self._find_caller()
        caller = self._caller
        assert caller is None or isinstance(caller, SignedIn | KeyCaller)
        if for_mutation and isinstance(caller, SignedIn) and not self._may_mutate_by_cookie():
            return None
        return caller

    async def signed_in(self) -> SignedIn | None:
        caller = await self.caller()
        return caller if isinstance(caller, SignedIn) else None

    async def admit(self, right: Right, *, mutation: bool) -> list[Problem]:
        """The problems that keep this request from a field that needs ``right`` (none when
        it may go on); counts the attempt when the right is counted per address."""
        reason = access.deny_reason(await self.caller(for_mutation=mutation), right)
        if reason is not None:
            return [Problem(reason)]
        if right.counted_per_address:
            wait = await self.rate_limiter.retry_after(self.client_address)
            if wait is not None:
                return [waiting(ErrorCode.RATE_LIMITED, timedelta(seconds=wait))]
        return []

    async def record_refusal(self, right: Right, field_name: str, reason: ErrorCode) -> None:
        """Every refused or forbidden call is in the audit trail, with who tried (issue 15)."""
        caller = self._caller if self._caller is not _UNSET else None
        await audit.record(
            "refused",
            self.origin(),
            account_id=caller.account.id if isinstance(caller, SignedIn) else None,
            actor=caller.name if isinstance(caller, KeyCaller) else None,
            field=field_name,
            right=right.value,
            reason=reason.value,
        )

    def member(self) -> SignedIn:
        """The caller a field guarded by ``Right.MEMBER`` was admitted with."""
        assert isinstance(self._caller, SignedIn), "a member field without its guard"
        return self._caller

    def key(self) -> KeyCaller:
        """The caller a field guarded by a key's right was admitted with."""
        assert isinstance(self._caller, KeyCaller), "a key field without its guard"
        return self._caller

    def update_member(self, signed_in: SignedIn) -> None:
        """The session as a mutation left it, for the fields resolved after it."""
        self._caller = signed_in

    async def _find_caller(self) -> Caller:
        token = bearer_token(self.request)
        if token is not None and tokens.is_api_key(token):
            return await access.find_key(token)
        if token is not None:
            return await sessions.find_signed_in(token, self.settings)
        cookie = self.cookie_token
        if cookie is None:
            return None
        signed_in = await sessions.find_signed_in(cookie, self.settings)
        if signed_in is None:
            self.clear_session_cookie()  # ended or expired: the browser may forget it
        return signed_in

    def _may_mutate_by_cookie(self) -> bool:
        """A JSON POST, or a multipart upload that carried a preflight header: neither can be
        sent across sites without CORS consent."""
        preflighted = bool(self.request.scope.get("state", {}).get("csrf_preflight"))
        return bearer_token(self.request) is not None or is_json_post(self.request) or preflighted

    def forget_session(self) -> None:
        self._caller = None

    def set_session_cookie(self, token: str) -> None:
        self.response.set_cookie(
            self.cookie_name,
            token,
            max_age=self.settings.session_max_hours * 3600,
            path="/",
            httponly=True,
            secure=self.settings.cookie_secure,
            samesite="strict",
        )

    def clear_session_cookie(self) -> None:
        self.response.delete_cookie(
            self.cookie_name,
            path="/",
            httponly=True,
            secure=self.settings.cookie_secure,
            samesite="strict",
        )
