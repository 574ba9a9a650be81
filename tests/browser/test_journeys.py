"""Issue 19: every journey of the web client, as a plan member takes it, in French and English,
on a phone (390×844) and a desktop (1280×800), with axe-core run on every state of every page.

Each test registers its own member of the journeys' registry (tests/browser/conftest.py).
Screenshots land in test-output/browser/ (git-ignored); docs/images/ holds a chosen few.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import (
    CARD_PLAN,
    FULL_PLAN,
    Member,
    Offline,
    axe_violations,
    csp_violations,
    screenshot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

# What the tests read and click, in the page's two languages (static/client/strings.js).
TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "signIn": "Ouvrir une session",
        "register": "S'inscrire aux services en ligne",
        "registerLink": "Première visite ? S'inscrire aux services en ligne",
        "registerSubmit": "S'inscrire",
        "problems8": "Il y a 8 problèmes à corriger :",
        "problems1": "Il y a 1 problème à corriger :",
        "contract": "Numéro de contrat (ou de groupe)",
        "certificate": "Numéro de certificat",
        "day": "Jour",
        "month": "Mois",
        "year": "Année",
        "userCode": "Code d'utilisateur",
        "password": "Mot de passe",
        "confirm": "Confirmez le mot de passe",
        "hint": "Aide-mémoire",
        "mother": "Prénom de votre mère",
        "done": "Inscription terminée",
        "agreement": "Convention d'utilisation",
        "accept": "J'accepte",
        "hello": "Bonjour",
        "signOut": "Fermer la session",
        "signedOut": "Votre session est fermée.",
        "taken": "Ce code d'utilisateur est déjà pris",
        "linkAction": "C'est mon code : ajouter ce dossier à mon code d'utilisateur",
        "link": "Ajouter un dossier à votre code d'utilisateur",
        "linkSubmit": "Ajouter ce dossier",
        "files": "Choisissez un dossier d'assurance",
        "details": "Détails du dossier",
        "choose": "Choisir le dossier",
        "changeFile": "Changer de dossier",
        "missing": "Votre régime n'offre pas ces services en ligne :",
        "oneLeft": "Il vous reste une tentative",
        "locked": "dans 15 minutes",
        "resetAction": "Réinitialiser mon mot de passe",
        "forgot": "Mot de passe oublié",
        "showHint": "Afficher mon aide-mémoire",
        "reset": "Réinitialiser le mot de passe",
        "resetSubmit": "Réinitialiser",
        "newPassword": "Nouveau mot de passe",
        "newConfirm": "Confirmez le nouveau mot de passe",
        "resetDone": "Votre mot de passe est réinitialisé",
        "claimTile": "Soumettre une réclamation",
        "claim": "Soumettre une réclamation",
        "claimSubmit": "Soumettre la réclamation",
        "patient": "Personne qui a reçu les soins",
        "service": "Soin ou service",
        "physio": "Physiothérapie",
        "provider": "Professionnel ou établissement",
        "amount": "Montant payé ($)",
        "amountValue": "85,50",
        "addReceipt": "Photographier ou choisir un reçu",
        "needReceipt": "Ajoutez au moins un reçu.",
        "sent": "Reçu envoyé",
        "failed": "L'envoi a échoué.",
        "retry": "Réessayer l'envoi de recu.png",
        "claimSent": "Réclamation transmise",
        "history": "Voir l'historique",
        "claims": "Historique des réclamations",
        "homeLink": "← Retour à l'accueil",
        "depositTile": "Dépôt direct",
        "deposit": "Dépôt direct",
        "institution": "Numéro de l'institution",
        "transit": "Numéro de la succursale (transit)",
        "account": "Numéro de compte",
        "current": "Mot de passe actuel",
        "depositSubmit": "Enregistrer le compte",
        "depositDone": "Votre compte de dépôt direct est enregistré.",
        "endingIn": "se terminant par 789",
        "cardTile": "Carte de paiement",
        "card": "Carte de paiement",
        "securityTile": "Sessions et sécurité",
        "security": "Sessions et sécurité",
        "closeOther": "Fermer la session ouverte le",
        "closed": "La session est fermée.",
        "passwordTile": "Changer le mot de passe",
        "change": "Changer le mot de passe",
        "changed": "Votre mot de passe est changé.",
        "idle": "Votre session va bientôt prendre fin",
        "stay": "Rester connecté",
        "ended": "Votre session a pris fin",
        "terms": "Convention d'utilisation",
        "privacy": "Confidentialité",
        "privacyTitle": "Protection des renseignements personnels",
        "accessibility": "Accessibilité",
        "notFound": "Page introuvable",
        "switch": "Switch to English",
    },
    "en": {
        "signIn": "Sign in",
        "register": "Register for the online services",
        "registerLink": "First visit? Register for the online services",
        "registerSubmit": "Register",
        "problems8": "There are 8 problems to fix:",
        "problems1": "There is 1 problem to fix:",
        "contract": "Contract (or group) number",
        "certificate": "Certificate number",
        "day": "Day",
        "month": "Month",
        "year": "Year",
        "userCode": "User code",
        "password": "Password",
        "confirm": "Confirm the password",
        "hint": "Memory aid",
        "mother": "Your mother's first name",
        "done": "Registration complete",
        "agreement": "Usage agreement",
        "accept": "I accept",
        "hello": "Hello",
        "signOut": "Sign out",
        "signedOut": "You are signed out.",
        "taken": "This user code is already taken",
        "linkAction": "It is my code: add this file to my user code",
        "link": "Add a file to your user code",
        "linkSubmit": "Add this file",
        "files": "Choose an insurance file",
        "details": "Details of the file",
        "choose": "Choose the file",
        "changeFile": "Change file",
        "missing": "Your plan does not offer these services online:",
        "oneLeft": "You have one try left",
        "locked": "in 15 minutes",
        "resetAction": "Reset my password",
        "forgot": "Forgotten password",
        "showHint": "Show my memory aid",
        "reset": "Reset the password",
        "resetSubmit": "Reset",
        "newPassword": "New password",
        "newConfirm": "Confirm the new password",
        "resetDone": "Your password is reset",
        "claimTile": "Submit a claim",
        "claim": "Submit a claim",
        "claimSubmit": "Submit the claim",
        "patient": "Person who received the care",
        "service": "Care or service",
        "physio": "Physiotherapy",
        "provider": "Professional or facility",
        "amount": "Amount paid ($)",
        "amountValue": "85.50",
        "addReceipt": "Take a photo or choose a receipt",
        "needReceipt": "Add at least one receipt.",
        "sent": "Receipt sent",
        "failed": "Sending failed.",
        "retry": "Send recu.png again",
        "claimSent": "Claim sent",
        "history": "See the history",
        "claims": "Claims history",
        "homeLink": "← Back to home",
        "depositTile": "Direct deposit",
        "deposit": "Direct deposit",
        "institution": "Institution number",
        "transit": "Branch (transit) number",
        "account": "Account number",
        "current": "Current password",
        "depositSubmit": "Save the account",
        "depositDone": "Your direct deposit account is saved.",
        "endingIn": "account ending in 789",
        "cardTile": "Payment card",
        "card": "Payment card",
        "securityTile": "Sessions and security",
        "security": "Sessions and security",
        "closeOther": "Close the session opened on",
        "closed": "The session is closed.",
        "passwordTile": "Change the password",
        "change": "Change the password",
        "changed": "Your password is changed.",
        "idle": "Your session will end soon",
        "stay": "Stay signed in",
        "ended": "Your session has ended",
        "terms": "Usage agreement",
        "privacy": "Privacy",
        "privacyTitle": "Privacy",
        "accessibility": "Accessibility",
        "notFound": "Page not found",
        "switch": "Passer au français",
    },
}

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip


@pytest.fixture(params=["fr", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["phone", "desktop"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Journey:
    """A member's walk through the client, checking each state it reaches."""

    def __init__(self, page: Page, lang: str, viewport: str, axe: str, offline: Offline) -> None:
        self.page = page
        self.lang = lang
        self.viewport = viewport
        self.axe = axe
        self.offline = offline
        self.text = TEXT[lang]
        self.states: list[str] = []

    def open(self, path: str) -> None:
        self.page.goto(path)
        if self.lang == "en" and self.page.locator("html").get_attribute("lang") != "en":
            self.page.locator("#language").click()
        self.page.locator(f"html[lang={self.lang}]").wait_for(state="attached")

    def view(self) -> Locator:
        return self.page.locator("[data-view]:not([hidden])")

    def heading(self, key: str, exact: bool = True) -> None:
        name = self.text.get(key, key)
        self.view().get_by_role("heading", level=1, name=name, exact=exact).wait_for()
        title = self.page.title()
        assert title.endswith(" – Assurance collective"), title
        if not name.startswith(self.text["hello"]):  # home's title says "Accueil", "Home"
            assert title.startswith(name), title

    def fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.view().get_by_label(self.text.get(key, key), exact=True).fill(value)

    def date(self, legend: str, iso: str) -> None:
        year, month, day = iso.split("-")
        group = self.view().get_by_role("group", name=self.text.get(legend, legend))
        group.get_by_label(self.text["day"], exact=True).fill(str(int(day)))
        group.get_by_label(self.text["month"], exact=True).select_option(str(int(month)))
        group.get_by_label(self.text["year"], exact=True).fill(year)

    def click(self, key: str, role: str = "button", exact: bool = True) -> None:
        name = self.text.get(key, key)
        self.view().get_by_role(role, name=name, exact=exact).click()  # type: ignore[arg-type]

    def link(self, key: str, exact: bool = True) -> None:
        self.click(key, "link", exact)

    def check(self, name: str) -> None:
        """The state on screen: axe finds nothing, the page fits its width, no script failed."""
        self.page.wait_for_load_state("networkidle")
        violations = axe_violations(self.page, self.axe)
        assert violations == [], f"{name}: {violations}"
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.page.viewport_size["width"], f"{name}: scrolls sideways ({width})"  # type: ignore[index]
        assert self.offline.page_errors == [], self.offline.page_errors
        self.states.append(name)
        screenshot(self.page, f"{self.lang}-{self.viewport}-{name}")

    def summary(self) -> Locator:
        return self.view().locator(".error-summary")

    def finish(self) -> None:
        assert self.offline.refused == []
        assert csp_violations(self.page) == []
        assert self.offline.page_errors == []


