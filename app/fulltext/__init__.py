"""The full-text index beneath the search: its table, the Spanish analyser and the matching.

The areas whose lists have a search box (proposals, commitments, dialogue tables) read it
through `app.fulltext.matching`; the search area above them keeps it filled (app/search/indexing)
and shows the site-wide results. This package imports no area, so both directions stay one-way.
"""
