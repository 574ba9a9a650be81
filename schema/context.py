"""Per-request context: who is calling, in which language, and per-request caches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from gateway import access, sessions
from gateway.access import Caller, KeyCaller
from gateway.audit import Origin
from gateway.files import InsuranceFile, files_of_account
from gateway.i18n import Language, language_from_header
from gateway.ratelimit import AddressRateLimiter
from gateway.settings import Settings
from gateway.toolkit import Toolkit
from models.sessions import Session

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
    _files: dict[int, asyncio.Future[list[InsuranceFile]]] = field(default_factory=dict, repr=False)
    _statuses: dict[int, sessions.SessionStatus] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        request: Request,
        response: Response,
        kit: Toolkit,
        rate_limiter: AddressRateLimiter,
    ) -> GatewayContext:
        state = request.scope.get("state", {})
        return cls(
            request=request,
            response=response,
            settings=kit.settings,
            kit=kit,
            rate_limiter=rate_limiter,
            language=language_from_header(request.headers.get("accept-language")),
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
    def cookie_token(self) -> str | None:
        return self.request.cookies.get(self.settings.cookie_name)

    async def caller(self, *, for_mutation: bool = False) -> Caller:
        """Who is calling, looked up once per request.

        The bearer header carries a member token or an API key; the cookie only a member
        token, and only counts for a mutation sent as a JSON POST (no CSRF by form or link).
        """
        if self._caller is _UNSET:
            self._caller = await self._find_caller()
        caller = self._caller
        assert caller is None or isinstance(caller, Session | KeyCaller)
        if for_mutation and isinstance(caller, Session) and not self._may_mutate_by_cookie():
            return None
        return caller

    async def session(self, *, for_mutation: bool = False) -> Session | None:
        caller = await self.caller(for_mutation=for_mutation)
        return caller if isinstance(caller, Session) else None

    async def _find_caller(self) -> Caller:
        token = bearer_token(self.request)
        if token is not None and access.is_api_key(token):
            return await access.find_key(token)
        token = token or self.cookie_token
        session = await sessions.find_session(token, self.settings) if token else None
        files = getattr(session, "files", None)
        if session is not None and files is not None:
            self.remember_files(session.account_id, files)
        return session

    def _may_mutate_by_cookie(self) -> bool:
        return bearer_token(self.request) is not None or is_json_post(self.request)

    def forget_session(self) -> None:
        self._caller = None
        self._statuses.clear()

    async def files_of(self, account_id: int) -> list[InsuranceFile]:
        """One query per request, however many fields ask at once (they resolve together)."""
        if account_id not in self._files:
            self._files[account_id] = asyncio.ensure_future(files_of_account(account_id))
        return await self._files[account_id]

    def remember_files(self, account_id: int, files: list[InsuranceFile]) -> None:
        known: asyncio.Future[list[InsuranceFile]] = asyncio.get_running_loop().create_future()
        known.set_result(files)
        self._files[account_id] = known

    async def status_of(self, session: Session) -> sessions.SessionStatus:
        if session.id not in self._statuses:
            self._statuses[session.id] = await sessions.session_status(session)
        return self._statuses[session.id]

    def set_session_cookie(self, token: str) -> None:
        self.response.set_cookie(
            self.settings.cookie_name,
            token,
            max_age=self.settings.session_max_hours * 3600,
            path="/",
            httponly=True,
            secure=self.settings.cookie_secure,
            samesite="strict",
        )

    def clear_session_cookie(self) -> None:
        self.response.delete_cookie(
            self.settings.cookie_name,
            path="/",
            httponly=True,
            secure=self.settings.cookie_secure,
            samesite="strict",
        )
