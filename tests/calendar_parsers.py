"""Reading .ics feeds back with three parsers that share no code with each other: icalendar (what
writes them), vobject (independent, pure Python) and libical (C, through GObject introspection in
Debian's gir1.2-ical-3.0, run by the system Python since the venv has no system site packages).
libical also checks the RFC 5546 restrictions of METHOD:PUBLISH; it is used when installed."""
from __future__ import annotations

import json
import shutil
import subprocess

import icalendar
import vobject


def icalendar_events(data: bytes) -> tuple[dict, list[dict]]:
    cal = icalendar.Calendar.from_ical(data)
    head = {"method": str(cal.get("METHOD")), "version": str(cal.get("VERSION")), "prodid": str(cal.get("PRODID")),
            "timezones": sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE"))}
    events = [{"uid": str(e["UID"]), "sequence": int(e.get("SEQUENCE", 0)), "status": str(e.get("STATUS")),
               "summary": str(e.get("SUMMARY")), "description": str(e.get("DESCRIPTION", "")),
               "location": str(e.get("LOCATION", "")), "start": e.decoded("DTSTART"), "end": e.decoded("DTEND"),
               "alarms": len(e.walk("VALARM"))} for e in cal.walk("VEVENT")]
    return head, events


def vobject_events(data: bytes) -> list[dict]:
    cal = vobject.readOne(data.decode("utf-8"))
    return [{"uid": e.uid.value, "sequence": int(e.sequence.value) if hasattr(e, "sequence") else 0,
             "status": e.status.value if hasattr(e, "status") else None, "summary": e.summary.value,
             "start": e.dtstart.value, "end": e.dtend.value,
             "description": e.description.value if hasattr(e, "description") else ""}
            for e in cal.vevent_list] if hasattr(cal, "vevent_list") else []


_LIBICAL = r"""
import json, re, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I
c = I.Component.new_from_string(sys.stdin.read())
if c is None:
    print(json.dumps(["not parsed"])); sys.exit()
c.check_restrictions()
errors = re.findall(r"X-LIC-ERROR[^\r\n]*", c.as_ical_string())
events = []
sub = c.get_first_component(I.ComponentKind.VEVENT_COMPONENT)
while sub is not None:
    events.append([sub.get_uid(), sub.get_sequence()])
    sub = c.get_next_component(I.ComponentKind.VEVENT_COMPONENT)
print(json.dumps({"errors": errors, "events": events}))
"""


def libical_available() -> bool:
    python = shutil.which("python3", path="/usr/bin")
    if not python:
        return False
    return subprocess.run([python, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"],
                          capture_output=True).returncode == 0


def libical_check(data: bytes) -> dict:
    """{"errors": [...], "events": [[uid, sequence], ...]} as libical sees the feed."""
    out = subprocess.run(["/usr/bin/python3", "-c", _LIBICAL], input=data.decode("utf-8"), capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)
