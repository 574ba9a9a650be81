"""Messages by key, then language. Keys are error codes, or ``CODE.detail`` for variants."""

MESSAGES: dict[str, dict[str, str]] = {
    "REQUIRED": {
        "fr": "Ce champ est obligatoire.",
        "en": "This field is required.",
    },
    "INVALID_VALUE": {
        "fr": "Cette valeur n'est pas valide.",
        "en": "This value is not valid.",
    },
    "INVALID_VALUE.too_long": {
        "fr": "Cette valeur dépasse {max} caractères.",
        "en": "This value is longer than {max} characters.",
    },
    "INVALID_VALUE.email": {
        "fr": "Cette adresse courriel n'est pas valide.",
        "en": "This e-mail address is not valid.",
    },
    "INVALID_USER_CODE": {
        "fr": (
            "Le code d'utilisateur doit compter de {min} à {max} caractères : lettres A à Z "
            "ou a à z et chiffres 0 à 9 seulement, sans accents ni caractères spéciaux."
        ),
        "en": (
            "The user code must be {min} to {max} characters long: letters A to Z or a to z "
            "and digits 0 to 9 only, with no accents or special characters."
        ),
    },
    "USER_CODE_TAKEN": {
        "fr": "Ce code d'utilisateur est déjà pris. Choisissez-en un autre.",
        "en": "This user code is already taken. Please choose another one.",
    },
    "WEAK_PASSWORD": {
        "fr": "Ce mot de passe ne respecte pas les règles.",
        "en": "This password does not follow the rules.",
    },
    "WEAK_PASSWORD.too_short": {
        "fr": "Le mot de passe doit compter au moins {min} caractères.",
        "en": "The password must be at least {min} characters long.",
    },
    "WEAK_PASSWORD.too_long": {
        "fr": "Le mot de passe doit compter au plus {max} caractères.",
        "en": "The password must be at most {max} characters long.",
    },
    "WEAK_PASSWORD.character_kinds": {
        "fr": (
            "Le mot de passe doit contenir au moins {required} des 4 types de caractères : "
            "minuscules, majuscules, chiffres et symboles."
        ),
        "en": (
            "The password must contain at least {required} of the 4 kinds of characters: "
            "lowercase letters, uppercase letters, digits and symbols."
        ),
    },
    "WEAK_PASSWORD.contains_user_code": {
        "fr": "Le mot de passe ne doit pas contenir le code d'utilisateur.",
        "en": "The password must not contain the user code.",
    },
    "WEAK_PASSWORD.guessable": {
        "fr": (
            "Ce mot de passe est trop courant ou trop facile à deviner (par exemple un mot du "
            "dictionnaire suivi de chiffres, ou vos nom, date de naissance ou numéros). "
            "Choisissez-en un moins prévisible."
        ),
        "en": (
            "This password is too common or too easy to guess (a dictionary word followed by "
            "digits, say, or your name, date of birth or numbers). Please choose a less "
            "predictable one."
        ),
    },
    "WEAK_PASSWORD.same_as_current": {
        "fr": "Le nouveau mot de passe doit être différent du mot de passe actuel.",
        "en": "The new password must differ from the current one.",
    },
    "PASSWORD_MISMATCH": {
        "fr": "La confirmation ne correspond pas au mot de passe.",
        "en": "The confirmation does not match the password.",
    },
    "HINT_REVEALS_PASSWORD": {
        "fr": "L'aide-mémoire ne doit pas contenir le mot de passe.",
        "en": "The memory aid must not contain the password.",
    },
    "IDENTITY_NOT_VERIFIED": {
        "fr": (
            "Les numéros de contrat et de certificat et la date de naissance ne correspondent "
            "à aucun dossier. Vérifiez-les sur votre carte de paiement."
        ),
        "en": (
            "The contract and certificate numbers and the date of birth do not match any "
            "file. Please check them on your payment card."
        ),
    },
    "CERTIFICATE_ALREADY_REGISTERED": {
        "fr": "Ce certificat est déjà inscrit aux services en ligne.",
        "en": "This certificate is already registered for the online services.",
    },
    "INVALID_CREDENTIALS": {
        "fr": "Les renseignements fournis sont incorrects.",
        "en": "The information provided is incorrect.",
    },
    "ACCOUNT_LOCKED": {
        "fr": (
            "Ce code d'utilisateur est verrouillé après trop de tentatives infructueuses. "
            "Réessayez dans {wait}, ou réinitialisez votre mot de passe."
        ),
        "en": (
            "This user code is locked after too many failed attempts. "
            "Please try again in {wait}, or reset your password."
        ),
    },
    "ACCOUNT_LOCKED.recovery": {
        "fr": (
            "La récupération du mot de passe est verrouillée pour ce code d'utilisateur après "
            "trop de réponses erronées. Réessayez dans {wait}."
        ),
        "en": (
            "Password recovery is locked for this user code after too many wrong answers. "
            "Please try again in {wait}."
        ),
    },
    "ACCOUNT_LOCKED.identity": {
        "fr": (
            "Trop de tentatives pour ce certificat. Réessayez dans {wait}, ou communiquez avec "
            "l'administrateur de votre régime."
        ),
        "en": (
            "Too many attempts for this certificate. Please try again in {wait}, or contact "
            "your plan administrator."
        ),
    },
    "RATE_LIMITED": {
        "fr": "Trop de demandes. Réessayez dans {wait}.",
        "en": "Too many requests. Please try again in {wait}.",
    },
    "AUTHENTICATION_REQUIRED": {
        "fr": "Vous devez ouvrir une session.",
        "en": "You must sign in.",
    },
    "FILE_NOT_ACCESSIBLE": {
        "fr": "Ce dossier n'est pas accessible avec votre code d'utilisateur.",
        "en": "This file is not accessible with your user code.",
    },
    "AGREEMENT_OUTDATED": {
        "fr": "Cette version de la convention d'utilisation n'est pas la version en vigueur.",
        "en": "This version of the usage agreement is not the current one.",
    },
    "FEATURE_NOT_AVAILABLE": {
        "fr": "Le régime de ce dossier n'offre pas ce service en ligne.",
        "en": "The plan of this file does not offer this online service.",
    },
    "SESSION_NOT_ACTIVE": {
        "fr": (
            "Choisissez d'abord votre dossier et acceptez la convention d'utilisation en vigueur."
        ),
        "en": "First choose your file and accept the usage agreement in force.",
    },
    "SERVICE_UNAVAILABLE": {
        "fr": "Le service est momentanément indisponible. Réessayez dans quelques instants.",
        "en": "The service is briefly unavailable. Please try again in a moment.",
    },
    "FORBIDDEN": {
        "fr": "Vous n'avez pas le droit de faire cette opération.",
        "en": "You are not allowed to do this.",
    },
    "SECURITY_EVENT.REGISTERED": {
        "fr": "Inscription aux services en ligne.",
        "en": "Registered for the online services.",
    },
    "SECURITY_EVENT.SIGNED_IN": {
        "fr": "Ouverture de session.",
        "en": "Signed in.",
    },
    "SECURITY_EVENT.SIGN_IN_LOCKED": {
        "fr": "Code d'utilisateur verrouillé après trop de mots de passe erronés.",
        "en": "User code locked after too many wrong passwords.",
    },
    "SECURITY_EVENT.RECOVERY_LOCKED": {
        "fr": "Récupération du mot de passe verrouillée après trop de réponses erronées.",
        "en": "Password recovery locked after too many wrong answers.",
    },
    "SECURITY_EVENT.PASSWORD_CHANGED": {
        "fr": "Mot de passe changé.",
        "en": "Password changed.",
    },
    "SECURITY_EVENT.PASSWORD_RESET": {
        "fr": (
            "Mot de passe réinitialisé avec la question de sécurité; toutes les sessions ont "
            "pris fin."
        ),
        "en": "Password reset with the security question; every session was ended.",
    },
    "SECURITY_EVENT.FILE_LINKED": {
        "fr": "Un dossier a été ajouté à ce code d'utilisateur.",
        "en": "A file was added to this user code.",
    },
    "SECURITY_EVENT.SESSIONS_REVOKED": {
        "fr": "Des sessions ont été fermées.",
        "en": "Sessions were ended.",
    },
    "SECURITY_EVENT.PROFILE_CORRECTED": {
        "fr": "Vos renseignements personnels ont été corrigés par notre service à la clientèle.",
        "en": "Your personal information was corrected by our customer service.",
    },
    "NOT_FOUND": {
        "fr": "Introuvable.",
        "en": "Not found.",
    },
}
