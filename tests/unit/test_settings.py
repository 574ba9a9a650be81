"""GATEWAY_* variables: defaults, parsing, and one clear line for a bad value."""

import pytest

from gateway.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_defaults_need_no_environment():
    settings = load_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism) == (
        19456,
        2,
        1,
    )
    assert (settings.lockout_threshold, settings.lockout_minutes) == (5, 15)
    assert (settings.session_idle_minutes, settings.session_max_hours) == (30, 12)
    assert settings.cookie_secure is True


def test_values_are_parsed():
    settings = load_settings(
        {
            "GATEWAY_DATABASE_URL": "postgres://gw@db.internal:5433/gateway",
            "GATEWAY_LOCKOUT_THRESHOLD": "3",
            "GATEWAY_COOKIE_SECURE": "false",
            "GATEWAY_ANSWER_CACHE_SIZE": "0",
            "GATEWAY_ARGON2_THREADS": "1",
            "GATEWAY_HASHING_CPU_SHARE": "0",
            "GATEWAY_HASHING_NICE": "0",
        }
    )
    assert settings.database_url == "postgres://gw@db.internal:5433/gateway"
    assert settings.lockout_threshold == 3
    assert settings.cookie_secure is False
    assert settings.answer_cache_size == 0
    assert settings.argon2_threads == 1
    assert (settings.hashing_cpu_share, settings.hashing_nice) == (0, 0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GATEWAY_DATABASE_URL", "mysql://root@localhost/db"),
        ("GATEWAY_DATABASE_URL", "sqlite://"),
        ("GATEWAY_DATABASE_URL", "postgres://user@host:port/db"),
        ("GATEWAY_DATABASE_URL", "postgres://user@host:5432"),
        ("GATEWAY_LOCKOUT_THRESHOLD", "five"),
        ("GATEWAY_SESSION_IDLE_MINUTES", "0"),
        ("GATEWAY_COOKIE_SECURE", "maybe"),
        ("GATEWAY_LOG_LEVEL", "LOUD"),
        ("GATEWAY_ANSWER_CACHE_SIZE", "-1"),
        ("GATEWAY_ARGON2_THREADS", "0"),
        ("GATEWAY_HASHING_CPU_SHARE", "91"),
        ("GATEWAY_HASHING_CPU_SHARE", "-5"),
        ("GATEWAY_HASHING_NICE", "20"),
    ],
)
def test_a_wrong_value_names_its_variable(variable, value):
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    assert str(raised.value).startswith(f"{variable}: ")
    assert "\n" not in str(raised.value)
