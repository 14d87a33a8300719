"""Load config/risk.yaml; a malformed file is refused at start with the file and field named."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from witness.domain.risk import RiskPolicy
from witness.errors import ConfigError


def load_risk_policy(path: Path) -> RiskPolicy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(f"{path}: cannot read the risk policy") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping")
    try:
        return RiskPolicy.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"]) or "(top level)"
            lines.append(f"{path}: {field}: {e['msg'].removeprefix('Value error, ')}")
        raise ConfigError("\n".join(lines)) from None
