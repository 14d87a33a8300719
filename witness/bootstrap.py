"""The composition root: the one place real adapters are built. Tests build their own App."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from witness.clock import Clock, SystemClock
from witness.domain.access import Actor
from witness.domain.jurisdiction import JurisdictionProfile
from witness.errors import NotFound
from witness.domain.risk import RiskPolicy
from witness.private_files import secure_store
from witness.profiles import load_profiles
from witness.risk_policy import load_risk_policy
from witness.settings import Settings
from witness.store.crypto import FieldCipher, Keyring, keyring_from
from witness.store.engine import make_engine
from witness.store.unit_of_work import UnitOfWork


@dataclass
class App:
    settings: Settings
    engine: Engine
    keyring: Keyring
    profiles: dict[str, JurisdictionProfile]
    clock: Clock = field(default_factory=SystemClock)
    risk_policy: RiskPolicy | None = None

    @property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.keyring, engine=self.engine, reload=self.reload_keyring)

    @cached_property
    def heads(self):
        """Where the audit chain's heads are kept outside the store: a file, or another database (R-72, R-101a)."""
        from witness.store.audit import head_store

        return head_store(self.settings)

    def reload_keyring(self) -> Keyring:
        """Another machine rotated the key-encryption key: read the shared keyring again."""
        self.keyring = keyring_from(self.settings)
        return self.keyring

    def uow(self, actor: Actor, now: datetime | None = None) -> UnitOfWork:
        return UnitOfWork(self.engine, self.cipher, self.keyring.audit_key, self.heads,
                          actor, now or self.clock.now(), self.profiles, self.settings)

    def profile(self, code: str) -> JurisdictionProfile:
        try:
            return self.profiles[code]
        except KeyError:
            raise NotFound(f"jurisdiction: no profile for {code!r}") from None


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Refuses to start without a key (R-71) and with a wrong profile (R-13)."""
    secure_store(settings)  # stores from older versions were readable by every account: tighten at start
    keyring = keyring_from(settings)
    profiles = load_profiles(Path(settings.config_dir) / "jurisdictions")
    policy = load_risk_policy(Path(settings.config_dir) / "risk.yaml")
    return App(settings, make_engine(settings.url), keyring, profiles, clock or SystemClock(), policy)
