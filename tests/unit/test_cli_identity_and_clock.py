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


SHAPE = "actor: the user name is 1-64 characters a-z, 0-9, '.', '_', '-' (lower case, starting with a letter or digit)"


@pytest.mark.parametrize("user", ["amara\x1b[2J", "a" * 65, "Amara", "\u0430mara", "amara dewi", ".amara", "amara\u200b"])
def test_a_user_name_outside_the_one_user_id_shape_is_refused_in_one_line(user):
    # Control characters, too long, upper case, a Cyrillic look-alike "а", a space, a leading dot, invisible.
    with pytest.raises(Forbidden) as refused:
        Actor.parse(f"{user}:coordinator")
    assert str(refused.value) == SHAPE


def test_a_user_name_in_the_user_id_shape_is_accepted():
    assert Actor.parse("amara:coordinator") == Actor("amara", Role.coordinator)
    assert Actor.parse("officer-9.b_2:escort") == Actor("officer-9.b_2", Role.escort)
    assert Actor.parse("a" * 64 + ":admin").user == "a" * 64


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-05:00"])
def test_an_instant_out_of_range_in_utc_is_refused_by_name(text):
    with pytest.raises(ValueError, match="out of range once converted to UTC"):
        parse_instant(text)
