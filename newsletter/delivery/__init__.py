"""Getting a frozen issue to each recipient exactly once: message bytes and headers, the
per-recipient composer, link tokens, DKIM, the transports (interface, outbox, SMTP, and the
factory above them), the delivery ledger with retry and rate limits, sender threads and the
sender, confirmation emails, test sends (proofs), and the archive's publication rules.

May import: core, rendering, library, audience, compose.
"""
