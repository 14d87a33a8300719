"""The validated configuration is kept compiled between starts (issue 16, item 7), and the cache
never changes what a start accepts: a changed file is read and validated again, a broken one is
refused with its file and field as before, and a cache file someone else could have written is
never loaded."""
import os
import pickle
import shutil
from pathlib import Path

import pytest

from witness import config_cache
from witness.errors import ConfigError
from witness.profiles import load_profiles
from witness.risk_policy import load_risk_policy
from witness.settings import PROJECT_ROOT, Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(PROJECT_ROOT / "config", tmp_path / "config")
    (tmp_path / "home").mkdir(mode=0o700)
    return Settings(home=tmp_path / "home", config_dir=tmp_path / "config", database_url=None, key_file=None)


def _cached(settings) -> list[Path]:
    return sorted((settings.home / config_cache.CACHE_FOLDER).glob("config-*.pickle"))


def _no_yaml_reading(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("the configuration files were read again")

    monkeypatch.setattr("witness.profiles.load_profiles", refuse)
    monkeypatch.setattr("witness.risk_policy.load_risk_policy", refuse)


def test_a_second_start_gets_the_same_validated_configuration_without_reading_the_files(settings, monkeypatch):
    first = config_cache.load(settings)
    assert first.profiles == load_profiles(settings.config_dir / "jurisdictions")
    assert first.risk_policy() == load_risk_policy(settings.config_dir / "risk.yaml")
    [kept] = _cached(settings)
    assert kept.stat().st_mode & 0o777 == 0o600

    _no_yaml_reading(monkeypatch)
    again = config_cache.load(settings)
    assert again.profiles == first.profiles and again.risk_policy() == first.risk_policy()
    assert again.profiles["TH"].tz.key == "Asia/Bangkok"


def test_a_changed_profile_is_read_again_and_the_stale_cache_removed(settings):
    config_cache.load(settings)
    [before] = _cached(settings)
    path = settings.config_dir / "jurisdictions" / "TH.yaml"
    text = path.read_text(encoding="utf-8")
    default = load_profiles(settings.config_dir / "jurisdictions")["TH"].reflection.default_days
    path.write_text(text.replace(f"default_days: {default}", f"default_days: {default - 1}", 1), encoding="utf-8")

    assert config_cache.load(settings).profiles["TH"].reflection.default_days == default - 1
    [after] = _cached(settings)
    assert after != before


def test_a_profile_broken_after_the_cache_was_made_is_refused_at_start_with_its_file_and_field(settings):
    config_cache.load(settings)
    path = settings.config_dir / "jurisdictions" / "TH.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("time_zone: Asia/Bangkok", "time_zone: Mars/Olympus"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"TH.yaml: time_zone: unknown IANA time zone 'Mars/Olympus'"):
        config_cache.load(settings)


def test_a_broken_risk_policy_is_refused_at_start_too(settings):
    config_cache.load(settings)
    path = settings.config_dir / "risk.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"risk.yaml: surprise: "):
        config_cache.load(settings)


class _Planted:
    def __reduce__(self):
        return (os.abort, ())  # loading this would end the test run


@pytest.mark.parametrize("mode", [0o620, 0o602], ids=["group-writable", "world-writable"])
def test_a_cache_file_others_could_write_is_never_loaded(settings, monkeypatch, mode):
    config_cache.load(settings)
    [kept] = _cached(settings)
    kept.write_bytes(pickle.dumps(_Planted()))
    kept.chmod(mode)
    again = config_cache.load(settings)  # read from the files again, not from the planted pickle
    assert set(again.profiles) == set(load_profiles(settings.config_dir / "jurisdictions"))
    assert again.risk_policy() == load_risk_policy(settings.config_dir / "risk.yaml")


def test_an_unreadable_cache_costs_only_a_fresh_read(settings):
    config_cache.load(settings)
    [kept] = _cached(settings)
    kept.write_bytes(b"not a pickle")
    assert len(config_cache.load(settings).profiles) == 10


def test_nothing_is_written_before_the_store_has_a_home(settings, tmp_path):
    shutil.rmtree(settings.home)
    assert len(config_cache.load(settings).profiles) == 10
    assert not settings.home.exists()


def test_the_app_reads_its_risk_policy_only_when_a_command_first_needs_it(settings):
    from witness.bootstrap import App

    app = App(settings, engine=None, keyring=None, profiles=config_cache.load(settings).profiles)
    assert "risk_policy" not in vars(app)  # not read at start
    assert app.risk_policy == load_risk_policy(settings.config_dir / "risk.yaml")
    assert app.risk_policy is app.risk_policy  # read once


def test_an_app_given_a_risk_policy_uses_it(settings):
    from witness.bootstrap import App

    given = load_risk_policy(settings.config_dir / "risk.yaml")
    assert App(settings, None, None, {}, None, given).risk_policy is given


def test_a_case_s_time_zone_and_its_state_s_guardrails_are_answered_without_building_the_profiles(settings):
    """What nearly every command needs of a profile is kept plain (config_cache.Profiles); the
    models, whose building imports pydantic, are built once and only for a command that asks."""
    models = load_profiles(settings.config_dir / "jurisdictions")
    compiled = config_cache.Compiled.of(models, load_risk_policy(settings.config_dir / "risk.yaml"))
    builds = []

    def build():
        builds.append(1)
        return pickle.loads(compiled.pickled_profiles)

    profiles = config_cache.Profiles(compiled.zones, compiled.guardrails, build)
    assert sorted(profiles) == sorted(models) and "TH" in profiles and "XX" not in profiles and len(profiles) == 10
    for code, model in models.items():
        assert profiles.zone(code) == model.tz and profiles.guardrails(code) == dict(model.guardrails)
    assert profiles.guardrails("XX") == {}
    with pytest.raises(KeyError):
        profiles.zone("XX")
    assert builds == []
    assert profiles["TH"] == models["TH"] and profiles["ID"] == models["ID"] and builds == [1]


def test_a_profile_set_in_the_mapping_changes_its_zone_and_guardrails_too(settings):
    profiles = config_cache.Profiles.of(load_profiles(settings.config_dir / "jurisdictions"))
    changed = profiles["TH"].model_copy(update={"time_zone": "Asia/Yangon", "guardrails": {"DNH-02-services-cooperation": "block"}})
    profiles["TH"] = changed
    assert profiles["TH"] is changed and profiles.zone("TH").key == "Asia/Yangon"
    assert profiles.guardrails("TH") == {"DNH-02-services-cooperation": "block"}
    del profiles["TH"]
    assert "TH" not in profiles and profiles.guardrails("TH") == {}


def test_a_kept_pickle_that_no_longer_loads_reads_the_files_again_when_first_asked_for(settings):
    """The digest names the code the models come from; should a pickle still not load (code
    changed in a way it missed), a command reads the files again instead of failing."""
    from dataclasses import replace

    from witness.private_files import write_private

    config_cache.load(settings)
    [kept] = _cached(settings)
    broken = replace(pickle.loads(kept.read_bytes()), pickled_profiles=b"not a pickle", pickled_risk_policy=b"nor this")
    kept.unlink()
    write_private(kept, pickle.dumps(broken))
    again = config_cache.load(settings)
    assert again.pickled_profiles == b"not a pickle"  # the kept file was used...
    assert dict(again.profiles) == load_profiles(settings.config_dir / "jurisdictions")  # ...and the files read
    assert again.risk_policy() == load_risk_policy(settings.config_dir / "risk.yaml")
