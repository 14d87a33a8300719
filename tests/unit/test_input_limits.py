"""Input files and input models refuse what they cannot hold, naming the file or the field (issue 10,
items 3, 6, 7 and 9): through witness.forms.read_data and witness.forms.validate, as every command does."""
import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import adult_form
from witness.domain.hearing import AppearanceIn
from witness.domain.intake import IntakeForm
from witness.domain.resource import ResourceFile
from witness.domain.risk import AssessmentForm
from witness.errors import InputProblems
from witness.forms import MAX_FILE_BYTES, read_data, validate
from witness.settings import PROJECT_ROOT

NAME = "Canaryname Zyxwvut"


def _yaml(tmp_path: Path, data, name="form.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _problems(call) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as err:
        call()
    assert NAME not in str(err.value) and "Zyxwvut" not in str(err.value)
    return err.value.problems


def _form(**over) -> dict:
    form = adult_form(**over)
    form["victim"] = dict(form["victim"], legal_name=NAME)
    return form


# --- files -------------------------------------------------------------------------------------


def test_a_utf16_file_is_named_as_such_not_a_traceback(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes(yaml.safe_dump(_form()).encode("utf-16"))
    assert _problems(lambda: read_data(path)) == [("file", "form.yaml is UTF-16 or UTF-32 text; save it as UTF-8")]


def test_a_latin1_file_is_refused_with_the_line_of_the_first_bad_byte(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes(b"jurisdiction: TH\ncoordinator: amara\nvictim:\n  legal_name: Jos\xe9\n")
    assert _problems(lambda: read_data(path)) == [("file", "form.yaml is not UTF-8 text (line 4); save it as UTF-8")]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "form.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"jurisdiction": "TH"}).encode())
    assert read_data(path) == {"jurisdiction": "TH"}


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("notes: " + "x" * MAX_FILE_BYTES + "\n")
    assert _problems(lambda: read_data(path)) == [("file", "form.yaml is larger than 1 MB")]


@pytest.mark.parametrize("suffix, body", [
    (".yaml", "reflection_days: " + "9" * 5000 + "\n"),
    (".json", '{"reflection_days": ' + "9" * 5000 + "}"),
])
def test_an_integer_of_thousands_of_digits_is_a_named_file_error(tmp_path, suffix, body):
    path = tmp_path / f"form{suffix}"
    path.write_text(body)
    [(where, message)] = _problems(lambda: read_data(path))
    assert where == "file" and message.endswith("a number with more than 30 digits")


@pytest.mark.parametrize("suffix, body", [
    (".yaml", "[" * 100_000 + "]" * 100_000),
    (".json", "[" * 100_000 + "]" * 100_000),
    (".json", '{"a":' * 5000 + "1" + "}" * 5000),
    (".json", "[" * 40 + "]" * 40),  # deeper than the limit, shallower than Python's recursion limit
])
def test_deep_nesting_is_a_named_file_error_not_a_recursion_error(tmp_path, suffix, body):
    path = tmp_path / f"form{suffix}"
    path.write_text(body)
    [(where, message)] = _problems(lambda: read_data(path))
    assert where == "file" and message.endswith("nested more than 16 levels deep")


def test_a_duplicate_yaml_key_is_refused_with_its_line(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("jurisdiction: TH\ncoordinator: amara\ncoordinator: dewi\n")
    assert _problems(lambda: read_data(path)) == [
        ("file", "form.yaml line 3: key 'coordinator' appears twice in the same mapping")]


def test_a_duplicate_json_key_is_refused(tmp_path):
    path = tmp_path / "form.json"
    path.write_text('{"coordinator": "amara", "coordinator": "dewi"}')
    assert _problems(lambda: read_data(path)) == [
        ("file", "form.json: key 'coordinator' appears twice in the same object")]


@pytest.mark.parametrize("line, tag", [
    ("legal_name: !!binary QXVuZw==", "!!binary"),
    ("aliases: !!set {Ko Min: null}", "!!set"),
    ("aliases: !!omap [{a: 1}]", "!!omap"),
    ("opened_at: !!timestamp 2026-11-02T10:00:00+07:00", "!!timestamp"),
])
def test_only_plain_mappings_lists_and_scalars_are_read(tmp_path, line, tag):
    path = tmp_path / "form.yaml"
    path.write_text(f"jurisdiction: TH\n{line}\n")
    [(where, message)] = _problems(lambda: read_data(path))
    assert where == "file" and message.startswith(f"form.yaml line 2: {tag} is not accepted")


def test_anchors_and_aliases_are_refused(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    [(where, message)] = _problems(lambda: read_data(path))
    assert where == "file" and "anchors and aliases" in message


def test_yaml_reads_numbers_and_booleans_as_written_not_as_yaml_1_1_guesses(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("nationality: NO\nconsent: yes\nage: 1_5\nhex: 0x10\ntime: 10:20\nflag: true\nn: 15\nnothing: null\n")
    assert read_data(path) == {"nationality": "NO", "consent": "yes", "age": "1_5", "hex": "0x10", "time": "10:20",
                               "flag": True, "n": 15, "nothing": None}


def test_nan_and_infinity_are_refused_in_json(tmp_path):
    path = tmp_path / "form.json"
    path.write_text('{"amount": NaN}')
    assert _problems(lambda: read_data(path)) == [("file", "form.json: NaN is not a number this system accepts")]


# --- lengths -----------------------------------------------------------------------------------


def _unbounded(schema: dict) -> list[str]:
    """Every string without a maximum length, every list without a maximum count, by path."""
    defs, out, seen = schema.get("$defs", {}), [], set()

    def walk(s: dict, path: str) -> None:
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(defs[name], name)
            return
        for alt in s.get("anyOf", []) + s.get("allOf", []) + s.get("oneOf", []):
            walk(alt, path)
        kind = s.get("type")
        if kind == "string" and not {"maxLength", "enum", "const"} & s.keys() and s.get("format") not in ("date", "date-time", "time"):
            out.append(path)
        if kind == "array":
            if "maxItems" not in s:
                out.append(path)
            walk(s.get("items", {}), path + "[]")
        for name, sub in s.get("properties", {}).items():
            walk(sub, f"{path}.{name}")

    walk(schema, "")
    return out


@pytest.mark.parametrize("model", [IntakeForm, AppearanceIn, ResourceFile, AssessmentForm])
def test_every_text_field_and_every_list_of_an_input_model_has_a_limit(model):
    assert _unbounded(model.model_json_schema()) == []


@pytest.mark.parametrize("path", [
    ("victim", "aliases", 0), ("coordinator",), ("consents", 0, "language"), ("consents", 0, "interpreter"),
    ("proceedings", 0, "prosecutor"), ("proceedings", 0, "court"), ("proceedings", 0, "docket"),
    ("proceedings", 0, "accused", 0, "label"), ("victim", "notes"), ("victim", "legal_name"),
])
def test_ten_megabytes_in_any_field_is_refused_by_the_model_whatever_the_database(path):
    form = _form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}])
    form["victim"]["aliases"] = ["Ko Min"]
    node = form
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "a" * 10_000_000
    problems = _problems(lambda: validate(IntakeForm, form))
    assert [p for p, _ in problems] == [".".join(map(str, path))]
    assert "at most" in problems[0][1]


def test_a_victim_with_a_thousand_aliases_is_refused():
    form = _form()
    form["victim"]["aliases"] = [f"alias {i}" for i in range(1000)]
    assert [p for p, _ in _problems(lambda: validate(IntakeForm, form))] == ["victim.aliases"]


# --- control characters ------------------------------------------------------------------------

CONTROLS = {"ESC": "\x1b[2J", "CRLF": "\r\n", "LF": "\n", "C1 NEL": "\x85", "DEL": "\x7f",
            "bidi override": "\u202e", "zero-width space": "\u200b", "BOM": "\ufeff", "line separator": "\u2028"}


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("path", [
    ("victim", "legal_name"), ("victim", "aliases", 0), ("guardian", "name"), ("coordinator",),
    ("proceedings", 0, "prosecutor"), ("consents", 0, "interpreter"), ("proceedings", 0, "accused", 0, "label"),
    ("proceedings", 0, "docket"), ("proceedings", 0, "court"),
])
def test_control_and_invisible_characters_are_refused_in_identifiers_names_and_labels(path, char):
    form = _form(consents=[{"scope": "shelter_stay", "method": "written", "language": "my"}],
                 guardian={"name": "Nur Hasanah", "relationship": "mother"})
    form["victim"]["aliases"] = ["Ko Min"]
    node = form
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "Zyxwvut" + char + "Forged"
    problems = _problems(lambda: validate(IntakeForm, form))
    assert [p for p, _ in problems] == [".".join(map(str, path))]


def test_notes_may_have_several_lines_but_no_escape_codes():
    form = _form()
    form["victim"]["notes"] = "First line.\n\tSecond line.\r\nThird."
    assert validate(IntakeForm, form).victim.notes.count("\n") == 2
    form["victim"]["notes"] = "Fine\x1b]0;forged title\x07"
    assert _problems(lambda: validate(IntakeForm, form)) == [
        ("victim.notes", "contains a control character (U+001B at position 5); remove it")]
    form["victim"]["notes"] = "overwritten\rforged"
    assert [p for p, _ in _problems(lambda: validate(IntakeForm, form))] == ["victim.notes"]


def test_a_legal_name_made_only_of_zero_width_characters_is_refused():
    form = _form()
    form["victim"]["legal_name"] = "\u200c\u200d\u200c"
    [(where, _)] = _problems(lambda: validate(IntakeForm, form))
    assert where == "victim.legal_name"


def test_a_joiner_inside_a_word_is_part_of_the_spelling_and_accepted():
    form = _form()
    form["victim"]["legal_name"] = "\u0d28\u0d4d\u200d\u0d28"  # Malayalam: a joiner between letter and sign
    assert validate(IntakeForm, form).victim.legal_name == "\u0d28\u0d4d\u200d\u0d28"


# --- identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["\u0430mara", "amara:admin", "Amara", "am ara", "-amara", "a" * 65, ""])
def test_a_coordinator_id_is_plain_ascii_lower_case(user):
    [(where, _)] = _problems(lambda: validate(IntakeForm, _form(coordinator=user)))
    assert where == "coordinator"


def test_ids_used_in_examples_and_the_demonstration_still_pass():
    for path in sorted((PROJECT_ROOT / "examples").glob("intake-*.yaml")):
        if "mistakes" in path.name:
            continue
        form = validate(IntakeForm, read_data(path))
        assert form.coordinator in ("amara", "dewi")
    for ok in ("amara", "dewi", "somchai", "interp-07", "officer-9", "audit-1", "root-1", "a.b_c-d"):
        assert validate(IntakeForm, _form(coordinator=ok)).coordinator == ok


# --- numbers and time --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1762052400", 1762052400, "2026-11-02", "2026-11-02T10:00:00",
                                   "\uff12\uff10\uff12\uff16-11-02T10:00:00+07:00"])
def test_opened_at_must_be_iso_8601_text_with_an_offset(value):
    [(where, message)] = _problems(lambda: validate(IntakeForm, _form(opened_at=value)))
    assert where == "opened_at" and "2026-11-01T09:00:00+07:00" in message


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-05:00"])
def test_instants_outside_a_sane_range_are_refused_before_any_arithmetic(value):
    assert _problems(lambda: validate(IntakeForm, _form(opened_at=value))) == [
        ("opened_at", "must be between 1900 and 2199")]


@pytest.mark.parametrize("value, message", [
    ("0001-01-01", "must be between 1900 and 2199"), ("1899-12-31", "must be between 1900 and 2199"),
    ("\u0661\u0669\u0669\u0664-03-12", "write the date as YYYY-MM-DD"), ("19940312", "write the date as YYYY-MM-DD"),
    (763430400, "write the date as YYYY-MM-DD"),
])
def test_a_date_of_birth_is_a_plain_date_in_a_sane_range(value, message):
    form = _form()
    form["victim"]["date_of_birth"] = value
    assert _problems(lambda: validate(IntakeForm, form)) == [("victim.date_of_birth", message)]


@pytest.mark.parametrize("value", ["1_5", "\uff11\uff15", "\u0661\u0665", "+15", True, 15.0, "15.0"])
def test_whole_numbers_are_written_in_the_digits_0_to_9(value):
    form = _form()
    form["victim"]["age_estimate"] = value
    assert _problems(lambda: validate(IntakeForm, form)) == [
        ("victim.age_estimate", "give a whole number in the digits 0-9")]


def test_a_whole_number_as_plain_digits_is_read_as_a_web_form_sends_it():
    form = _form()
    form["victim"]["age_estimate"] = " 15"
    assert validate(IntakeForm, form).victim.age_estimate == 15


def test_a_yaml_file_with_1_000_reflection_days_is_refused(tmp_path):
    path = _yaml(tmp_path, {})
    path.write_text(yaml.safe_dump(_form()) + "reflection_days: 1_0\n")
    [(where, _)] = _problems(lambda: validate(IntakeForm, read_data(path)))
    assert where == "reflection_days"


def test_an_interpreter_id_with_crlf_is_refused_in_a_hearing_appearance():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        AppearanceIn.model_validate({"case": "W-7K3Q9X", "interpreter": "interp\r\n07"})
    assert [e["loc"] for e in err.value.errors()] == [("interpreter",)]


@pytest.mark.parametrize("bad", ["1_000", "\uff11\uff10\uff10\uff10", "\u0661\u0660\u0660\u0660", "1e3", "+5", "5."])
def test_money_is_written_in_the_digits_0_to_9_only(bad):
    from witness.domain.money import Currency, parse_amount

    assert _problems(lambda: parse_amount(bad, Currency("THB", 2))) == [
        ("amount", "write the digits 0-9 with '.' as the decimal point and no thousands separators, e.g. '1250000' (THB)")]
