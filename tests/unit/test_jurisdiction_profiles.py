"""The ten jurisdiction profiles in config/jurisdictions/ (R-13) and how a wrong one is refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from witness.domain.jurisdiction import ASEAN_CODES, JurisdictionProfile
from witness.domain.measure import MeasureKind
from witness.errors import ConfigError
from witness.profiles import load_profiles

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "jurisdictions"

CHILD_ONLY = (MeasureKind.intermediary, MeasureKind.no_defendant_cross_examination, MeasureKind.robes_removed)

# The Guide's citations (Criminal Justice §6), one or more substrings per state.
RESTITUTION_CITATIONS = {
    "BN": ["Anti Trafficking in Persons Order 2019", "Article 44", "Article 46"],
    "KH": ["2008 Law on Suppression of Human Trafficking and Sexual Exploitation", "Article 46"],
    "ID": ["Law No 21 of 2007", "Article 48"],
    "LA": ["Law on Anti-TIP 2016", "Article 36"],
    "MY": ["Anti-Trafficking in Persons and Anti-Smuggling of Migrants Act 2007", "Article 66", "s.66"],
    "MM": ["Anti-Trafficking in Persons Law 2005", "Article 33"],
    "PH": ["R.A. 7309", "Board of Claims"],
    "TH": ["Anti-TIP Act 2008", "Section 33, 34, 35 and 37"],
    "VN": ["Law on the Prevention of and Combat against TIP 2011", "Article 6", "Art 36"],
}


@pytest.fixture(scope="module")
def profiles() -> dict[str, JurisdictionProfile]:
    return load_profiles(CONFIG_DIR)


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "jurisdictions"
    shutil.copytree(CONFIG_DIR, directory)
    return directory


def _rewrite(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- the real profiles ------------------------------------------------------------------------


def test_every_asean_state_has_a_valid_profile(profiles):
    assert sorted(profiles) == sorted(ASEAN_CODES)
    assert sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")) == sorted(ASEAN_CODES)


def test_every_profile_rules_on_every_measure_in_the_catalogue(profiles):
    for code, profile in profiles.items():
        assert set(profile.measures) == set(MeasureKind), code
        for kind, rule in profile.measures.items():
            assert rule.note, f"{code} {kind} has no note"


def test_child_only_measures_are_conditioned_on_a_child_witness(profiles):
    for code, profile in profiles.items():
        for kind in CHILD_ONLY:
            assert "child witness" in profile.measures[kind].conditions, f"{code} {kind}"


def test_singapore_has_no_statutory_restitution_and_points_to_alternatives(profiles):
    restitution = profiles["SG"].restitution
    assert restitution.statutory is False
    assert restitution.alternatives
    assert all(alt.strip() for alt in restitution.alternatives)
    assert "Singapore" in restitution.legal_basis
    assert restitution.state_fund is None


@pytest.mark.parametrize("code", sorted(RESTITUTION_CITATIONS))
def test_each_other_state_has_statutory_restitution_citing_the_guides_legal_basis(profiles, code):
    restitution = profiles[code].restitution
    assert restitution.statutory is True
    for citation in RESTITUTION_CITATIONS[code]:
        assert citation in restitution.legal_basis, f"{code}: {citation!r} not in {restitution.legal_basis!r}"
    assert restitution.covers


def test_indonesian_restitution_covers_the_heads_of_loss_in_article_48(profiles):
    covers = " ".join(profiles["ID"].restitution.covers)
    for head in ("loss of assets or income", "suffering", "medical and/or psychological treatment", "other losses"):
        assert head in covers


def test_indonesia_has_a_post_judgment_restitution_deadline_and_the_others_do_not(profiles):
    assert profiles["ID"].restitution.post_judgment_deadline_days == 90
    assert all(p.restitution.post_judgment_deadline_days is None for c, p in profiles.items() if c != "ID")


def test_thailand_reflection_defaults_to_the_15_days_of_its_referral_mechanism(profiles):
    reflection = profiles["TH"].reflection
    assert reflection.default_days == 15
    assert reflection.max_days == 90
    assert "8 April 2022" in reflection.basis


def test_states_without_a_national_period_use_the_bali_process_range_and_say_so(profiles):
    for code, profile in profiles.items():
        if code == "TH":
            continue
        assert (profile.reflection.default_days, profile.reflection.max_days) == (30, 90), code
        assert "Bali Process" in profile.reflection.basis, code
        assert "No statutory period found in the Guide" in profile.reflection.basis, code


def test_indonesia_allows_video_testimony_only_for_children_and_traumatised_witnesses(profiles):
    video = profiles["ID"].measures[MeasureKind.video_link]
    assert video.available is True
    assert any("child" in c for c in video.conditions)
    assert any("traumatised" in c for c in video.conditions)
    assert "Indonesia" in video.note


def test_philippine_profile_records_video_taped_interviews_at_inquest(profiles):
    assert "inquest" in profiles["PH"].measures[MeasureKind.recorded_testimony].note


def test_thailand_and_brunei_have_a_state_fund_and_the_others_do_not(profiles):
    assert profiles["TH"].restitution.state_fund.name == "Anti-Trafficking in Persons Fund"
    assert "2008" in profiles["TH"].restitution.state_fund.basis
    assert profiles["BN"].restitution.state_fund.name == "Anti-Trafficking in Persons Fund"
    assert "Article 44" in profiles["BN"].restitution.state_fund.basis
    others = [c for c, p in profiles.items() if p.restitution.state_fund is not None]
    assert sorted(others) == ["BN", "TH"]


def test_vietnamese_dong_has_no_minor_units_and_the_other_currencies_have_two(profiles):
    assert profiles["VN"].currency.code == "VND"
    assert profiles["VN"].currency.minor_units == 0
    for code, profile in profiles.items():
        if code != "VN":
            assert profile.currency.minor_units == 2, code


def test_courts_file_in_the_expected_language(profiles):
    expected = {"BN": "ms", "KH": "km", "ID": "id", "LA": "lo", "MY": "ms",
                "MM": "my", "PH": "en", "SG": "en", "TH": "th", "VN": "vi"}
    assert {c: p.languages.court for c, p in profiles.items()} == expected


def test_every_profile_has_a_working_time_zone(profiles):
    assert profiles["ID"].time_zone == "Asia/Jakarta"
    assert profiles["VN"].time_zone == "Asia/Ho_Chi_Minh"
    for profile in profiles.values():
        assert profile.tz.key == profile.time_zone


def test_every_profile_says_its_application_windows_are_operational_defaults(profiles):
    for code, profile in profiles.items():
        assert any("operational defaults, not statute" in s for s in profile.sources), code
        assert profile.notices.urgent_delivery_deadline_minutes == 15
        assert profile.notices.custody_feed_stale_hours == 72


# --- failure paths, against copies ------------------------------------------------------------


def test_a_wrong_time_zone_is_refused_naming_the_file_and_the_field(config_copy):
    path = config_copy / "TH.yaml"
    _rewrite(path, lambda d: d.update(time_zone="Mars/Olympus"))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    message = str(err.value)
    assert str(path) in message
    assert "time_zone" in message
    assert "Mars/Olympus" in message


def test_non_numeric_currency_minor_units_are_refused_naming_the_nested_field(config_copy):
    path = config_copy / "VN.yaml"
    _rewrite(path, lambda d: d["currency"].update(minor_units="two"))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    assert str(path) in str(err.value)
    assert "currency.minor_units" in str(err.value)


def test_an_unknown_field_is_refused_naming_it(config_copy):
    path = config_copy / "SG.yaml"
    _rewrite(path, lambda d: d.update(favourite_colour="red"))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    assert str(path) in str(err.value)
    assert "favourite_colour" in str(err.value)


def test_an_unknown_measure_is_refused_naming_it(config_copy):
    path = config_copy / "MY.yaml"
    _rewrite(path, lambda d: d["measures"].update(teleport={"available": True}))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    assert str(path) in str(err.value)
    assert "measures.teleport" in str(err.value)


def test_a_state_without_statutory_restitution_must_list_alternatives(config_copy):
    path = config_copy / "SG.yaml"
    _rewrite(path, lambda d: d["restitution"].update(alternatives=[]))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    assert str(path) in str(err.value)
    assert "restitution" in str(err.value)


def test_a_missing_state_is_refused_naming_it(config_copy):
    (config_copy / "LA.yaml").unlink()
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    assert "missing profiles for LA" in str(err.value)


def test_a_code_that_does_not_match_the_file_name_is_refused(config_copy):
    path = config_copy / "KH.yaml"
    _rewrite(path, lambda d: d.update(code="TH"))
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy)
    message = str(err.value)
    assert str(path) in message
    assert "code" in message
    assert "does not match the file name" in message
