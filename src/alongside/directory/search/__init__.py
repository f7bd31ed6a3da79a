"""The directory's search service: one behaviour on SQLite (FTS5) and PostgreSQL (tsvector).

- `text`: words to stems, stop words, the synonym and needs map.
- `index`: keeps `SearchEntry` and its side tables in step with public listings.
- `engine`: runs a `SearchQuery` and returns a `SearchResult` (results, facets, help).
"""
