"""The configuration Tortoise's own CLI reads to write new migrations.

tortoise -c models.config.TORTOISE_ORM makemigrations
"""

from gateway.db import tortoise_config
from gateway.settings import load_settings

TORTOISE_ORM = tortoise_config(load_settings())
