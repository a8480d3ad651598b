"""The web app: public pages now, the workspace later."""
