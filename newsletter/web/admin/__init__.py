"""The browser workspace under /admin: sign-in, the block library, imports, media, the composer
and the approval workflow (issue 11).

``frame`` holds what every workspace page shares (the signed-in viewer, permission guards, the
page renderer with the "admin" catalogue, flash messages, field errors); each other module is
one router of pages calling the same service functions as the CLI. Nothing here holds business
rules: a page reads the form, calls a service function, and shows its result or its error.
"""
