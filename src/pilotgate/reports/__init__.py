"""Reports and diagrams."""
