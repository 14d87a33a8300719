"""Storage: tables, unit of work, field encryption and the audit chain."""
