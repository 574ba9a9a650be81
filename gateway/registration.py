"""R1-R8: a new user code for one contract and certificate, in one transaction."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gateway import audit, rules
from gateway.audit import Origin
from gateway.hashing import Hasher
from gateway.problems import ErrorCode, Problem
from gateway.text import canonical_number, fold
from models.accounts import Account, AccountCertificate
from models.registry import Certificate


@dataclass(frozen=True)
class RegistrationForm:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str
    password_confirmation: str
    password_hint: str
    mothers_first_name: str
    profile: rules.ProfileForm | None = None


@dataclass(frozen=True)
class RegistrationResult:
    user_code: str | None
    problems: list[Problem]


def format_problems(form: RegistrationForm) -> list[Problem]:
    """Every rule that needs no database, all reported at once."""
    problems = [
        *rules.check_number(form.contract_number, "contractNumber"),
        *rules.check_number(form.certificate_number, "certificateNumber"),
        *rules.check_user_code(form.user_code),
        *rules.check_password(form.password, form.user_code),
        *rules.check_confirmation(
            form.password, form.password_confirmation, "passwordConfirmation"
        ),
        *rules.check_hint(form.password_hint, form.password),
        *rules.bounded_text(
            form.mothers_first_name, "mothersFirstName", rules.MOTHERS_FIRST_NAME_MAX_LENGTH
        ),
    ]
    if form.profile is not None:
        problems += rules.check_profile(form.profile)
    return problems


async def verify_identity(
    contract_number: str, certificate_number: str, date_of_birth: date
) -> Certificate | None:
    """R1: the three must match one registry certificate; which one failed is not told."""
    certificate = await Certificate.filter(
        contract__number=canonical_number(contract_number),
        number=canonical_number(certificate_number),
    ).first()
    if certificate is None or certificate.date_of_birth != date_of_birth:
        return None
    return certificate


async def _identity_problems(form: RegistrationForm) -> tuple[Certificate | None, list[Problem]]:
    """Whether the user code is taken is only told to someone who proved an identity."""
    certificate = await verify_identity(
        form.contract_number, form.certificate_number, form.date_of_birth
    )
    if certificate is None:
        return None, [Problem(ErrorCode.IDENTITY_NOT_VERIFIED)]
    problems = []
    if await AccountCertificate.exists(certificate_id=certificate.id):
        problems.append(Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber"))
    if not rules.check_user_code(form.user_code) and await Account.exists(
        user_code_canonical=rules.canonical_user_code(form.user_code)
    ):
        problems.append(Problem(ErrorCode.USER_CODE_TAKEN, "userCode"))
    return certificate, problems


async def _conflicts(certificate_id: int, user_code: str) -> list[Problem]:
    """After the unique keys refused an insert: tell which of them did."""
    problems = []
    if await AccountCertificate.exists(certificate_id=certificate_id):
        problems.append(Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber"))
    if await Account.exists(user_code_canonical=rules.canonical_user_code(user_code)):
        problems.append(Problem(ErrorCode.USER_CODE_TAKEN, "userCode"))
    return problems or [Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")]


async def register_member(
    form: RegistrationForm, origin: Origin, hasher: Hasher
) -> RegistrationResult:
    problems = format_problems(form)
    numbers_given = not any(p.field in {"contractNumber", "certificateNumber"} for p in problems)
    certificate = None
    if numbers_given:
        certificate, identity_problems = await _identity_problems(form)
        problems += identity_problems
    if problems or certificate is None:
        return RegistrationResult(None, problems)

    password_hash, answer_hash = await asyncio.gather(
        hasher.hash(form.password), hasher.hash(fold(form.mothers_first_name))
    )
    profile = form.profile
    user_code = form.user_code
    try:
        async with in_transaction():
            account = await Account.create(
                user_code=user_code,
                user_code_canonical=rules.canonical_user_code(user_code),
                password_hash=password_hash,
                password_hint=form.password_hint.strip(),
                mothers_first_name_hash=answer_hash,
                date_of_birth=certificate.date_of_birth,
                first_name=(profile.first_name if profile else certificate.first_name).strip(),
                last_name=(profile.last_name if profile else certificate.last_name).strip(),
                email=(profile.email or "").strip() or None if profile else None,
                preferred_language=(
                    profile.preferred_language
                    if profile and profile.preferred_language
                    else origin.language.value
                ),
            )
            await AccountCertificate.create(account_id=account.id, certificate_id=certificate.id)
            await audit.record_for(account, "registered", origin, certificate_id=certificate.id)
    except IntegrityError:
        return RegistrationResult(None, await _conflicts(certificate.id, user_code))
    return RegistrationResult(account.user_code, [])
