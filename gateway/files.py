"""The insurance files an account reaches, as the member sees them (R11, R13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.ids import decode_id, encode_id
from models.accounts import AccountCertificate
from models.registry import Certificate


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
    return encode_id("InsuranceFile", certificate_id)


def decode_file_id(file_id: str) -> int | None:
    return decode_id("InsuranceFile", file_id)


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
