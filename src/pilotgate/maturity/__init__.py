"""Organisational readiness: the five capabilities of the missing middle, self-assessed and measured."""
