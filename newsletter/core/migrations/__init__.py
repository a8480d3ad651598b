"""Alembic migrations, shipped inside the package so an installed wheel can upgrade its database.

HEAD is the newest revision; a test checks it against the scripts, so every command can tell an
out-of-date database without loading Alembic.
"""

HEAD = "0011"
