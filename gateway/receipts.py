"""Receipts (R17): what a member uploads before a claim, checked for what it really is and
cleaned of what it should not carry (a photo's GPS position), kept in the receipt store, read
back by its owner and, through a signed link, by the claims system.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from gateway import audit, metrics
from gateway.audit import Origin
from gateway.ids import IdKind, OpaqueIds
from gateway.problems import ErrorCode, Problem
from gateway.sessions import selected_file
from gateway.settings import Settings
from gateway.vocabulary import CLAIM_FEATURE
from store import claims as stored
from store.receipt_blobs import DatabaseReceiptStore
from store.records import Receipt, SignedIn

if TYPE_CHECKING:
    from store.receipt_objects import ReceiptStore

log = logging.getLogger("gateway.receipts")

UNATTACHED_LIFETIME = timedelta(hours=24)
LINK_LIFETIME = timedelta(days=30)
_LINK_PURPOSE = b"receipt-link"
# Decoding a large photo takes a few hundred milliseconds and up to ~150 MB: two at a time per
# process (ClaimServices.cleaning) keeps a burst of uploads from exhausting a small container.
CLEANING_AT_ONCE = 2


def receipt_store(settings: Settings) -> ReceiptStore:
    if settings.receipt_store == "database":
        return DatabaseReceiptStore()
    from store.receipt_objects import S3ReceiptStore, parse_s3_url  # obstore, on first use

    return S3ReceiptStore(parse_s3_url(settings.receipt_store))


@dataclass
class Upload:
    """The file as the HTTP shell received it: on disk, or refused for its size (the resolver
    then answers INVALID_RECEIPT with the field, not a bare 413)."""

    path: Path | None
    size: int
    too_large: bool

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


async def pending_receipts(member: SignedIn) -> list[Receipt]:
    return await stored.pending_receipts(member.account.id)


async def upload_receipt(
    member: SignedIn,
    upload: Upload,
    origin: Origin,
    settings: Settings,
    store: ReceiptStore,
    cleaning: asyncio.Semaphore,
) -> tuple[Receipt | None, list[Problem]]:
    file = selected_file(member)
    offered = file is not None and any(
        feature.value in file.online_features for feature in CLAIM_FEATURE.values()
    )
    if not offered:
        return None, [Problem(ErrorCode.FEATURE_NOT_AVAILABLE, "file")]
    max_mb = settings.receipt_max_bytes // (1024 * 1024)
    if upload.too_large or upload.size > settings.receipt_max_bytes:
        metrics.RECEIPTS_UPLOADED.labels("refused").inc()
        return None, [
            Problem(
                ErrorCode.INVALID_RECEIPT, "file", "INVALID_RECEIPT.too_large", {"max_mb": max_mb}
            )
        ]
    pending = await stored.pending_receipt_count(member.account.id)
    if pending >= settings.max_pending_receipts:
        return None, [
            Problem(
                ErrorCode.INVALID_RECEIPT,
                "file",
                "INVALID_RECEIPT.too_many_pending",
                {"max": settings.max_pending_receipts},
            )
        ]
    if upload.path is None:
        return None, [Problem(ErrorCode.INVALID_RECEIPT, "file")]
    # Pillow, pillow-heif and pypdf weigh ~30 MB in a process: loaded by the first receipt.
    from gateway.receipt_content import ReceiptRejected, clean_receipt

    try:
        async with cleaning:
            clean = await asyncio.to_thread(
                clean_receipt, upload.path, max_bytes=settings.receipt_max_bytes
            )
    except ReceiptRejected as rejected:
        log.info("receipt refused", extra={"fields": {"reason": rejected.reason}})
        metrics.RECEIPTS_UPLOADED.labels("refused").inc()
        return None, [Problem(ErrorCode.INVALID_RECEIPT, "file")]
    public_id = str(uuid.uuid4())
    await store.put(public_id, clean.data, clean.content_type)
    digest = hashlib.sha256(clean.data).hexdigest()
    entry = audit.entry_for(
        member.account, "receipt_uploaded", origin, type=clean.content_type, bytes=len(clean.data)
    )
    try:
        receipt = await stored.add_receipt(
            public_id,
            member.account.id,
            clean.content_type,
            len(clean.data),
            digest,
            datetime.now(UTC),
            entry,
        )
    except BaseException:
        await store.delete(public_id)
        raise
    if await stored.pending_rank(member.account.id, receipt.id) > settings.max_pending_receipts:
        # A burst passed the count above together: those written after the first allowed
        # give their place back, so the limit holds however many arrive at once.
        await stored.delete_unattached(receipt.id)
        await store.delete(public_id)
        return None, [
            Problem(
                ErrorCode.INVALID_RECEIPT,
                "file",
                "INVALID_RECEIPT.too_many_pending",
                {"max": settings.max_pending_receipts},
            )
        ]
    metrics.RECEIPTS_UPLOADED.labels("stored").inc()
    return receipt, []


async def receipt_of_member(
    member: SignedIn, receipt_id: str, ids: OpaqueIds, store: ReceiptStore
) -> tuple[Receipt, bytes] | None:
    """Its owner's, whatever the file selected: a receipt is the account's own."""
    number = ids.decode(IdKind.RECEIPT, receipt_id)
    receipt = await stored.receipt(number) if number is not None else None
    if receipt is None or receipt.account_id != member.account.id:
        return None
    data = await store.get(receipt.public_id)
    return (receipt, data) if data is not None else None


def signed_link(base_url: str, receipt: Receipt, key: bytes, *, now: float | None = None) -> str:
    """What the claims system fetches the receipt with: no session, a deadline and a MAC."""
    expires = int((now or time.time()) + LINK_LIFETIME.total_seconds())
    mac = _link_mac(key, receipt.public_id, expires)
    return f"{base_url}/receipts/{receipt.public_id}?expires={expires}&signature={mac}"


def _link_mac(key: bytes, public_id: str, expires: int) -> str:
    message = _LINK_PURPOSE + b"\x00" + f"{public_id}:{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def receipt_by_link(
    public_id: str, expires: str, signature: str, key: bytes, store: ReceiptStore
) -> tuple[Receipt, bytes] | None:
    if not expires.isdigit() or int(expires) < time.time() or len(public_id) > 36:
        return None
    if not hmac.compare_digest(signature, _link_mac(key, public_id, int(expires))):
        return None
    receipt = await stored.receipt_by_public_id(public_id)
    if receipt is None:
        return None
    data = await store.get(receipt.public_id)
    return (receipt, data) if data is not None else None


async def delete_stale(store: ReceiptStore, now: datetime | None = None) -> int:
    """Receipts never attached to a claim within 24 hours: their bytes are personal health
    data with no purpose left."""
    moment = (now or datetime.now(UTC)) - UNATTACHED_LIFETIME
    deleted = 0
    for receipt in await stored.unattached_before(moment, limit=500):
        if await stored.delete_unattached(receipt.id):
            await store.delete(receipt.public_id)
            deleted += 1
    return deleted
