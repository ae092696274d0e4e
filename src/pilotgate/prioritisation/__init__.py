"""Use-case prioritisation: the Discovery scorecard, the ranked portfolio and value concentration."""
