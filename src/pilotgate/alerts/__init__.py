"""Alerts: per-person digests and a portfolio summary, sent by webhook (Slack-compatible) and SMTP."""
