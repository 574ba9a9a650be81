"""The member's types of contract/core.graphql: what a signed-in member reads; no rule here."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from graphql import GraphQLError

from gateway import rules
from gateway import sessions as session_rules
from gateway.access import Right
from gateway.i18n import Language, translate
from gateway.ids import IdKind, OpaqueIds
from gateway.security_events import MAX_EVENTS, InvalidCount, SecurityEventKind, security_events
from gateway.security_events import SecurityEvent as SecurityEventRecord
from gateway.sessions import SessionStatus
from gateway.vocabulary import Channel, FileStatus, OnlineFeature, ProductLine
from schema.claims import ViewerClaims
from schema.common import Info
from schema.guards import guarded
from store.records import Account, SignedIn
from store.records import InsuranceFile as FileRecord
from store.records import Session as SessionRecord


@strawberry.type
class RegistrationRules:
    user_code_min_length: int = rules.USER_CODE_MIN_LENGTH
    user_code_max_length: int = rules.USER_CODE_MAX_LENGTH
    user_code_pattern: str = strawberry.field(
        default=rules.USER_CODE_PATTERN,
        description="The user code's rule as a regular expression (R3).",
    )
    password_min_length: int = rules.PASSWORD_MIN_LENGTH
    password_max_length: int = rules.PASSWORD_MAX_LENGTH
    password_required_character_kinds: int = strawberry.field(
        default=rules.PASSWORD_REQUIRED_KINDS,
        description="How many of the 4 character kinds a password needs.",
    )
    password_hint_max_length: int = rules.HINT_MAX_LENGTH
    mothers_first_name_max_length: int = rules.MOTHERS_FIRST_NAME_MAX_LENGTH


@strawberry.type
class UsageAgreement:
    version: str
    language: Language
    title: str
    body: str
    published_at: datetime


@strawberry.type
class Coverage:
    benefit: str = strawberry.field(
        description="e.g. HEALTH, DENTAL, VISION, LIFE, DISABILITY, TRAVEL, as the registry says."
    )
    tier: str | None = strawberry.field(
        description="e.g. SINGLE, COUPLE, FAMILY; null when it does not apply."
    )


@strawberry.type(description='The details behind a file\'s "i" button (R11).')
class InsuranceFileInfo:
    member_name: str
    effective_date: date
    termination_date: date | None
    coverages: list[Coverage]
    online_features: list[OnlineFeature]


@strawberry.type(
    description="One contract + certificate that the signed-in user code gives access to."
)
class InsuranceFile:
    """Plain fields, built once per file: a resolver per field would cost more than the data."""

    id: strawberry.ID
    product_line: ProductLine
    contract_number: str
    certificate_number: str
    sponsor_name: str
    plan_name: str
    status: FileStatus
    info: InsuranceFileInfo

    @classmethod
    def of(cls, record: FileRecord, ids: OpaqueIds) -> InsuranceFile:
        return cls(
            id=strawberry.ID(ids.encode(IdKind.INSURANCE_FILE, record.certificate_id)),
            product_line=ProductLine(record.product_line),
            contract_number=record.contract_number,
            certificate_number=record.certificate_number,
            sponsor_name=record.sponsor_name,
            plan_name=record.plan_name,
            status=FileStatus(record.status),
            info=InsuranceFileInfo(
                member_name=record.member_name,
                effective_date=record.effective_date,
                termination_date=record.termination_date,
                coverages=[Coverage(benefit=c.benefit, tier=c.tier) for c in record.coverages],
                online_features=[OnlineFeature(f) for f in record.online_features],
            ),
        )


def to_files(records: tuple[FileRecord, ...], ids: OpaqueIds) -> list[InsuranceFile]:
    return [InsuranceFile.of(r, ids) for r in records]


@strawberry.input
class ProfileInput:
    first_name: str
    last_name: str
    email: str | None = None
    preferred_language: Language | None = None


@strawberry.type
class Profile:
    first_name: str
    last_name: str
    email: str | None
    preferred_language: Language

    @classmethod
    def of(cls, account: Account) -> Profile:
        return cls(
            first_name=account.first_name,
            last_name=account.last_name,
            email=account.email,
            preferred_language=Language(account.preferred_language),
        )


@strawberry.type
class Session:
    record: strawberry.Private[SignedIn]

    @strawberry.field
    def status(self) -> SessionStatus:
        return session_rules.status(self.record)

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.record.session.channel)

    @strawberry.field
    def expires_at(self, info: Info) -> datetime:
        return session_rules.expires_at(self.record.session, info.context.settings)

    @strawberry.field
    def selected_file(self, info: Info) -> InsuranceFile | None:
        selected = session_rules.selected_file(self.record)
        return InsuranceFile.of(selected, info.context.kit.ids) if selected else None


@strawberry.type(description="One of the member's open sessions, to review and end (beyond R10).")
class OpenSession:
    record: strawberry.Private[SessionRecord]
    current: bool = strawberry.field(description="Whether this request comes from it.")

    @strawberry.field
    def id(self, info: Info) -> strawberry.ID:
        return strawberry.ID(info.context.kit.ids.encode(IdKind.SESSION, self.record.id))

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.record.channel)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.record.created_at

    @strawberry.field
    def last_seen_at(self) -> datetime:
        return self.record.last_seen_at

    @strawberry.field
    def expires_at(self, info: Info) -> datetime:
        return session_rules.expires_at(self.record, info.context.settings)

    @strawberry.field
    def client_address(self) -> str | None:
        return self.record.client_address

    @strawberry.field
    def user_agent(self) -> str | None:
        return self.record.user_agent


@strawberry.type(description="Something that happened to the member's account (ASVS 2.2.3).")
class SecurityEvent:
    record: strawberry.Private[SecurityEventRecord]

    @strawberry.field
    def kind(self) -> SecurityEventKind:
        return self.record.kind

    @strawberry.field
    def occurred_at(self) -> datetime:
        return self.record.occurred_at

    @strawberry.field
    def channel(self) -> Channel | None:
        return Channel(self.record.channel) if self.record.channel in {"WEB", "MOBILE"} else None

    @strawberry.field(description="Where it came from, as the gateway saw it.")
    def client_address(self) -> str | None:
        return self.record.client_address

    @strawberry.field(description="Done by the insurer's staff rather than with the account.")
    def by_staff(self) -> bool:
        return self.record.by_staff

    @strawberry.field(description="A sentence for the member, in the request's language.")
    def description(self, info: Info) -> str:
        return translate(f"SECURITY_EVENT.{self.record.kind.value}", info.context.language)


@strawberry.type
class Viewer(ViewerClaims):
    record: strawberry.Private[SignedIn]

    @strawberry.field
    def user_code(self) -> str:
        return self.record.account.user_code

    @strawberry.field
    def profile(self) -> Profile:
        return Profile.of(self.record.account)

    @strawberry.field
    def session(self) -> Session:
        return Session(record=self.record)

    @strawberry.field
    def insurance_files(self, info: Info) -> list[InsuranceFile]:
        return to_files(self.record.files, info.context.kit.ids)

    @strawberry.field(
        description="Every open session of the member, this one included.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def sessions(self, info: Info) -> list[OpenSession]:
        records = await session_rules.open_sessions_of(
            self.record.account.id, info.context.settings
        )
        current = self.record.session.id
        return [OpenSession(record=r, current=r.id == current) for r in records]

    @strawberry.field(
        description=f"What happened to the account, newest first; first: 1 to {MAX_EVENTS}.",
        extensions=guarded(Right.ACTIVE_MEMBER),
    )
    async def security_events(self, first: int = 20) -> list[SecurityEvent]:
        try:
            records = await security_events(self.record.account.id, first)
        except InvalidCount as invalid:
            raise GraphQLError(str(invalid), extensions={"code": "BAD_USER_INPUT"}) from None
        return [SecurityEvent(record=r) for r in records]
