"""Production funding as data: budget lines, the project-to-operational transition, computed checks."""
