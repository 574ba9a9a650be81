"""The insurance files an account reaches, as the member sees them (R11, R13)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date

from models.accounts import AccountCertificate
from models.registry import Certificate

_ID_PREFIX = "InsuranceFile:"


@dataclass(frozen=True)
class Coverage:
    benefit: str
    tier: str | None


@dataclass(frozen=True)
class InsuranceFile:
    certificate_id: int
    product_line: str
    contract_number: str
    certificate_number: str
    sponsor_name: str
    plan_name: str
    status: str
    member_name: str
    effective_date: date
    termination_date: date | None
    coverages: tuple[Coverage, ...]
    online_features: tuple[str, ...]

    @property
    def global_id(self) -> str:
        return encode_file_id(self.certificate_id)


def encode_file_id(certificate_id: int) -> str:
    """Opaque to clients, so that row numbers are not an API promise."""
    raw = f"{_ID_PREFIX}{certificate_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_file_id(file_id: str) -> int | None:
    try:
        padded = file_id + "=" * (-len(file_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not raw.startswith(_ID_PREFIX):
        return None
    number = raw[len(_ID_PREFIX) :]
    return int(number) if number.isdigit() and len(number) < 19 else None


def to_file(certificate: Certificate) -> InsuranceFile:
    contract = certificate.contract
    return InsuranceFile(
        certificate_id=certificate.id,
        product_line=contract.product_line,
        contract_number=contract.number,
        certificate_number=certificate.number,
        sponsor_name=contract.sponsor_name,
        plan_name=contract.plan_name,
        status=certificate.status,
        member_name=f"{certificate.first_name} {certificate.last_name}",
        effective_date=certificate.effective_date,
        termination_date=certificate.termination_date,
        coverages=tuple(Coverage(c["benefit"] or "", c.get("tier")) for c in certificate.coverages),
        online_features=tuple(contract.online_features),
    )


async def files_of_account(account_id: int) -> list[InsuranceFile]:
    """Every file of the account in one query, in the order they were linked."""
    links = (
        await AccountCertificate.filter(account_id=account_id)
        .select_related("certificate__contract")
        .order_by("id")
    )
    return [to_file(link.certificate) for link in links]