@pytest.fixture
def journey(page: Page, lang: str, viewport: str, axe_source: str, offline: Offline) -> Journey:
    return Journey(page, lang, viewport, axe_source, offline)


def graphql(base_url: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base_url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def register(base_url: str, member: Member, contract: str = FULL_PLAN) -> None:
    data = graphql(
        base_url,
        "mutation($input: RegisterInput!) { register(input: $input) { errors { code } } }",
        {
            "input": {
                "contractNumber": contract,
                "certificateNumber": member.certificate,
                "dateOfBirth": member.born,
                "userCode": member.user_code,
                "password": member.password,
                "passwordConfirmation": member.password,
                "passwordHint": member.hint,
                "mothersFirstName": member.mother,
            }
        },
    )
    assert data["register"]["errors"] == []


def mobile_session(base_url: str, member: Member, password: str | None = None) -> str:
    data = graphql(
        base_url,
        "mutation($input: SignInInput!) { signIn(input: $input) { token errors { code } } }",
        {
            "input": {
                "userCode": member.user_code,
                "password": password or member.password,
                "channel": "MOBILE",
            }
        },
    )
    assert data["signIn"]["errors"] == []
    return str(data["signIn"]["token"])


def sign_in(journey: Journey, member: Member, password: str | None = None) -> None:
    journey.open("/")
    journey.heading("signIn")
    journey.fill({"userCode": member.user_code, "password": password or member.password})
    journey.view().get_by_role("button", name=journey.text["signIn"], exact=True).click()


def accept_agreement(journey: Journey, member: Member) -> None:
    journey.heading("agreement")
    journey.click("accept")
    journey.heading(f"{journey.text['hello']} {member.first_name}")


def test_register_link_a_second_file_and_change_files(
    journey: Journey, journey_member: Member
) -> None:
    """R1-R9, R11-R13: the whole registration in one round of errors, the user code to note,
    the agreement, then a second file reached with the same user code."""
    member, text, page = journey_member, journey.text, journey.page
    journey.open("/")
    journey.heading("signIn")
    journey.check("sign-in")

    journey.link("registerLink")
    journey.heading("register")
    assert page.url.endswith("/register")
    journey.click("registerSubmit")
    summary = journey.summary()
    assert summary.get_by_role("heading").inner_text() == text["problems8"]
    assert summary.get_by_role("link").count() == 8
    journey.check("register-errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "contractNumber"

    # The errors follow the language.
    page.locator("#language").click()
    other = "en" if journey.lang == "fr" else "fr"
    assert summary.get_by_role("heading").inner_text() == TEXT[other]["problems8"]
    page.locator("#language").click()
    assert summary.get_by_role("heading").inner_text() == text["problems8"]

    journey.fill({"contract": FULL_PLAN, "certificate": member.certificate})
    journey.date("Date de naissance" if journey.lang == "fr" else "Date of birth", member.born)
    journey.fill({"userCode": member.user_code})
    rules = page.locator("#register-password-rule")
    password = journey.view().get_by_label(text["password"], exact=True)
    password.press_sequentially("abc")
    met_before = rules.locator("li.met").count()
    password.press_sequentially("DEF!2024x")
    assert rules.locator("li.met").count() > met_before
    journey.check("register-password-rules")
    journey.view().get_by_role(
        "button", name="Afficher" if journey.lang == "fr" else "Show"
    ).first.click()
    assert password.get_attribute("type") == "text"
    journey.fill({"confirm": "abcDEF!2024x", "hint": member.hint, "mother": member.mother})
    journey.click("registerSubmit")
    journey.heading("done")
    assert page.locator("#confirmation-user-code").inner_text() == member.user_code
    page.reload()
    journey.heading("done")
    assert page.locator("#confirmation-user-code").inner_text() == member.user_code
    journey.check("confirmation")

    journey.view().get_by_role("link", name=text["signIn"]).click()
    journey.heading("signIn")
    journey.fill({"password": "abcDEF!2024x"})
    journey.view().get_by_role("button", name=text["signIn"], exact=True).click()
    journey.heading("agreement")
    assert page.url.endswith("/agreement")
    journey.check("agreement")
    journey.click("accept")
    journey.heading(f"{text['hello']} {member.first_name}")
    assert page.url.endswith("/home")
    journey.view().get_by_role("link", name=text["claimTile"]).wait_for()
    journey.check("home")
    page.reload()
    journey.heading(f"{text['hello']} {member.first_name}")

    page.get_by_role("button", name=text["signOut"]).click()
    journey.heading("signIn")
    page.get_by_role("status").get_by_text(text["signedOut"]).wait_for()

    # R9: the same person registers the second plan with the user code they already have.
    journey.link("registerLink")
    journey.heading("register")
    journey.fill({"contract": CARD_PLAN, "certificate": member.certificate})
    journey.date("Date de naissance" if journey.lang == "fr" else "Date of birth", member.born)
    journey.fill(
        {
            "userCode": member.user_code,
            "password": "Other!Pass2024",
            "confirm": "Other!Pass2024",
            "hint": "autre",
            "mother": member.mother,
        }
    )
    journey.click("registerSubmit")
    journey.summary().get_by_text(text["taken"]).wait_for()
    journey.check("register-code-taken")
    journey.summary().get_by_role("link", name=text["linkAction"]).click()
    journey.heading("link")
    assert page.url.endswith("/link")
    assert journey.view().get_by_label(text["certificate"], exact=True).input_value() == (
        member.certificate
    )
    journey.fill({"password": "abcDEF!2024x"})
    journey.check("link")
    journey.click("linkSubmit")
    journey.heading("files")
    files = journey.view().locator(".file")
    assert files.count() == 2
    details = files.filter(has_text=CARD_PLAN).get_by_role(
        "button", name=re.compile(text["details"])
    )
    details.click()
    assert details.get_attribute("aria-expanded") == "true"
    journey.check("files-details")
    files.filter(has_text=CARD_PLAN).get_by_role("button", name=re.compile(text["choose"])).click()
    journey.heading(f"{text['hello']} {member.first_name}")
    journey.view().get_by_text(text["missing"]).wait_for()
    journey.check("home-fewer-services")

    page.locator("#file-bar").get_by_role("link", name=text["changeFile"]).click()
    journey.heading("files")
    page.go_back()
    journey.heading(f"{text['hello']} {member.first_name}")
    page.go_forward()
    journey.heading("files")
    journey.finish()


def test_lockout_warning_then_memory_aid_and_reset(
    journey: Journey, journey_member: Member, gateway_url: str
) -> None:
    """R10, R14: warned before the last try, told the wait in words, led to the reset."""
    member, text, page = journey_member, journey.text, journey.page
    register(gateway_url, member)
    journey.open("/")
    for _ in range(3):
        journey.fill({"userCode": member.user_code, "password": "Wrong!Pass1"})
        journey.view().get_by_role("button", name=text["signIn"], exact=True).click()
        journey.summary().get_by_role("heading").wait_for()
    journey.fill({"password": "Wrong!Pass1"})
    journey.view().get_by_role("button", name=text["signIn"], exact=True).click()
    journey.summary().get_by_text(text["oneLeft"]).wait_for()
    assert journey.summary().get_by_role("link", name=text["resetAction"]).is_visible()
    journey.check("sign-in-last-try")
    for _ in range(2):
        journey.fill({"password": "Wrong!Pass1"})
        journey.view().get_by_role("button", name=text["signIn"], exact=True).click()
    journey.summary().get_by_text(text["locked"]).wait_for()
    journey.check("sign-in-locked")

    journey.summary().get_by_role("link", name=text["resetAction"]).click()
    journey.heading("forgot")
    journey.fill({"userCode": member.user_code})
    journey.date("Date de naissance" if journey.lang == "fr" else "Date of birth", member.born)
    journey.click("showHint")
    page.locator("#hint-text").get_by_text(member.hint).wait_for()
    journey.check("memory-aid")
    journey.view().get_by_role("link", name=text["resetAction"]).click()
    journey.heading("reset")
    journey.fill(
        {"mother": "  MARIE-EVE ", "newPassword": "Bouleau#2025", "newConfirm": "Bouleau#2025"}
    )
    journey.check("reset")
    journey.click("resetSubmit")
    journey.heading("signIn")
    page.get_by_role("status").get_by_text(text["resetDone"]).wait_for()
    journey.check("after-reset")
    journey.fill({"password": "Bouleau#2025"})
    journey.view().get_by_role("button", name=text["signIn"], exact=True).click()
    accept_agreement(journey, member)
    journey.finish()


def _receipt_png() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (320, 480), (250, 250, 245))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_claim_with_a_receipt_then_history_deposit_and_card(
    journey: Journey, journey_member: Member, gateway_url: str
) -> None:
    """R13, R17: a claim with a photographed receipt whose failed upload is retried without
    losing the form; its reference; the history; direct deposit; the payment card."""
    member, text, page = journey_member, journey.text, journey.page
    register(gateway_url, member)
    sign_in(journey, member)
    accept_agreement(journey, member)

    journey.link("claimTile", exact=False)
    journey.heading("claim")
    assert page.url.endswith("/claims/new")
    journey.click("claimSubmit")
    journey.summary().get_by_text(text["needReceipt"]).wait_for()
    journey.check("claim-errors")

    journey.view().get_by_label(text["patient"], exact=True).select_option(index=1)
    journey.view().get_by_label(text["service"], exact=True).select_option("PHYSIOTHERAPY")
    served = (date.today() - timedelta(days=3)).isoformat()
    journey.date("Date du soin" if journey.lang == "fr" else "Date of the care", served)
    journey.fill({"provider": "Clinique Physio Plus", "amount": text["amountValue"]})

    # The first upload fails on the way; the retry sends it.
    failures = {"left": 1}

    def flaky(route: Any) -> None:
        if failures["left"] and "multipart" in (route.request.headers.get("content-type") or ""):
            failures["left"] -= 1
            route.abort()
        else:
            route.fallback()

    page.route("**/graphql", flaky)
    page.locator("#claim-file").set_input_files(
        {"name": "recu.png", "mimeType": "image/png", "buffer": _receipt_png()}
    )
    journey.view().get_by_text(text["failed"]).wait_for()
    journey.check("claim-upload-failed")
    journey.view().get_by_role("button", name=text["retry"]).click()
    journey.view().get_by_text(text["sent"]).wait_for()
    assert journey.view().get_by_label(text["provider"], exact=True).input_value() == (
        "Clinique Physio Plus"
    )
    journey.check("claim-ready")
    journey.click("claimSubmit")
    journey.heading("claimSent")
    reference = page.locator("#claim-sent-reference").inner_text()
    assert reference
    page.reload()
    journey.heading("claimSent")
    assert page.locator("#claim-sent-reference").inner_text() == reference
    journey.check("claim-sent")

    journey.link("history")
    journey.heading("claims")
    journey.view().get_by_text(reference, exact=False).wait_for()
    journey.check("claims-history")

    journey.link("homeLink")
    journey.link("depositTile", exact=False)
    journey.heading("deposit")
    journey.check("deposit")
    journey.fill(
        {
            "institution": "815",
            "transit": "12345",
            "account": "1234567789",
            "current": member.password,
        }
    )
    journey.click("depositSubmit")
    page.get_by_role("status").get_by_text(text["depositDone"]).wait_for()
    journey.view().get_by_text(text["endingIn"]).wait_for()
    journey.check("deposit-saved")

    journey.link("homeLink")
    journey.link("cardTile", exact=False)
    journey.heading("card")
    journey.view().get_by_text(member.certificate, exact=True).wait_for()
    journey.check("payment-card")
    journey.finish()


def test_sessions_password_change_idle_warning_and_session_end(
    journey: Journey, journey_member: Member, gateway_url: str
) -> None:
    """Sessions listed and closed; a new password; the warning two minutes before the idle
    timeout with « Rester connecté »; a clear page when the session ends."""
    member, text, page = journey_member, journey.text, journey.page
    register(gateway_url, member)
    mobile_session(gateway_url, member)
    page.clock.install()
    sign_in(journey, member)
    accept_agreement(journey, member)

    journey.link("securityTile", exact=False)
    journey.heading("security")
    sessions = page.locator("#session-list > li")
    assert sessions.count() == 2
    journey.check("security")
    journey.view().get_by_role("button", name=re.compile(text["closeOther"])).click()
    page.get_by_role("status").get_by_text(text["closed"]).wait_for()
    assert sessions.count() == 1
    journey.check("security-closed")

    journey.link("homeLink")
    journey.link("passwordTile", exact=False)
    journey.heading("change")
    journey.fill(
        {
            "current": member.password,
            "newPassword": "Peuplier#2026",
            "newConfirm": "Peuplier#2026",
        }
    )
    journey.check("password-change")
    journey.view().get_by_role("button", name=text["change"]).click()
    page.get_by_role("status").get_by_text(text["changed"]).wait_for()

    page.clock.fast_forward("28:00")
    dialog = page.get_by_role("dialog", name=text["idle"])
    dialog.wait_for()
    journey.check("idle-warning")
    dialog.get_by_role("button", name=text["stay"]).click()
    dialog.wait_for(state="hidden")
    page.clock.fast_forward("40:00")
    journey.heading("ended")
    journey.check("session-ended")

    # A session closed from elsewhere is told the same way at the next step.
    sign_in(journey, member, "Peuplier#2026")
    journey.heading(f"{text['hello']} {member.first_name}")
    token = mobile_session(gateway_url, member, "Peuplier#2026")
    graphql(gateway_url, "mutation { signOutEverywhere { errors { code } } }", {}, token)
    journey.link("cardTile", exact=False)
    journey.heading("ended")

    # And when the page is reloaded after the session ended, not a silent sign-in page.
    sign_in(journey, member, "Peuplier#2026")
    journey.heading(f"{text['hello']} {member.first_name}")
    token = mobile_session(gateway_url, member, "Peuplier#2026")
    graphql(gateway_url, "mutation { signOutEverywhere { errors { code } } }", {}, token)
    page.reload()
    journey.heading("ended")
    journey.finish()


def test_footer_pages_and_unknown_addresses(journey: Journey) -> None:
    """The links every insurer's site has, reachable from any page, and a page for a typo."""
    text = journey.text
    journey.open("/")
    journey.page.locator("footer").get_by_role("link", name=text["terms"]).click()
    journey.heading("terms")
    journey.check("terms")
    journey.page.locator("footer").get_by_role("link", name=text["privacy"]).click()
    journey.heading("privacyTitle")
    journey.check("privacy")
    journey.page.locator("footer").get_by_role("link", name=text["accessibility"]).click()
    journey.heading("accessibility")
    journey.check("accessibility")
    journey.page.go_back()
    journey.heading("privacyTitle")
    journey.open("/nowhere")
    journey.heading("notFound")
    journey.check("not-found")
    journey.finish()


@pytest.mark.parametrize("path", ["/", "/register"])
def test_nothing_scrolls_sideways_at_320_pixels(page: Page, path: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    page.locator("[data-view]:not([hidden]) h1").wait_for()
    page.locator("[data-view]:not([hidden]) button[type=submit]").click()
    page.locator("[data-view]:not([hidden]) .error-summary h2").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, a, input, select')]
            .filter((e) => e.offsetParent !== null && !e.closest('p, li, .error-summary'))
            .map((e) => e.getBoundingClientRect())
            .filter((r) => r.width < 24 || r.height < 24).length"""
    )
    assert small == 0
