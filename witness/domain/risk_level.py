"""The four risk levels, lowest first (R-40). Apart from the scoring models in witness.domain.risk
(pydantic) because the case list filters by level, and a plain command does not otherwise need
pydantic (issue 16, item 7)."""
from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    low = "low"
    moderate = "moderate"
    high = "high"
    severe = "severe"


LEVEL_ORDER = [Level.low, Level.moderate, Level.high, Level.severe]
