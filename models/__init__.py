"""Tortoise models: the registry, accounts, sessions, agreements and the audit trail."""
