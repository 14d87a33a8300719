"""The configuration shipped in config/ is parsed by libyaml (start-up speed, issue 16), means the same
as it did with the pure-Python parser, and a key written twice is refused with the file and line."""
import shutil
from pathlib import Path

import pytest
import yaml

from witness.configuration import load_config
from witness.domain.risk import RiskPolicy
from witness.errors import ConfigError
from witness.oncall import load_directory
from witness.profiles import load_profiles
from witness.risk_policy import load_risk_policy
from witness.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config"
SHIPPED = sorted([*CONFIG.glob("*.yaml"), *(CONFIG / "jurisdictions").glob("*.yaml")])


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    return tmp_path / "config"


def test_the_shipped_configuration_loads_without_the_pure_python_yaml_parser(config_copy, monkeypatch):
    def _slow_parser(*_a, **_k):
        raise AssertionError("the pure-Python YAML parser was used for configuration")

    monkeypatch.setattr(yaml.parser.Parser, "__init__", _slow_parser)
    assert len(load_profiles(config_copy / "jurisdictions")) == 10
    assert load_risk_policy(config_copy / "risk.yaml")
    assert load_directory(config_copy / "oncall.yaml")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_file_means_what_the_pure_python_safe_loader_reads(path):
    from witness.configuration import parse

    text = path.read_text(encoding="utf-8")
    assert parse(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_a_section_written_twice_in_a_profile_is_refused_with_the_file_and_line(config_copy):
    path = config_copy / "jurisdictions" / "TH.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("reflection:\n  default_days: 90")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_profiles(config_copy / "jurisdictions")
    assert str(err.value) == f"{path}: line {len(lines)}: key 'reflection' appears twice in the same mapping"


def test_a_nested_key_written_twice_in_the_risk_policy_is_refused(config_copy):
    path = config_copy / "risk.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    n = lines.index("  low:      {min_score: 0,  review_days: 90}")
    lines[n] = "  low:      {min_score: 0,  review_days: 90, review_days: 900}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"risk.yaml: line {n + 1}: key 'review_days' appears twice"):
        load_risk_policy(path)


def test_a_file_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "risk.yaml"
    path.write_text("version: 1\nlevels: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, RiskPolicy, "risk policy")
    assert str(err.value).startswith(f"{path}: not valid YAML (") and ", line 3)" in str(err.value)


def test_a_file_that_is_not_utf8_is_refused_by_name(tmp_path):
    path = tmp_path / "risk.yaml"
    path.write_bytes(b"version: 1\nnote: caf\xe9\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, RiskPolicy, "risk policy")
    assert str(err.value) == f"{path}: not UTF-8 text"
