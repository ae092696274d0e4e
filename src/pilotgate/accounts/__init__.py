"""Accounts: local users with an application role, browser sessions and personal API tokens."""
