// Every string the web client shows, in French (the default) and English.
// Messages about a member's input come from the server, in the language asked for.

const STRINGS = {
  fr: {
    "page.title": "Services en ligne – assurance collective",
    "brand": "Services en ligne – assurance collective",
    "lang.switch": "English",
    "lang.switchLabel": "Switch to English",
    "signOut": "Fermer la session",
    "loading": "Chargement…",

    "field.contractNumber": "Numéro de contrat (ou de groupe)",
    "field.certificateNumber": "Numéro de certificat",
    "field.dateOfBirth": "Date de naissance",
    "field.userCode": "Code d'utilisateur",
    "field.password": "Mot de passe",
    "field.passwordConfirmation": "Confirmez le mot de passe",
    "field.passwordHint": "Aide-mémoire",
    "field.mothersFirstName": "Prénom de votre mère",
    "field.newPassword": "Nouveau mot de passe",
    "field.newPasswordConfirmation": "Confirmez le nouveau mot de passe",

    "signIn.title": "Ouvrir une session",
    "signIn.intro": "Saisissez votre code d'utilisateur et votre mot de passe.",
    "signIn.submit": "Confirmer",
    "signIn.register": "Première visite ? S'inscrire aux services en ligne",
    "signIn.forgot": "Mot de passe oublié ?",
    "signIn.signedOut": "Votre session est fermée.",
    "signIn.expired": "Votre session a pris fin. Ouvrez une nouvelle session.",

    "register.title": "S'inscrire aux services en ligne",
    "register.intro":
      "Vos numéros de contrat et de certificat figurent sur votre carte de paiement. " +
      "Vous pouvez aussi les demander au responsable de votre assurance collective. " +
      "Si vous avez plus d'un numéro de contrat ou de certificat, inscrivez-vous pour chacun d'eux.",
    "register.file": "Votre dossier d'assurance",
    "register.credentials": "Votre code d'utilisateur et votre mot de passe",
    "register.recovery": "Si vous oubliez votre mot de passe",
    "register.submit": "Soumettre",
    "cancel": "Annuler",

    "rule.contractNumber": "Il figure sur votre carte de paiement.",
    "rule.dateOfBirth": "Elle doit correspondre à votre dossier d'assurance.",
    "rule.userCode":
      "De {min} à {max} caractères alphanumériques : lettres A à Z ou a à z et chiffres " +
      "0 à 9, sans accents ni caractères spéciaux.",
    "rule.password":
      "Au moins {min} caractères, dont {kinds} des 4 types suivants : lettres minuscules " +
      "(a à z), lettres majuscules (A à Z), chiffres (0 à 9), symboles (ex. : !, $, #, %). " +
      "Il ne doit pas contenir votre code d'utilisateur.",
    "rule.passwordConfirmation": "Inscrivez de nouveau le mot de passe.",
    "rule.passwordHint":
      "Il vous sera présenté si vous oubliez votre mot de passe, pour vous aider à le " +
      "retrouver. Il ne doit pas permettre à une autre personne de le deviner " +
      "({max} caractères au plus).",
    "rule.mothersFirstName":
      "Il vous sera demandé si vous oubliez votre mot de passe ({max} caractères au plus).",

    "confirmation.title": "Inscription terminée",
    "confirmation.note": "Notez votre code d'utilisateur :",
    "confirmation.next": "Vous en aurez besoin, avec votre mot de passe, pour ouvrir une session.",
    "confirmation.continue": "Continuer",

    "files.title": "Choisissez un dossier d'assurance",
    "files.intro":
      "Votre code d'utilisateur vous donne accès à plusieurs dossiers. Choisissez celui que " +
      "vous voulez utiliser pendant cette session. Appuyez sur « i » pour en savoir plus, ou " +
      "communiquez avec nous si vous ne savez pas lequel choisir.",
    "files.choose": "Choisir ce dossier",
    "files.details": "i – détails du dossier {plan}",
    "files.numbers": "Contrat {contract} · certificat {certificate}",

    "info.member": "Adhérent",
    "info.productLine": "Produit",
    "info.status": "Statut",
    "info.effective": "En vigueur depuis le",
    "info.termination": "Fin",
    "info.coverages": "Garanties",
    "info.features": "Services en ligne offerts",
    "info.noCoverage": "Aucune",
    "info.noFeature": "Aucun",

    "agreement.intro":
      "Prenez connaissance de la convention d'utilisation, puis acceptez-la pour continuer.",
    "agreement.version": "Version {version}",
    "agreement.accept": "J'accepte",
    "agreement.decline": "Je refuse (fermer la session)",

    "home.greeting": "Bonjour {name}",
    "home.file": "Dossier en cours",

    "forgot.title": "Mot de passe oublié",
    "forgot.intro":
      "Commencez par votre aide-mémoire : il vous aidera peut-être à retrouver votre mot de " +
      "passe sans le réinitialiser.",
    "forgot.submit": "Afficher mon aide-mémoire",
    "forgot.hint": "Votre aide-mémoire :",
    "forgot.remember": "Je m'en souviens : ouvrir une session",
    "forgot.reset": "Réinitialiser mon mot de passe",
    "reset.title": "Réinitialiser le mot de passe",
    "reset.intro": "Répondez à la question de sécurité et choisissez un nouveau mot de passe.",
    "reset.submit": "Réinitialiser",
    "reset.done":
      "Votre mot de passe est réinitialisé et toutes vos sessions sont fermées. " +
      "Ouvrez une session avec le nouveau mot de passe.",

    "error.summary": "Corrigez les erreurs indiquées ({count}).",
    "error.required": "Ce champ est obligatoire.",
    "error.network": "Le service ne répond pas. Réessayez dans un moment.",
    "error.unexpected": "Une erreur inattendue est survenue. Réessayez dans un moment.",

    "productLine.GROUP_INSURANCE": "Assurance collective",
    "productLine.GROUP_RETIREMENT_SAVINGS": "Épargne-retraite collective",
    "productLine.GROUP_ANNUITY": "Rentes collectives",
    "status.ACTIVE": "Actif",
    "status.SUSPENDED": "Suspendu",
    "status.TERMINATED": "Terminé",
    "benefit.HEALTH": "Santé",
    "benefit.DENTAL": "Dentaire",
    "benefit.VISION": "Soins de la vue",
    "benefit.LIFE": "Vie",
    "benefit.DISABILITY": "Invalidité",
    "benefit.TRAVEL": "Voyage",
    "tier.SINGLE": "individuelle",
    "tier.COUPLE": "couple",
    "tier.FAMILY": "familiale",
    "feature.HEALTH_CLAIMS": "Réclamations de soins de santé",
    "feature.DENTAL_CLAIMS": "Réclamations de soins dentaires",
    "feature.VISION_CLAIMS": "Réclamations de soins de la vue",
    "feature.CLAIMS_HISTORY": "Historique des réclamations",
    "feature.DIRECT_DEPOSIT": "Dépôt direct",
    "feature.ELECTRONIC_STATEMENTS": "Relevés électroniques",
    "feature.PAYMENT_CARD": "Carte de paiement",
  },
  en: {
    "page.title": "Online services – group insurance",
    "brand": "Online services – group insurance",
    "lang.switch": "Français",
    "lang.switchLabel": "Passer au français",
    "signOut": "Sign out",
    "loading": "Loading…",

    "field.contractNumber": "Contract (or group) number",
    "field.certificateNumber": "Certificate number",
    "field.dateOfBirth": "Date of birth",
    "field.userCode": "User code",
    "field.password": "Password",
    "field.passwordConfirmation": "Confirm the password",
    "field.passwordHint": "Memory aid",
    "field.mothersFirstName": "Your mother's first name",
    "field.newPassword": "New password",
    "field.newPasswordConfirmation": "Confirm the new password",

    "signIn.title": "Sign in",
    "signIn.intro": "Enter your user code and password.",
    "signIn.submit": "Confirm",
    "signIn.register": "First visit? Register for the online services",
    "signIn.forgot": "Forgot your password?",
    "signIn.signedOut": "You are signed out.",
    "signIn.expired": "Your session has ended. Please sign in again.",

    "register.title": "Register for the online services",
    "register.intro":
      "Your contract and certificate numbers are on your payment card. You can also ask " +
      "your group insurance administrator for them. If you have more than one contract or " +
      "certificate number, register for each of them.",
    "register.file": "Your insurance file",
    "register.credentials": "Your user code and password",
    "register.recovery": "If you forget your password",
    "register.submit": "Submit",
    "cancel": "Cancel",

    "rule.contractNumber": "It is on your payment card.",
    "rule.dateOfBirth": "It must match your insurance file.",
    "rule.userCode":
      "{min} to {max} alphanumeric characters: letters A to Z or a to z and digits 0 to 9, " +
      "with no accents or special characters.",
    "rule.password":
      "At least {min} characters, with {kinds} of these 4 kinds: lowercase letters (a to z), " +
      "uppercase letters (A to Z), digits (0 to 9), symbols (e.g. !, $, #, %). It must not " +
      "contain your user code.",
    "rule.passwordConfirmation": "Type the password again.",
    "rule.passwordHint":
      "Shown to you if you forget your password, to help you recall it. It must not let " +
      "anyone else guess it (at most {max} characters).",
    "rule.mothersFirstName":
      "You will be asked for it if you forget your password (at most {max} characters).",

    "confirmation.title": "Registration complete",
    "confirmation.note": "Note down your user code:",
    "confirmation.next": "You will need it, with your password, to sign in.",
    "confirmation.continue": "Continue",

    "files.title": "Choose an insurance file",
    "files.intro":
      "Your user code gives access to several files. Choose the one you want to use for this " +
      "session. Press “i” to learn more, or contact us if you are not sure which to choose.",
    "files.choose": "Choose this file",
    "files.details": "i – details of {plan}",
    "files.numbers": "Contract {contract} · certificate {certificate}",

    "info.member": "Member",
    "info.productLine": "Product",
    "info.status": "Status",
    "info.effective": "In force since",
    "info.termination": "Ends",
    "info.coverages": "Coverages",
    "info.features": "Online services offered",
    "info.noCoverage": "None",
    "info.noFeature": "None",

    "agreement.intro": "Read the usage agreement, then accept it to continue.",
    "agreement.version": "Version {version}",
    "agreement.accept": "I accept",
    "agreement.decline": "I decline (sign out)",

    "home.greeting": "Hello {name}",
    "home.file": "Current file",

    "forgot.title": "Forgotten password",
    "forgot.intro":
      "Start with your memory aid: it may help you recall your password without resetting it.",
    "forgot.submit": "Show my memory aid",
    "forgot.hint": "Your memory aid:",
    "forgot.remember": "I remember it: sign in",
    "forgot.reset": "Reset my password",
    "reset.title": "Reset the password",
    "reset.intro": "Answer the security question and choose a new password.",
    "reset.submit": "Reset",
    "reset.done":
      "Your password is reset and all your sessions are closed. Sign in with the new password.",

    "error.summary": "Please correct the errors shown ({count}).",
    "error.required": "This field is required.",
    "error.network": "The service does not answer. Please try again in a moment.",
    "error.unexpected": "An unexpected error occurred. Please try again in a moment.",

    "productLine.GROUP_INSURANCE": "Group insurance",
    "productLine.GROUP_RETIREMENT_SAVINGS": "Group retirement savings",
    "productLine.GROUP_ANNUITY": "Group annuity",
    "status.ACTIVE": "Active",
    "status.SUSPENDED": "Suspended",
    "status.TERMINATED": "Terminated",
    "benefit.HEALTH": "Health",
    "benefit.DENTAL": "Dental",
    "benefit.VISION": "Vision",
    "benefit.LIFE": "Life",
    "benefit.DISABILITY": "Disability",
    "benefit.TRAVEL": "Travel",
    "tier.SINGLE": "single",
    "tier.COUPLE": "couple",
    "tier.FAMILY": "family",
    "feature.HEALTH_CLAIMS": "Health care claims",
    "feature.DENTAL_CLAIMS": "Dental care claims",
    "feature.VISION_CLAIMS": "Vision care claims",
    "feature.CLAIMS_HISTORY": "Claims history",
    "feature.DIRECT_DEPOSIT": "Direct deposit",
    "feature.ELECTRONIC_STATEMENTS": "Electronic statements",
    "feature.PAYMENT_CARD": "Payment card",
  },
};

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE_KEY = "lang";

