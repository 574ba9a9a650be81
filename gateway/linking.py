"""Linking existing credentials (R9): a user code reaches one more contract and certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway import audit, rules
from gateway.attempts import Refused
from gateway.audit import Origin
from gateway.problems import ErrorCode, Problem
from gateway.registration import identity_attempt, identity_proved
from gateway.signin import SignInResult, authenticate, failed, open_for
from gateway.toolkit import Toolkit
from store import files


@dataclass(frozen=True)
class LinkForm:
    contract_number: str
    certificate_number: str
    date_of_birth: date
    user_code: str
    password: str


async def link_existing_credentials(form: LinkForm, origin: Origin, kit: Toolkit) -> SignInResult:
    """The user code and password as for signIn; the new certificate must be the account
    holder's own, proved by the date of birth and counted per certificate like registration's.
    Signs in, with every file including the new one."""
    problems = rules.check_number(form.contract_number, "contractNumber") + rules.check_number(
        form.certificate_number, "certificateNumber"
    )
    if problems:  # said before any guess is counted: the request could never succeed
        problems += rules.required(form.user_code, "userCode")
        return failed(problems + rules.required(form.password, "password"))
    holder, credential_problems = await authenticate(form.user_code, form.password, origin, kit)
    if holder is None:
        return failed(credential_problems)
    account = holder.account
    attempt, read = await identity_attempt(
        form.contract_number, form.certificate_number, origin, kit
    )
    if isinstance(attempt, Refused):
        return failed([attempt.problem])
    async with kit.ledger.evaluating(attempt):
        certificate = identity_proved(read, form.date_of_birth)
        if certificate is None or certificate.date_of_birth != account.date_of_birth:
            await kit.ledger.failed(attempt, origin, account_id=account.id)
            return failed([Problem(ErrorCode.IDENTITY_NOT_VERIFIED)])
        await kit.ledger.succeeded(attempt)
    owner = certificate.owner_account_id
    if owner is not None and owner != account.id:
        return failed([Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")])
    if owner is None:
        entry = audit.entry_for(
            account, "credentials_linked", origin, certificate_id=certificate.id
        )
        if not await files.link(account.id, certificate.id, entry):
            return failed([Problem(ErrorCode.CERTIFICATE_ALREADY_REGISTERED, "certificateNumber")])
    return await open_for(holder, await files.files_of_account(account.id), origin, kit)
