"""Typed business errors; the CLI (and later the web layer) renders them in one place."""

from __future__ import annotations


class PilotgateError(Exception):
    """Base of every error a user can cause and fix; carries an HTTP-like status."""

    status = 400
    title = "Invalid request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PilotgateError):
    """The named object does not exist."""

    status = 404
    title = "Not found"


class InvalidInput(PilotgateError):
    """A value supplied by the user is malformed or out of range."""

    status = 422
    title = "Invalid input"

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}" if field else why)
        self.field = field
        self.why = why


class Forbidden(PilotgateError):
    """The actor lacks the authority for this action."""

    status = 403
    title = "Not allowed"


class Conflict(PilotgateError):
    """The action conflicts with the current state (illegal transition, lost race)."""

    status = 409
    title = "Conflict"


class GateBlocked(Conflict):
    """A go decision was refused; every unmet reason is listed."""

    title = "Gate blocked"

    def __init__(self, reasons: list[str]) -> None:
        lines = "; ".join(reasons)
        super().__init__(f"go is blocked by {len(reasons)} unmet requirement(s): {lines}")
        self.reasons = reasons


class PolicyError(PilotgateError):
    """A policy file is malformed; every problem names the offending key."""

    status = 422
    title = "Invalid policy"

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems
