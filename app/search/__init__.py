"""Search over the plan's content (a minimal stand-in: the lead replaces it when merging)."""
