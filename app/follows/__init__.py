"""Who follows what (a minimal stand-in: the follows area replaces it when merged)."""
