"""Receipt bytes in the database: the default store, shared by every gateway process with
nothing more to run (``store/receipt_objects.py`` is the object-storage one)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.claims import ReceiptBlob


class DatabaseReceiptStore:
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await ReceiptBlob.create(key=key, data=data, content_type=content_type)
        except IntegrityError:  # the same key again: the caller retried, keep the latest
            await ReceiptBlob.filter(key=key).update(data=data, content_type=content_type)

    async def get(self, key: str) -> bytes | None:
        row = await ReceiptBlob.get_or_none(key=key)
        return bytes(row.data) if row is not None else None

    async def delete(self, key: str) -> None:
        await ReceiptBlob.filter(key=key).delete()
