"""One Prefect test server for the whole session (~7 s import + ~17 s start), shared by every
engine test. Prefect is imported only here and only when an engine test runs, so
`pytest -m 'not engine'` never pays for it."""
from __future__ import annotations

import pytest

# Read by Prefect when it is first imported (logging, home folder) and by the server subprocess.
PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # the 20 s default is too short here
}


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
        for name, value in PREFECT_ENV.items():
            mp.setenv(name, value)
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
        from prefect.testing.utilities import prefect_test_harness

        # The heartbeat thread costs ~1 s per flow run when it is joined; these runs are short.
        # It can only be switched off in code (None is not accepted from the environment).
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            with prefect_test_harness(server_startup_timeout=120):
                yield
