"""Court-request documents and victim letters rendered to PDF (R-80…R-83).

Nothing here is imported at CLI start-up: WeasyPrint loads only when something is rendered.
"""
