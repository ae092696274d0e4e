"""Handover of operations from the AI programme to the owning team, and hypercare after go-live."""
