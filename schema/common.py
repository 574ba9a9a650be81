"""What every part of the schema shares: the enums of the rules' own vocabulary, UserError,
PageInfo, and the resolvers' ``Info``."""

from __future__ import annotations

import strawberry

from gateway.i18n import Language
from gateway.problems import ErrorCode
from gateway.security_events import SecurityEventKind
from gateway.sessions import SessionStatus
from gateway.vocabulary import Channel, FileStatus, OnlineFeature, ProductLine
from schema.context import GatewayContext

Info = strawberry.Info[GatewayContext, None]

strawberry.enum(Language)
strawberry.enum(ErrorCode)
strawberry.enum(
    SessionStatus,
    description="Where a session stands on the way to being usable (R11, R12).",
)
strawberry.enum(SecurityEventKind, description="What happened to the account.")
strawberry.enum(Channel)
strawberry.enum(ProductLine)
strawberry.enum(FileStatus)
strawberry.enum(OnlineFeature, description="The online features a plan may offer (R13).")


@strawberry.type
class UserError:
    code: ErrorCode
    field: str | None = strawberry.field(
        description=(
            "camelCase name of the input field at fault (e.g. userCode, password), null when none."
        )
    )
    message: str = strawberry.field(
        description="A sentence for the member, in the request's language."
    )
    retry_after: int | None = strawberry.field(
        default=None,
        description="RATE_LIMITED, ACCOUNT_LOCKED: the seconds to wait before trying again.",
    )
    attempts_left: int | None = strawberry.field(
        default=None,
        description=(
            "INVALID_CREDENTIALS: the wrong tries still allowed before the user code is locked "
            "(counted for what was typed, whether or not it names an account)."
        ),
    )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
