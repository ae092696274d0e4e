"""The tamper-evident audit trail: a SHA-256 hash chain with signed checkpoints."""
