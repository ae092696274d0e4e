"""Evidence: stored artifact files (and, later, measured metrics)."""
