"""Scale: expansions as linked use cases started from the parent's evidence, and capability reuse."""
