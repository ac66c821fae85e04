"""A coach for bouncing back after a "No" in a negotiation, built on one guide's six steps."""
