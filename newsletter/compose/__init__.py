"""Issues made from blocks: the issue service and its lifecycle (review, approval), sections and
placements, language editions, loading an issue's content as a frozen view, freezing snapshots,
previews, and ``check_issue`` (the part of the pre-send checks that reads the database).

May import: core, rendering, library, audience.
"""
