"""Opaque global IDs: clients hold them without learning row numbers or counting them."""

from __future__ import annotations

import base64
import binascii


def encode_id(kind: str, number: int) -> str:
    raw = f"{kind}:{number}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id(kind: str, global_id: str) -> int | None:
    """The row number behind an ID of this kind; None for anything else."""
    if len(global_id) > 64:
        return None
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    prefix, _, number = raw.partition(":")
    if prefix != kind or not number.isdigit() or len(number) > 18:
        return None
    return int(number)


def encode_file_id(certificate_id: int) -> str:
    return encode_id("InsuranceFile", certificate_id)


def decode_file_id(file_id: str) -> int | None:
    return decode_id("InsuranceFile", file_id)
