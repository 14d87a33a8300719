"""The ASEAN Do No Harm Guide's guidance items, read from its text (docs/reference/), so the mapping in
docs/do-no-harm.md can be checked against the Guide itself rather than against a list we typed.

An item is a bullet of a "Do No Harm guidance" block (27 blocks in five chapters) or of one of the three
guidance boxes: good practice on interviewing (Victim Identification), keeping data confidential
(Victim Identification) and the child-witness considerations (Criminal Justice). Item ids:
chapter code, the block's position in its chapter, the bullet's position in the block (VI3.2);
boxes use VIG (interviewing), VID (data) and CJC (child witnesses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "asean-do-no-harm-guide.txt"

# Each chapter starts where the Guide lists its harms ("The following harms have been identified as
# common during/when ..."); the phrase after that names the chapter.
CHAPTERS = (("victim identification", "VI"), ("reflection, recovery and shelter", "R"),
            ("return and reintegration", "RR"), ("medical and mental healthcare", "M"),
            ("criminal justice process", "CJ"))
BOXES = (("Good practices on interviewing victims", "VIG"),
         ("Keeping personal and trafficking data secure", "VID"),
         ("Considerations for child-witnesses", "CJC"))
_FOOTNOTE = re.compile(r"^\s*([0-9]+|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s")
_BOX_SUBHEADINGS = {"Before the interview", "During the interview", "After the interview"}


@dataclass(frozen=True)
class Item:
    id: str
    line: int  # 1-based line in the Guide's text
    text: str


def _bullet(line: str) -> str | None:
    if line.startswith("- "):
        return line[2:].strip()
    if line.startswith((" - ", "  - ")):
        return line.strip()[2:].strip()
    return None


def _collect(lines: list[str], i: int, subheadings: frozenset[str] = frozenset()) -> tuple[list[tuple[int, str]], int]:
    """Bullets from line i on, across footnotes and blank lines, until other prose begins. A bullet
    that ends with a colon introduces a list of examples (indented), which belongs to it."""
    items: list[tuple[int, str]] = []
    in_examples = False
    while i < len(lines):
        raw, text = lines[i], lines[i].strip()
        if text.startswith("Do No Harm guidance"):
            break
        bullet = _bullet(raw)
        if bullet is not None:
            indented = not raw.startswith("- ")
            if indented and in_examples:
                pass  # one of the examples listed under the previous bullet
            else:
                items.append((i + 1, bullet))
                in_examples = bullet.rstrip("¹²³⁴⁵⁶⁷⁸⁹⁰0123456789").endswith(":")
        elif text in ("", "-") or text in subheadings or _FOOTNOTE.match(raw):
            pass
        else:
            break
        i += 1
    return items, i


def items(path: Path = GUIDE) -> list[Item]:
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[Item] = []
    chapter, block = None, 0
    for i, line in enumerate(lines):
        text = line.strip()
        if text.startswith("The following harms have been identified as common"):
            lowered = text.lower()
            chapter = next(code for name, code in CHAPTERS if name in lowered)
            block = 0
        elif chapter and text.startswith("Do No Harm guidance"):
            block += 1
            found, _ = _collect(lines, i + 1)
            out += [Item(f"{chapter}{block}.{n}", ln, t) for n, (ln, t) in enumerate(found, 1)]
        else:
            for title, code in BOXES:
                if chapter and text.startswith(title):
                    found, _ = _collect(lines, i + 1, frozenset(_BOX_SUBHEADINGS))
                    out += [Item(f"{code}.{n}", ln, t) for n, (ln, t) in enumerate(found, 1)]
    return out
