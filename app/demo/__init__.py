"""The demonstration data: the Third Local Action Plan of Open Government of Durango."""
