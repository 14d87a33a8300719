"""Every YAML configuration file is refused at start with the file and the field named."""
import pytest
import yaml

from witness.errors import ConfigError
from witness.oncall import load_directory
from witness.settings import PROJECT_ROOT


def test_a_malformed_on_call_list_names_the_file_and_the_field(tmp_path):
    data = yaml.safe_load((PROJECT_ROOT / "config" / "oncall.yaml").read_text())
    del data["helplines"]["TH"]
    data["oncall"][0]["jurisdictions"] = ["TH", "XX"]
    path = tmp_path / "oncall.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as err:
        load_directory(path)
    assert str(path) in str(err.value)
    assert "oncall.0.jurisdictions" in str(err.value) or "helplines" in str(err.value)


def test_the_shipped_on_call_list_loads():
    assert load_directory(PROJECT_ROOT / "config" / "oncall.yaml")


def test_a_file_that_is_not_yaml_is_refused_by_name(tmp_path):
    path = tmp_path / "oncall.yaml"
    path.write_text("helplines: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_directory(path)
