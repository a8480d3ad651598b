"""Who gets the email: addresses, mailing lists, subscribing, confirming and unsubscribing,
preferences, admin work on subscribers (roster), lookups, consent records, the suppression list,
personal data requests and erasure, CSV import and export, and signed tokens for personal links.

May import: core. Never rendering, library, or anything above.
"""
