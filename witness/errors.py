"""One error hierarchy. The CLI turns any WitnessError into exit code 1 and its message.

Messages never carry personal data: they name fields, pseudonyms and ids only.
"""
from __future__ import annotations


class WitnessError(Exception):
    """Base of every error the application raises on purpose."""


class InputProblems(WitnessError):
    """Bad input: one `field.path: message` line per problem, and nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{path}: {msg}" for path, msg in problems))


class NotFound(WitnessError):
    pass


class Forbidden(WitnessError):
    """The actor's role or assignment does not allow this action (fail closed)."""

    audited = False  # set once the refusal has its audit row (witness.services.access), so no edge adds another


class IllegalTransition(WitnessError):
    pass


class ActionBlocked(WitnessError):
    """A Do No Harm rule or a consent rule stops this action; the message says which and why."""


class ConfigError(WitnessError):
    """A configuration file is wrong; the message names the file and the field."""


class KeyMissing(WitnessError):
    """No encryption key: the system refuses to start rather than write plaintext."""


class StoreBusy(WitnessError):
    """The database is locked by another writer. Retry; nothing was written.

    `contended`: PostgreSQL rolled the transaction back over another one's (a deadlock victim,
    40P01, or a serialization failure, 40001): doing it again at once is safe and likely to pass."""

    def __init__(self, message: str, contended: bool = False):
        super().__init__(message)
        self.contended = contended


class IntegrityFailure(WitnessError):
    """The audit chain or an encrypted value failed verification."""
