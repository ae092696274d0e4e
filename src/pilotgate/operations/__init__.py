"""AI operations as data: the owning team, on-call, runbook, monitoring, incidents, drills,
retraining, drift notes, the ML Test Score readiness rubric and three computed gate checks."""
