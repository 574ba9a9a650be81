"""Receipts are photos and PDFs, which do not compress: PostgreSQL is told not to try.

By default PostgreSQL runs pglz over every bytea value above 2 KB before storing it out of
line; on a 1 MB JPEG that is milliseconds of the database's CPU for nothing, with each claim's
receipt (bench/README.md, issue 20). SQLite stores blobs as they are: nothing to do there.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops


async def _store_receipts_uncompressed(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            'ALTER TABLE "receipt_blob" ALTER COLUMN "data" SET STORAGE EXTERNAL'
        )


async def _store_receipts_compressed(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            'ALTER TABLE "receipt_blob" ALTER COLUMN "data" SET STORAGE EXTENDED'
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0005_scale")]

    initial = False

    operations = [ops.RunPython(_store_receipts_uncompressed, _store_receipts_compressed)]
