"""Gate reviews: assessments, artifacts, votes and decisions."""
