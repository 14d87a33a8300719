"""Who may act and when (issue 10.8), without a store: the identity a person claims, `--now`."""
import pytest

from witness.clock import parse_instant
from witness.domain.access import Actor, Role
from witness.errors import Forbidden


def test_a_person_cannot_claim_the_system_role():
    with pytest.raises(Forbidden, match="system role belongs to the scheduled flows"):
        Actor.parse("relay-1:system")
    with pytest.raises(Forbidden, match="system role"):
        Actor.parse("  relay-1 : system ")


def test_an_unknown_role_is_refused_without_repeating_what_was_typed():
    with pytest.raises(Forbidden) as refused:
        Actor.parse("amara:Canaryname Zyxwvut")
    assert "Canaryname" not in str(refused.value)
    assert "system" not in str(refused.value).split("roles are")[1]


def test_a_user_name_with_control_characters_or_too_long_is_refused():
    with pytest.raises(Forbidden, match="printable"):
        Actor.parse("amara\x1b[2J:coordinator")
    with pytest.raises(Forbidden, match="at most 80"):
        Actor.parse("a" * 81 + ":coordinator")
    assert Actor.parse("amara:coordinator") == Actor("amara", Role.coordinator)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-05:00"])
def test_an_instant_out_of_range_in_utc_is_refused_by_name(text):
    with pytest.raises(ValueError, match="out of range once converted to UTC"):
        parse_instant(text)
