"""Finance: business cases of use cases (monthly cash flows, scenarios, sensitivity, Monte Carlo)."""
