"""A fresh store with one victim's case, for the benchmarks that time her calendar feed
(benchmarks/calendars.py, benchmarks/schedule.py). Synthetic data only: a pseudonymous case.

The case: Thailand, Burmese-speaking, consent to testimony and interview, three hearings 30, 37 and
44 days ahead, an interview in 5 days, and her reflection period running — so her feed holds five
events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

VICTIM_FEED_EVENTS = 5  # 3 hearings, the interview, the end of her reflection period


@dataclass
class VictimStore:
    app: object  # witness.bootstrap.App
    coordinator: object  # witness.domain.access.Actor, on the case
    case_id: str

    def close(self) -> None:
        self.app.engine.dispose()


def victim_store(home: Path, now: datetime = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)) -> VictimStore:
    """A new SQLite store under `home` (the caller removes it) holding the one case above."""
    import yaml

    from witness.bootstrap import App
    from witness.clock import FixedClock
    from witness.domain.access import Actor, Role
    from witness.profiles import load_profiles
    from witness.services import appointments, consent, hearings as hearing_service, resources
    from witness.services.intake import open_case
    from witness.settings import PROJECT_ROOT, Settings
    from witness.store import schema
    from witness.store.crypto import Keyring, save_keyring
    from witness.store.engine import make_engine

    coordinator, prosecutor = Actor("bench", Role.coordinator), Actor("bench-p", Role.prosecutor)
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'witness.db'}")
    ring = Keyring.generate()
    save_keyring(settings.keyring_path, ring)
    engine = make_engine(settings.url)
    schema.upgrade(engine)
    app = App(settings, engine, ring, load_profiles(PROJECT_ROOT / "config" / "jurisdictions"), FixedClock(now))
    resources.load(app, coordinator, yaml.safe_load((PROJECT_ROOT / "config" / "resources.example.yaml").read_text()))
    form = {"jurisdiction": "TH", "coordinator": "bench", "opened_at": now.isoformat(),
            "victim": {"legal_name": "Synthetic Person", "gender": "male", "preferred_language": "my",
                       "escort_gender_preference": "male", "date_of_birth": "1990-01-01", "safe_channels": ["call"]},
            "proceedings": [{"court": "Samut Sakhon Provincial Court", "docket": "BENCH-1", "prosecutor": "bench-p"}]}
    case = open_case(app, coordinator, form)
    for scope in ("testimony", "interview"):
        consent.give(app, coordinator, case, scope, "written", "my", explained=True)
    for d in (30, 37, 44):
        at = now + timedelta(days=d)
        hearing_service.add(app, prosecutor, "BENCH-1", at, at + timedelta(hours=3), witnesses=[{"case": case}])
    appointments.schedule(app, coordinator, case, "interview", now + timedelta(days=5))
    return VictimStore(app, coordinator, case)
