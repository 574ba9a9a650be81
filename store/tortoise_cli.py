"""The configuration Tortoise's own CLI reads to write new migrations.

tortoise -c store.tortoise_cli.TORTOISE_ORM makemigrations
"""

import os

from store.db import DEFAULT_DATABASE_URL, tortoise_config

TORTOISE_ORM = tortoise_config(os.environ.get("GATEWAY_DATABASE_URL") or DEFAULT_DATABASE_URL)
