"""Scheduled jobs: a lease row makes sure one instance at a time runs each of them."""
