"""The foundation every capability stands on: configuration, errors, the clock, the database
(engine, sessions, models, column types, Alembic migrations), structured logs, and text helpers
shared by all (Turkish-aware folding, reading text files, one-line checks, bulk inserts), plus the
library's default programme areas and partners.

May import: nothing else of newsletter. Everything else may import it.
"""
