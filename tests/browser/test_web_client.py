"""The reference web client at /, walked through in Chromium with the demo data.

One screenshot per step lands in test-output/browser/ (git-ignored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import Offline, csp_violations, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

GENEVIEVE = {"contract": "G81234", "certificate": "0004417", "born": "1986-04-19"}
USER_CODE = "GenCote86"
PASSWORD = "Erable!2024"
NEW_PASSWORD = "Bouleau#2025"


def view(page: Page) -> Locator:
    """The view on screen; the others are hidden and hold fields with the same labels."""
    return page.locator("[data-view]:not([hidden])")


def heading(page: Page, name: str) -> None:
    view(page).get_by_role("heading", level=1, name=name).wait_for()


def fill(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        view(page).get_by_label(label, exact=True).fill(value)


def click(page: Page, name: str) -> None:
    view(page).get_by_role("button", name=name, exact=True).click()


def assert_clean(page: Page, offline: Offline) -> None:
    assert offline.refused == []
    assert csp_violations(page) == []
    assert offline.page_errors == []


def test_register_sign_in_accept_and_recover_a_password(page: Page, offline: Offline) -> None:
    response = page.goto("/")
    assert (
        response is not None and "default-src 'none'" in response.headers["content-security-policy"]
    )
    heading(page, "Ouvrir une session")
    screenshot(page, "01-sign-in")

    # Registration: the rules beside the fields, from registrationRules.
    click(page, "Première visite ? S'inscrire aux services en ligne")
    heading(page, "S'inscrire aux services en ligne")
    rule = page.locator("#register-userCode-rule")
    assert "De 5 à 36 caractères" in rule.inner_text()
    screenshot(page, "02-register")

    fill(
        page,
        {
            "Numéro de contrat (ou de groupe)": GENEVIEVE["contract"],
            "Numéro de certificat": GENEVIEVE["certificate"],
            "Date de naissance": GENEVIEVE["born"],
            "Code d'utilisateur": USER_CODE,
            "Mot de passe": "Ab1!",
            "Confirmez le mot de passe": "Ab1!",
            "Aide-mémoire": "la cabane à sucre",
            "Prénom de votre mère": "Marie-Ève",
        },
    )
    click(page, "Soumettre")
    # A too-short password: the message sits in the password's own field, which is marked.
    password_field = page.locator(".field", has=page.locator("#register-password"))
    password_field.locator(".field-error").get_by_text("au moins 8 caractères").wait_for()
    assert page.locator("#register-password").get_attribute("aria-invalid") == "true"
    assert page.locator("#register-userCode").get_attribute("aria-invalid") is None
    assert "Corrigez les erreurs" in view(page).get_by_role("alert").inner_text()
    screenshot(page, "03-register-field-error")

    fill(page, {"Mot de passe": PASSWORD, "Confirmez le mot de passe": PASSWORD})
    click(page, "Soumettre")
    heading(page, "Inscription terminée")
    assert page.locator("#confirmation-user-code").inner_text() == USER_CODE
    screenshot(page, "04-confirmation")

    # Sign-in: one file, chosen for the member; the agreement comes next.
    click(page, "Continuer")
    heading(page, "Ouvrir une session")
    assert view(page).get_by_label("Code d'utilisateur").input_value() == USER_CODE
    fill(page, {"Mot de passe": PASSWORD})
    click(page, "Confirmer")
    heading(page, "Convention d'utilisation des services en ligne")
    screenshot(page, "05-agreement")

    click(page, "J'accepte")
    heading(page, "Bonjour Geneviève")
    assert "Assurance collective des employés" in view(page).inner_text()
    screenshot(page, "06-home")
    assert_session_is_out_of_reach_of_scripts(page)

    page.get_by_role("button", name="Switch to English").click()
    heading(page, "Hello Geneviève")
    assert "Health care claims" in view(page).inner_text()
    screenshot(page, "07-home-english")
    page.get_by_role("button", name="Passer au français").click()
    heading(page, "Bonjour Geneviève")

    page.get_by_role("button", name="Fermer la session").click()
    heading(page, "Ouvrir une session")
    page.get_by_role("status").get_by_text("Votre session est fermée.").wait_for()
    screenshot(page, "08-signed-out")

    # Forgotten password: the memory aid first, then a reset with the mother's first name.
    click(page, "Mot de passe oublié ?")
    heading(page, "Mot de passe oublié")
    fill(page, {"Code d'utilisateur": USER_CODE, "Date de naissance": GENEVIEVE["born"]})
    click(page, "Afficher mon aide-mémoire")
    page.locator("#hint-text").get_by_text("la cabane à sucre").wait_for()
    screenshot(page, "09-memory-aid")

    click(page, "Réinitialiser mon mot de passe")
    heading(page, "Réinitialiser le mot de passe")
    fill(
        page,
        {
            "Prénom de votre mère": "  MARIE-EVE ",
            "Nouveau mot de passe": NEW_PASSWORD,
            "Confirmez le nouveau mot de passe": NEW_PASSWORD,
        },
    )
    click(page, "Réinitialiser")
    heading(page, "Ouvrir une session")
    page.get_by_role("status").get_by_text("Votre mot de passe est réinitialisé").wait_for()
    screenshot(page, "10-password-reset")

    fill(page, {"Mot de passe": NEW_PASSWORD})
    click(page, "Confirmer")
    heading(page, "Bonjour Geneviève")
    screenshot(page, "11-home-after-reset")
    assert_clean(page, offline)


def assert_session_is_out_of_reach_of_scripts(page: Page) -> None:
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["gateway_session"]["httpOnly"] is True
    assert cookies["gateway_session"]["sameSite"] == "Strict"
    readable = page.evaluate(
        "() => [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]"
    )
    token = cookies["gateway_session"]["value"]
    assert all(token not in text for text in readable), readable


def graphql(base_url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{base_url}/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def test_choose_among_several_files_with_the_i_details(
    page: Page, offline: Offline, gateway_url: str
) -> None:
    # Samuel Ouellet registers G81234/0004418 and links RA0042/55-120, through the API.
    samuel = {"dateOfBirth": "1979-11-02", "userCode": "SamOuellet", "password": "Pommier!2024"}
    registered = graphql(
        gateway_url,
        "mutation($input: RegisterInput!) { register(input: $input) { userCode errors { code } } }",
        {
            "input": {
                "contractNumber": "G81234",
                "certificateNumber": "0004418",
                "dateOfBirth": samuel["dateOfBirth"],
                "userCode": samuel["userCode"],
                "password": samuel["password"],
                "passwordConfirmation": samuel["password"],
                "passwordHint": "le verger",
                "mothersFirstName": "Huguette",
            }
        },
    )
    assert registered["register"]["errors"] == []
    linked = graphql(
        gateway_url,
        "mutation($input: LinkExistingCredentialsInput!) {"
        " linkExistingCredentials(input: $input) { errors { code } } }",
        {
            "input": {
                "contractNumber": "RA0042",
                "certificateNumber": "55-120",
                "dateOfBirth": samuel["dateOfBirth"],
                "userCode": samuel["userCode"],
                "password": samuel["password"],
                "channel": "MOBILE",
            }
        },
    )
    assert linked["linkExistingCredentials"]["errors"] == []

    page.goto("/")
    heading(page, "Ouvrir une session")
    fill(page, {"Code d'utilisateur": samuel["userCode"], "Mot de passe": samuel["password"]})
    click(page, "Confirmer")
    heading(page, "Choisissez un dossier d'assurance")
    files = view(page).get_by_role("listitem")
    assert files.count() == 2
    screenshot(page, "12-choose-a-file")

    annuity = files.filter(has_text="RA0042")
    details = annuity.get_by_role("button", name="i – détails du dossier Rentes collectives")
    assert details.get_attribute("aria-expanded") == "false"
    details.click()
    assert details.get_attribute("aria-expanded") == "true"
    panel = annuity.locator(".file-info")
    panel.get_by_text("Samuel Ouellet").wait_for()
    assert "Suspendu" in panel.inner_text()
    screenshot(page, "13-file-details")

    group = files.filter(has_text="G81234")
    group.get_by_role("button", name="Choisir ce dossier").click()
    heading(page, "Convention d'utilisation des services en ligne")
    click(page, "J'accepte")
    heading(page, "Bonjour Samuel")
    assert "Assurance collective des employés" in view(page).inner_text()
    screenshot(page, "14-home-chosen-file")
    assert_clean(page, offline)
