"""Document data is bounded like every other input (issue 10 follow-up): what a `--data` file may add
(schemas.read_supplement) and the document models themselves refuse control characters, overlong
text, epoch numbers and amounts Decimal() alone would read, naming the field and never the value."""
import pytest
import yaml

from witness.errors import InputProblems
from witness.outputs.documents.render import TEMPLATES, parse
from witness.outputs.documents.schemas import SCHEMAS, Supplement, read_supplement
from witness.services.documents import SUPPLEMENT_FIELDS

SECRET = "Qoxwyz Canary"


def _problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as err:
        read_supplement(data)
    assert SECRET not in str(err.value)
    return err.value.problems


def test_the_supplement_model_is_exactly_what_a_data_file_may_add():
    assert set(Supplement.model_fields) == SUPPLEMENT_FIELDS


def test_a_good_supplement_is_read_as_plain_values_with_only_the_fields_given():
    got = read_supplement({"hearing": {"at": "2026-12-14T09:00:00+07:00"}, "late_reason": "Set on 1 November.",
                           "items": [{"category": "other", "amount": "151200.00"}]})
    assert set(got) == {"hearing", "late_reason", "items"}
    assert got["hearing"]["at"].isoformat() == "2026-12-14T09:00:00+07:00"
    assert str(got["items"][0]["amount"]) == "151200.00"


@pytest.mark.parametrize("amount", ["1e999999", "NaN", "1_000", "１０００", 1000.5, True, "-5", "1" * 19])
def test_an_item_amount_decimal_alone_would_read_or_a_float_is_refused(amount):
    [(path, message)] = _problems({"items": [{"category": "other", "amount": amount}]})
    assert path == "data.items.0.amount" and "digits 0-9" in message


def test_an_epoch_number_is_not_a_hearing_time():
    [(path, message)] = _problems({"hearing": {"at": 1796000000}})
    assert path == "data.hearing.at" and "ISO-8601" in message


@pytest.mark.parametrize("data, path", [
    ({"late_reason": f"{SECRET}\x1b[2J"}, "data.late_reason"),
    ({"late_reason": "x" * 2001}, "data.late_reason"),
    ({"late_reason": 5}, "data.late_reason"),
    ({"docket": f"TH-1\n{SECRET}"}, "data.docket"),
    ({"hearing": {"id": f"H 1 {SECRET}", "at": "2026-12-14T09:00:00+07:00"}}, "data.hearing.id"),
    ({"claim_id": "CL-" + "A" * 10_000}, "data.claim_id"),
    ({"next_hearing": {"at": "2026-12-14T09:00:00+07:00", "court": f"\u202e{SECRET}"}}, "data.next_hearing.court"),
    ({"items": [{"category": "other", "amount": "1", "evidence": f"crew list\n{SECRET}"}]}, "data.items.0.evidence"),
    ({"items": [{"category": "other", "amount": "1"}] * 101}, "data.items"),
    ({"reasons": ["fear_of_accused", SECRET]}, "data.reasons.1"),
])
def test_a_supplement_field_out_of_bounds_is_named(data, path):
    assert [p for p, _ in _problems(data)] == [path]


def _sample(kind: str) -> dict:
    return yaml.safe_load((TEMPLATES / kind / "sample.yaml").read_text(encoding="utf-8"))


def _refused(data: dict) -> list[str]:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        parse(data)
    assert SECRET not in str(err.value.errors(include_input=False))
    return [".".join(map(str, e["loc"][1:])) for e in err.value.errors()]


def test_every_sample_still_validates():
    for kind in SCHEMAS:
        assert parse(_sample(kind)).kind == kind


def test_a_court_name_with_a_control_character_or_an_accused_label_too_long_is_refused():
    data = _sample("restitution_claim")
    data["court"]["name"] = f"Court\x1b[31m{SECRET}"
    data["accused"][0]["label"] = "A" * 81
    assert _refused(data) == ["court.name", "accused.0.label"]


def test_a_legal_name_with_a_bidi_override_is_refused():
    data = _sample("protective_measures")
    data["subject"]["legal_name"] = f"\u202e{SECRET}"
    assert _refused(data) == ["subject.legal_name"]


def test_an_issuer_that_is_not_a_user_id_and_a_time_out_of_range_are_refused():
    data = _sample("victim_letter")
    data["issuer"]["user"] = "Narin Admin"
    data["issued_at"] = "9999-12-31T00:00:00+00:00"
    assert sorted(_refused(data)) == ["issued_at", "issuer.user"]
