"""Browser tests: journeys and accessibility, in Debian's Chromium."""
