"""R1-R8: a new user code for one contract and certificate, in one transaction."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date

from gateway import audit, rules
from gateway.attempts import Attempt, Refused, Scope
from gateway.audit import Origin
from gateway.problems import ErrorCode, Problem
from gateway.text import canonical_number, canonical_user_code, fold
from gateway.toolkit import Toolkit
from store import accounts, files, registry
from store.attempts import Statement
from store.errors import Conflict
from store.records import Account, Certificate


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


def _typed_inputs(form: RegistrationForm) -> list[str]:
    """What the member typed that an attacker could know too (ASVS 2.1.7)."""
    born = form.date_of_birth
    inputs = [form.contract_number, form.certificate_number, born.isoformat(), str(born.year)]
    inputs += [born.strftime("%Y%m%d"), born.strftime("%d%m%Y")]
    if form.profile is not None:
        inputs += [form.profile.first_name, form.profile.last_name, form.profile.email or ""]
    return inputs


def format_problems(form: RegistrationForm) -> list[Problem]:
    """Every rule that needs no database, all reported at once; but how guessable the password
    is, which ``register_member`` judges once it knows the names on the certificate."""
    problems = [
        *rules.check_number(form.contract_number, "contractNumber"),
        *rules.check_number(form.certificate_number, "certificateNumber"),
        *rules.check_user_code(form.user_code),
        *rules.check_password_rules(form.password, form.user_code),
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


async def identity_attempt(
    contract_number: str,
    certificate_number: str,
    origin: Origin,
    kit: Toolkit,
    user_code: str | None = None,
) -> tuple[Attempt | Refused, Certificate | None]:
    """R1's date of birth is a guessable secret too: attempts are counted per certificate,
    registered or not, so that a card seen is not a file taken by trying every date. The
    certificate is read with the attempt, and whether ``user_code`` is taken (R3)."""
    contract, certificate = canonical_number(contract_number), canonical_number(certificate_number)
    pair = json.dumps([contract, certificate])
    code = canonical_user_code(user_code) if user_code is not None else None
    read = registry.certificate_by_numbers(contract, certificate, code)
    return await kit.ledger.reserve_reading(Scope.IDENTITY, pair, origin, read)


def identity_proved(certificate: Certificate | None, date_of_birth: date) -> Certificate | None:
    """R1: the three must match one registry certificate; which one failed is not told."""
    if certificate is None or certificate.date_of_birth != date_of_birth:
        return None
    return certificate


def _taken(certificate: Certificate, form: RegistrationForm) -> list[Problem]:
    """Whether the file or the user code is taken: told only to someone who proved an
    identity."""
    problems = []
    if certificate.owner_account_id is not None:
        problems.append(Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber"))
    if not rules.check_user_code(form.user_code) and certificate.user_code_taken:
        problems.append(Problem(ErrorCode.USER_CODE_TAKEN, "userCode"))
    return problems


def _guessable(
    form: RegistrationForm, problems: list[Problem], certificate: Certificate | None
) -> list[Problem]:
    """How guessable the password is, once the rules it breaks are known (none reported twice),
    with the certificate's names when an identity was proved."""
    if any(p.field == "password" for p in problems):
        return []
    names = [certificate.first_name, certificate.last_name] if certificate else []
    return rules.check_guessable(
        form.password, form.user_code, "password", [*_typed_inputs(form), *names]
    )


async def _conflicts(certificate_id: int, user_code: str) -> list[Problem]:
    """After the unique keys refused an insert: tell which of them did."""
    problems = []
    if await files.owner_of(certificate_id) is not None:
        problems.append(Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber"))
    if await accounts.code_taken(canonical_user_code(user_code)):
        problems.append(Problem(ErrorCode.USER_CODE_TAKEN, "userCode"))
    return problems or [Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")]


async def register_member(
    form: RegistrationForm, origin: Origin, kit: Toolkit
) -> RegistrationResult:
    """The identity attempt (R1) stays under evaluation until the account is written, and its
    success is told with the account, in the same round trip."""
    problems = format_problems(form)
    if any(p.field in {"contractNumber", "certificateNumber"} for p in problems):
        return RegistrationResult(None, problems + _guessable(form, problems, None))
    attempt, read = await identity_attempt(
        form.contract_number, form.certificate_number, origin, kit, form.user_code
    )
    if isinstance(attempt, Refused):
        problems.append(attempt.problem)
        return RegistrationResult(None, problems + _guessable(form, problems, None))
    async with kit.ledger.evaluating(attempt):
        certificate = identity_proved(read, form.date_of_birth)
        if certificate is None:
            await kit.ledger.failed(attempt, origin)
            problems.append(Problem(ErrorCode.IDENTITY_NOT_VERIFIED))
            return RegistrationResult(None, problems + _guessable(form, problems, None))
        problems += _taken(certificate, form)
        problems += _guessable(form, problems, certificate)
        if problems:
            await kit.ledger.succeeded(attempt)
            return RegistrationResult(None, problems)
        try:
            account = await kit.ledger.succeeded_with(
                attempt, lambda told: _create(form, certificate, origin, kit, told)
            )
        except Conflict:
            await kit.ledger.succeeded(attempt)
            return RegistrationResult(None, await _conflicts(certificate.id, form.user_code))
    return RegistrationResult(account.user_code, [])


async def _create(
    form: RegistrationForm,
    certificate: Certificate,
    origin: Origin,
    kit: Toolkit,
    told: Statement,
) -> Account:
    password, answer_hash = await asyncio.gather(
        kit.hasher.hash_password(form.password), kit.hasher.hash(fold(form.mothers_first_name))
    )
    profile = form.profile
    user_code = form.user_code
    certificate_id = certificate.id
    return await accounts.create(
        user_code=user_code,
        canonical_code=canonical_user_code(user_code),
        password_hash=password.hash,
        password_pepper_id=password.pepper_id,
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
        certificate_id=certificate_id,
        entry=lambda account_id: audit.entry(
            "registered",
            origin,
            account_id=account_id,
            user_code=user_code,
            certificate_id=certificate_id,
        ),
        also=[told],
    )
