"""One run of the whole demonstration, shared by the tests that read its report and its store: it
takes minutes on a busy machine, and nothing in those tests changes it."""
from datetime import datetime, timezone

import pytest

from witness.clock import FixedClock
from witness.demo import run_demo

TODAY = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # the real now, as the demo is run


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo") / "out", use_prefect=False, today=FixedClock(TODAY))
