"""witness: protection and follow-up for victims of trafficking who testify."""
