"""The web app: the public pages every email links to (subscribe, confirm, unsubscribe,
preferences, archive), served by ``newsletter serve``.

``app.create_app`` assembles them; each router module (subscribe, unsubscribe, preferences,
archive_pages, site) holds its pages and imports only what they share (context, page_helpers,
personal_links, forms, security, i18n, ratelimit, archive), never the app or another router.

May import: everything below it (core, rendering, library, audience, compose, delivery,
scheduling). Nothing imports web except the CLI's ``serve`` command, which starts it.
"""
