"""Load config/risk.yaml; a malformed file is refused at start with the file and field named."""
from __future__ import annotations

from pathlib import Path

from witness.domain.risk import RiskPolicy
from witness.configuration import load_config


def load_risk_policy(path: Path) -> RiskPolicy:
    return load_config(path, RiskPolicy, "risk policy")
