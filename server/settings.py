"""The settings as the shell loads them: the environment, and what only the shell can check."""

from __future__ import annotations

from collections.abc import Mapping

from gateway.settings import Settings, SettingsError, load_settings
from server.persisted import SafelistError, load_safelist


def load_server_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """``load_settings``, and a safelist file that can be read as one."""
    settings = load_settings(environ)
    if settings.persisted_queries_only and settings.persisted_queries_file is not None:
        try:
            load_safelist(settings.persisted_queries_file)
        except SafelistError as error:
            raise SettingsError("GATEWAY_PERSISTED_QUERIES_FILE", str(error)) from None
    return settings
