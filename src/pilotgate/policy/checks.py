"""The computed checks a policy's `computed` criteria may name: decided from pilotgate's own
records (funding, change management, operations), never asserted by hand."""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "funding.pathway_identified": (
        "a production funding pathway is identified: an operational budget line (proposed or approved) "
        "or an approved transition to operational funding"
    ),
    "funding.production_funded": (
        "production funding is approved and business-unit ownership formalised: an approved operational "
        "budget line covering today, an approved transition to it, and a named business-unit head"
    ),
}
