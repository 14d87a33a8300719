"""Line-break opportunities for Khmer, Lao and Burmese (R-82).

These scripts write words without spaces between them, and Pango has a dictionary only for Thai
(libthai): a long Khmer, Lao or Burmese phrase would overflow its box. ICU's word break iterator
finds the word boundaries; a ZERO WIDTH SPACE (U+200B) between two words of the script lets the
line break there and is invisible otherwise. `overflow-wrap: anywhere` in print.css remains the
fallback for a single word longer than a line.
"""
from __future__ import annotations

import re
from functools import lru_cache

ZWSP = "\u200b"
# Khmer (+ symbols), Lao, Myanmar (+ extended A and B).
_SCRIPT = {"km": "\u1780-\u17ff\u19e0-\u19ff", "lo": "\u0e80-\u0eff", "my": "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff"}
_RUN = {lang: re.compile(f"[{chars}]{{2,}}") for lang, chars in _SCRIPT.items()}


@lru_cache(maxsize=None)
def _iterator(lang: str):
    import icu  # PyICU; imported only when a Khmer, Lao or Burmese document is rendered

    return icu.BreakIterator.createWordInstance(icu.Locale(lang))


def insert_breaks(text: str, lang: str) -> str:
    """`text` with U+200B between the words of each run of the language's script; other text as is."""
    run = _RUN.get(lang)
    if run is None or not run.search(text):
        return text
    return run.sub(lambda m: _segment(m.group(0), lang), text)


def _segment(run: str, lang: str) -> str:
    it = _iterator(lang)
    it.setText(run)
    # ICU counts in UTF-16 code units; these scripts are all in the Basic Multilingual Plane.
    bounds = [0, *it]
    return ZWSP.join(run[a:b] for a, b in zip(bounds, bounds[1:]))
