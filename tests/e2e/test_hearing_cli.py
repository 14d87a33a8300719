"""The hearings commands through the real CLI, in fresh processes on the default SQLite store:
resources, a hearing, measures, the plan, every audience's .ics, a move and a cancellation — and
the victim's name and addresses in none of the outputs."""
from datetime import datetime
import os
import re

import pytest
import yaml

from tests.calendar_parsers import icalendar_events, vobject_events
from tests.e2e.runner import init_store, table_rows, witness

NAME, ADDRESS, PICKUP = "Canaryname Zyxwvut", "77 Quokkastraat Hidden Lane", "Pickupcanary Soi 9"
NOW = "2026-11-20T10:00:00+07:00"


def _at(events: list[dict], start: datetime) -> dict:
    """The feed's one event of the hearing: the one starting at the hearing (an escort's starts at the
    pickup, before it, and is the escort's only event)."""
    at = [e for e in events if isinstance(e["start"], datetime) and e["start"] == start]
    [event] = at or events
    return event

def _witness(env, *args, stdin=None):
    return witness(env, "--now", NOW, *args, input=stdin, check=True).stdout


@pytest.fixture
def home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WITNESS_")}
    env.update(WITNESS_HOME=str(tmp_path / "home"), WITNESS_ACTOR="amara:coordinator", WITNESS_ALLOW_CLOCK="1")
    init_store(env)
    form = {"jurisdiction": "TH", "coordinator": "amara", "opened_at": "2026-11-02T10:00:00+07:00",
            "victim": {"legal_name": NAME, "date_of_birth": "1990-01-01", "gender": "female", "preferred_language": "th",
                       "escort_gender_preference": "female", "address": ADDRESS, "safe_channels": ["call"]},
            "proceedings": [{"court": "Samut Sakhon Provincial Court", "docket": "TH-SSK-2026-0141", "prosecutor": "somchai",
                             "accused": [{"label": "Accused A", "custody": "detained", "relationship": "employer"}]}],
            "consents": [{"scope": "testimony", "method": "written", "language": "th", "explained": True}]}
    (tmp_path / "intake.yaml").write_text(yaml.safe_dump(form))
    case = _witness(env, "intake", str(tmp_path / "intake.yaml")).strip()
    return env, case, tmp_path


def test_a_hearing_from_the_command_line_to_every_audiences_calendar(home):
    env, case, tmp = home
    out = _witness(env, "resources", "load", "config/resources.example.yaml")
    assert "resources active" in out
    pros = dict(env, WITNESS_ACTOR="somchai:prosecutor")
    out = _witness(pros, "hearing", "add", "TH-SSK-2026-0141", "--at", "2026-12-14T09:00:00+07:00", "--witness", case,
                   "--interpreter", "interp-07", "--language", "my", "--with-pickup-address", stdin=PICKUP + "\n")
    hearing = re.search(r"(H-[0-9A-Z]{8}) at", out).group(1)
    listed = _witness(env, "measures", case)
    [escort] = [m["MEASURE"] for m in table_rows(listed) if m["KIND"] == "escort" and m["HEARING"] == hearing]
    _witness(pros, "measure", "request", escort)
    _witness(pros, "measure", "decide", escort, "granted")
    plan = _witness(env, "plan", hearing)
    assert "TH-SSK-F01" in plan and "TH-SSK-F02" in plan and "no conflicts" in plan
    feeds = {}
    for audience, who in (("coordinator", "amara"), ("prosecutor", "somchai"), ("interpreter", "interp-07"),
                          ("escort", "TH-SSK-F01"), ("victim", None)):
        path = tmp / f"{audience}.ics"
        args = ["calendar", "--audience", audience, "--out", str(path)]
        args += ["--case", case] if audience == "victim" else ["--for", who]
        _witness(env, *args)
        feeds[audience] = path.read_bytes()
    # The hearing's event in each feed (the victim's also holds her other dated obligations, R-114).
    hearing_day = datetime.fromisoformat("2026-12-14T09:00:00+07:00")
    first = {a: _at(icalendar_events(f)[1], hearing_day) for a, f in feeds.items()}
    _witness(pros, "hearing", "move", hearing, "--to", "2026-12-21T09:00:00+07:00", "--reason", "adjourned")
    _witness(env, "calendar", "--audience", "victim", "--case", case, "--out", str(tmp / "victim2.ics"))
    [moved] = [e for e in icalendar_events((tmp / "victim2.ics").read_bytes())[1] if e["uid"] == first["victim"]["uid"]]
    assert moved["start"] == datetime.fromisoformat("2026-12-21T09:00:00+07:00")
    assert moved["uid"] == first["victim"]["uid"] and moved["sequence"] > first["victim"]["sequence"]
    _witness(pros, "hearing", "cancel", hearing, "--reason", "case joined with another")
    _witness(env, "calendar", "--audience", "escort", "--for", "TH-SSK-F01", "--out", str(tmp / "escort2.ics"))
    [gone] = vobject_events((tmp / "escort2.ics").read_bytes())
    assert gone["status"] == "CANCELLED" and gone["uid"] == first["escort"]["uid"]
    everything = b"".join(feeds.values()) + (tmp / "victim2.ics").read_bytes() + (tmp / "escort2.ics").read_bytes()
    text = everything.decode("utf-8").replace("\r\n ", "")
    for canary in (NAME, "Zyxwvut", ADDRESS, "Quokkastraat", PICKUP, "Pickupcanary"):
        assert canary not in text
