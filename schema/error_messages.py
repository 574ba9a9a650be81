"""Error messages that neither spell out the schema nor repeat what the client sent.

graphql-core's messages quote the offending value ("found: { userCode: ..., password: ... }",
"cannot represent a Date: ..."), which puts a password in a response and in whatever logs
responses; and they suggest the names a client did not know ("Did you mean 'input'?", each
required field of an input, each required argument), which gives the schema away when
introspection is off. The gateway rewrites them here, keeping what the client needs: what is
wrong, and where (the error's locations, and the names the client itself wrote).
"""

from __future__ import annotations

import re

_FOUND = re.compile(r"[,.]?\s*[Ff]ound: .*$", re.DOTALL)
_CANNOT_REPRESENT = re.compile(r"^(.*? cannot represent [^:]*?): .*$", re.DOTALL)
_ENUM_VALUE = re.compile(r"Value '.*?' does not exist in '(\w+)' enum\.", re.DOTALL)
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_REQUIRED_FIELD = re.compile(
    r"Expected value of type '([^']+)' to include required field '[^']+'\.?$"
)
_REQUIRED_ARGUMENT = re.compile(
    r"Argument '\w+\.(\w+)\(\w+:\)' of type '[^']+' is required, but it was not provided\."
)


def sanitize(message: str, *, hide_schema: bool) -> str:
    """The message without any value the client sent; with ``hide_schema``, also without any
    name of the schema the client did not write itself."""
    text = _FOUND.sub("", message)
    text = _CANNOT_REPRESENT.sub(r"\1", text)
    text = _ENUM_VALUE.sub(r"The value given is not one of the enum '\1'.", text)
    if hide_schema:
        text = _SUGGESTION.sub("", text)
        text = _REQUIRED_FIELD.sub(r"Expected value of type '\1' is missing required fields.", text)
        text = _REQUIRED_ARGUMENT.sub(r"Field '\1' is missing a required argument.", text)
    if text == message:
        return message  # Apollo clients match "PersistedQueryNotFound" to the letter
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."
