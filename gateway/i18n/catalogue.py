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
            "à aucun dossier. Vérifiez les numéros sur votre carte de paiement, et votre date "
            "de naissance."
        ),
        "en": (
            "The contract and certificate numbers and the date of birth do not match any "
            "file. Please check the numbers on your payment card, and your date of birth."
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
    "INVALID_CREDENTIALS.last": {
        "fr": (
            "Les renseignements fournis sont incorrects. Il vous reste une tentative avant le "
            "verrouillage de ce code d'utilisateur : en cas de doute, réinitialisez votre mot "
            "de passe."
        ),
        "en": (
            "The information provided is incorrect. You have one try left before this user "
            "code is locked: if in doubt, reset your password."
        ),
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
    "DUPLICATE_CLAIM": {
        "fr": (
            "Une réclamation pour la même personne, le même service, la même date, le même "
            "fournisseur et le même montant a déjà été envoyée."
        ),
        "en": ("A claim for the same person, service, date, provider and amount was already sent."),
    },
    "IDEMPOTENCY_KEY_REUSED": {
        "fr": "Cette clé d'idempotence a déjà servi pour une autre réclamation.",
        "en": "This idempotency key was already used for another claim.",
    },
    "INVALID_RECEIPT": {
        "fr": (
            "Ce fichier n'est pas un reçu lisible : envoyez une photo JPEG, PNG ou HEIC, ou un PDF."
        ),
        "en": "This file is not a readable receipt: send a JPEG, PNG or HEIC photo, or a PDF.",
    },
    "INVALID_RECEIPT.too_large": {
        "fr": "Ce fichier dépasse {max_mb} Mo.",
        "en": "This file is larger than {max_mb} MB.",
    },
    "INVALID_RECEIPT.too_many_pending": {
        "fr": (
            "Vous avez déjà {max} reçus en attente : joignez-les à une réclamation avant d'en "
            "envoyer d'autres."
        ),
        "en": (
            "You already have {max} receipts waiting: attach them to a claim before sending more."
        ),
    },
    "OUTSIDE_COVERAGE": {
        "fr": "Cette date de service n'est pas couverte par ce dossier.",
        "en": "This service date is not covered by this file.",
    },
    "OUTSIDE_COVERAGE.future": {
        "fr": "La date de service ne peut pas être dans le futur.",
        "en": "The service date cannot be in the future.",
    },
    "OUTSIDE_COVERAGE.before_effective": {
        "fr": "La date de service précède le début de votre couverture ({date}).",
        "en": "The service date is before your coverage began ({date}).",
    },
    "OUTSIDE_COVERAGE.too_old": {
        "fr": "Les soins de plus de 12 mois (avant le {date}) ne peuvent plus être réclamés.",
        "en": "Care more than 12 months old (before {date}) can no longer be claimed.",
    },
    "OUTSIDE_COVERAGE.suspended": {
        "fr": "Votre couverture est suspendue : aucune réclamation n'est acceptée.",
        "en": "Your coverage is suspended: no claim is accepted.",
    },
    "OUTSIDE_COVERAGE.after_termination": {
        "fr": "La date de service suit la fin de votre couverture ({date}).",
        "en": "The service date is after your coverage ended ({date}).",
    },
    "OUTSIDE_COVERAGE.deadline": {
        "fr": (
            "Le délai de 90 jours après la fin de votre couverture pour réclamer est passé "
            "(depuis le {date})."
        ),
        "en": ("The 90 days after your coverage ended to send claims are over (since {date})."),
    },
    "REAUTHENTICATION_FAILED": {
        "fr": "Le mot de passe actuel est erroné.",
        "en": "The current password is wrong.",
    },
    "INVALID_VALUE.idempotency_key": {
        "fr": "La clé d'idempotence doit compter de 1 à {max} caractères imprimables.",
        "en": "The idempotency key must be 1 to {max} printable characters.",
    },
    "INVALID_VALUE.patient": {
        "fr": "Cette personne n'est pas assurée par ce dossier.",
        "en": "This person is not insured by this file.",
    },
    "INVALID_VALUE.provider_name": {
        "fr": "Le nom du fournisseur doit compter de {min} à {max} caractères imprimables.",
        "en": "The provider's name must be {min} to {max} printable characters.",
    },
    "INVALID_VALUE.line_count": {
        "fr": "Une réclamation compte de 1 à {max} lignes.",
        "en": "A claim has 1 to {max} lines.",
    },
    "INVALID_VALUE.service_category": {
        "fr": "Ce service n'appartient pas à la catégorie de la réclamation ({category}).",
        "en": "This service does not belong to the claim's category ({category}).",
    },
    "INVALID_VALUE.amount": {
        "fr": "Le montant doit être de plus de 0 $ et d'au plus 100 000,00 $.",
        "en": "The amount must be more than $0 and at most $100,000.00.",
    },
    "INVALID_VALUE.other_plan_paid": {
        "fr": "Ce que l'autre régime a payé doit être entre 0 $ et le montant de la ligne.",
        "en": "What the other plan paid must be between $0 and the line's amount.",
    },
    "INVALID_VALUE.receipt_count": {
        "fr": "Joignez de 1 à {max} reçus à la réclamation.",
        "en": "Attach 1 to {max} receipts to the claim.",
    },
    "INVALID_VALUE.receipt": {
        "fr": "Ce reçu est introuvable ou déjà joint à une réclamation.",
        "en": "This receipt cannot be found or is already attached to a claim.",
    },
    "INVALID_VALUE.institution_number": {
        "fr": "Le numéro d'institution compte 3 chiffres.",
        "en": "The institution number has 3 digits.",
    },
    "INVALID_VALUE.transit_number": {
        "fr": "Le numéro de transit compte 5 chiffres.",
        "en": "The transit number has 5 digits.",
    },
    "INVALID_VALUE.account_number": {
        "fr": "Le numéro de compte compte de 7 à 12 chiffres.",
        "en": "The account number has 7 to 12 digits.",
    },
    "SECURITY_EVENT.DIRECT_DEPOSIT_CHANGED": {
        "fr": "Compte bancaire pour le dépôt direct modifié.",
        "en": "Bank account for direct deposit changed.",
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
