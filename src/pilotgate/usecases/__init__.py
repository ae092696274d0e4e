"""The registry: use cases, people and the named role assignments."""
