"""pilotgate: stage-gate governance for enterprise AI use cases."""

__version__ = "0.1.0"
