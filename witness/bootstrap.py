"""The composition root: the one place real adapters are built. Tests build their own App."""
from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from functools import cached_property
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from witness import config_cache
from witness.config_cache import Profiles
from witness.clock import Clock, SystemClock
from witness.errors import NotFound
from witness.private_files import secure_store
from witness.store.crypto import FieldCipher, Keyring, keyring_from
from witness.store.engine import make_engine
from witness.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:  # types only: a command that reads no profile or policy need not import their models
    from sqlalchemy.engine import Engine

    from witness.domain.access import Actor
    from witness.domain.jurisdiction import JurisdictionProfile
    from witness.domain.risk import RiskPolicy
    from witness.settings import Settings


@dataclass
class App:
    settings: Settings
    engine: Engine
    keyring: Keyring
    profiles: Profiles  # by state code; a dict of built profiles is taken too (tests) and wrapped
    clock: Clock = field(default_factory=SystemClock)
    policy: InitVar[RiskPolicy | None] = None  # the risk policy, if given; otherwise read when first needed

    def __post_init__(self, policy: RiskPolicy | None) -> None:
        if not isinstance(self.profiles, Profiles):
            self.profiles = Profiles.of(self.profiles)
        if policy is not None:
            self.risk_policy = policy

    @cached_property
    def risk_policy(self) -> RiskPolicy:
        """config/risk.yaml, validated at start with the profiles (witness.config_cache) but only
        made into objects here: only risk commands use it, and building its models cost every
        other command ~13 ms."""
        return config_cache.load(self.settings).risk_policy()

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

    def zone(self, code: str) -> ZoneInfo:
        """The time zone of a state's profile, without building the profiles' models (Profiles)."""
        try:
            return self.profiles.zone(code)
        except KeyError:
            raise NotFound(f"jurisdiction: no profile for {code!r}") from None


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    """Refuses to start without a key (R-71) and with a wrong profile or risk policy (R-13)."""
    secure_store(settings)  # stores from older versions were readable by every account: tighten at start
    keyring = keyring_from(settings)
    config = config_cache.load(settings)  # validated when the files last changed, kept compiled
    return App(settings, make_engine(settings.url), keyring, config.profiles, clock or SystemClock())
