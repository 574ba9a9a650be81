"""The one message catalogue: every sentence a client can see, in French and English."""

from __future__ import annotations

from enum import Enum
from typing import Any

from gateway.i18n.catalogue import MESSAGES


class Language(Enum):
    FR = "fr"
    EN = "en"


DEFAULT_LANGUAGE = Language.FR


def translate(key: str, language: Language, **params: Any) -> str:
    return MESSAGES[key][language.value].format(**params)


def language_from_header(accept_language: str | None) -> Language:
    """The best of fr and en by the header's q-values; French when neither is asked for."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        try:
            language = Language(primary)
        except ValueError:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality, -position, language)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE
