"""Every service a victim can receive has words in every language documents are written in: a letter
or information sheet listing an open shelter must not fail (or fall back to a code) for want of a
phrase."""
from pathlib import Path

import pytest
import yaml

from witness.domain.support import ServiceKind

STRINGS = Path(__file__).resolve().parents[2] / "templates" / "documents" / "strings"


@pytest.mark.parametrize("path", sorted(STRINGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_service_kind_has_words_in_every_document_language(path):
    words = yaml.safe_load(path.read_text(encoding="utf-8"))["service"]
    assert sorted(k.value for k in ServiceKind if not (words.get(k.value) or "").strip()) == []
