"""The catalogue of court-protection measures (R-60; Guide: Criminal Justice §2-§4, child-witness list)."""
from __future__ import annotations

from enum import StrEnum


class MeasureKind(StrEnum):
    escort = "escort"  # residence -> court -> residence
    screen = "screen"
    video_link = "video_link"  # from another room or building
    recorded_testimony = "recorded_testimony"
    pseudonym = "pseudonym"
    closed_hearing = "closed_hearing"
    voice_image_distortion = "voice_image_distortion"
    one_way_mirror = "one_way_mirror"
    separate_waiting_room = "separate_waiting_room"
    private_entrance = "private_entrance"
    secure_route = "secure_route"
    pretrial_court_visit = "pretrial_court_visit"
    support_person = "support_person"
    intermediary = "intermediary"  # child
    no_defendant_cross_examination = "no_defendant_cross_examination"  # child
    media_exclusion = "media_exclusion"
    robes_removed = "robes_removed"  # child
    security_checks = "security_checks"  # weapons and identity checks
    secure_accommodation = "secure_accommodation"  # near court
