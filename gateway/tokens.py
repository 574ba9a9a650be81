"""Bearer secrets: member session tokens and API keys, and what is stored of them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

API_KEY_PREFIX = "gwk_"
# A session's or a key's last use is written at most this often: a request must not cost a
# write, and a minute is precise enough to spot an abandoned session.
TOUCH_EVERY = timedelta(seconds=60)
# Longer bearer values are no token of ours; nothing is looked up for them.
MAX_TOKEN_LENGTH = 128


def new_session_token() -> str:
    """256 random bits; the client gets it once, the database keeps only its digest.

    Never with the API keys' prefix, so that one bearer header can carry either.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith(API_KEY_PREFIX):
            return token


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


def digest(token: str) -> str:
    """SHA-256: tokens are 256 random bits, so a fast digest is enough (no guessing to slow)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
