"""Outputs: documents (Jinja + WeasyPrint), calendars, transports."""
