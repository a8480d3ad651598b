"""Who may use the workspace: users and roles, argon2 passwords, database sessions, the sign-in
throttle and API tokens.

Imports only ``newsletter.core``; the web app and the CLI call these functions, and
``core.audit`` records what each person did.
"""