// Only the language choice is kept in storage; the session lives in an HttpOnly cookie.
function savedLanguage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

let current = LANGUAGES.includes(savedLanguage()) ? savedLanguage() : "fr";

export function language() {
  return current;
}

/** The language the switch offers (the one not in use). */
export function otherLanguage() {
  return LANGUAGES.find((lang) => lang !== current);
}

export function setLanguage(lang) {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage refused (private mode): the choice lasts until the page is reloaded.
  }
}

/** The string for `key` in the current language, with `{name}` placeholders filled. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

/** A value from the API (an enum) in words, or the value itself when the dictionary lacks it. */
export function label(prefix, value) {
  const key = `${prefix}.${value}`;
  return key in STRINGS[current] ? STRINGS[current][key] : value;
}

/** Dates from the API (YYYY-MM-DD) in the current language, without time-zone shifts. */
export function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const locale = current === "fr" ? "fr-CA" : "en-CA";
  return date.toLocaleDateString(locale, { dateStyle: "long", timeZone: "UTC" });
}

/** Fills every element marked `data-t="key"` (text) or `data-t-aria-label="key"`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-t]")) {
    element.textContent = t(element.dataset.t);
  }
  for (const element of root.querySelectorAll("[data-t-aria-label]")) {
    element.setAttribute("aria-label", t(element.dataset.tAriaLabel));
  }
  for (const element of root.querySelectorAll("[data-lang-switch]")) {
    element.lang = otherLanguage(); // its label is in the language it offers
  }
  if (root === document) {
    document.documentElement.lang = current;
    document.title = t("page.title");
  }
}
