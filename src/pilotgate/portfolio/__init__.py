"""Portfolio intelligence: inventory import (and, to come, funnel, stalled detection, readiness)."""
