"""docs/do-no-harm.md maps every guidance item of the Guide (R-32, R-34), and everything it cites exists.

The items are read from the Guide's own text (tests/guide_items.py), so a bullet the page forgets, a
row for a bullet that does not exist, a rule id that was renamed, a file that moved or a function that
is gone all fail here.
"""
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.guide_items import items
from witness.domain.guardrails import RULES_BY_ID

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "do-no-harm.md"
ROW = re.compile(r"^\| ((?:VI|VIG|VID|R|RR|M|CJ|CJC)\d*\.\d+) \| (.*?) \| (.*?) \| (.*?) \|$", re.M)
CARRIERS = ("rule:", "rules:", "feature:", "human practice", "planned: issue ")


def _rows():
    return ROW.findall(PAGE.read_text(encoding="utf-8"))


def test_the_guide_has_224_guidance_items_in_27_blocks_and_three_boxes():
    found = items()
    blocks = Counter(i.id.split(".")[0] for i in found)
    boxes = {k: blocks.pop(k) for k in ("VIG", "VID", "CJC")}
    assert boxes == {"VIG": 31, "VID": 9, "CJC": 10}
    assert len(blocks) == 27 and sum(blocks.values()) == 174
    chapters = Counter(re.match(r"[A-Z]+", b).group(0) for b in blocks)
    assert chapters == {"VI": 6, "R": 5, "RR": 5, "M": 4, "CJ": 7}
    assert len(found) == 224


def test_every_item_has_exactly_one_row_and_every_row_is_an_item():
    guide = {i.id for i in items()}
    rows = Counter(r[0] for r in _rows())
    assert sorted(guide - set(rows)) == [], "bullets of the Guide with no row"
    assert sorted(set(rows) - guide) == [], "rows for bullets the Guide does not have"
    assert [k for k, n in rows.items() if n > 1] == []


def test_each_row_quotes_its_own_bullet():
    texts = {i.id: re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", i.text).replace("|", "/") for i in items()}
    wrong = []
    for rid, quote, _, _ in _rows():
        start = quote.strip('"').split(" …")[0].split("…")[0].strip()[:30]
        if start and start not in texts[rid]:
            wrong.append(rid)
    assert wrong == []


def test_each_row_says_what_carries_it():
    assert [r[0] for r in _rows() if not r[2].startswith(CARRIERS)] == []


def test_every_cited_rule_exists():
    page = PAGE.read_text(encoding="utf-8")
    cited = set(re.findall(r"`(DNH-\d\d-[a-z0-9-]+)`", page))
    assert cited, "the page cites rules"
    assert sorted(cited - set(RULES_BY_ID)) == []
    short = set(re.findall(r"\bDNH-(\d\d)\b(?!-)", page))
    assert sorted(n for n in short if not any(r.startswith(f"DNH-{n}-") for r in RULES_BY_ID)) == []


def test_every_rule_is_on_the_page():
    page = PAGE.read_text(encoding="utf-8")
    assert sorted(r for r in RULES_BY_ID if f"`{r}`" not in page) == []


def _resolve(path: str) -> Path | None:
    for base in (ROOT, ROOT / "witness"):
        if (base / path).exists():
            return base / path
    if "/" not in path:  # a bare name after its folder was named ("`services/hearings.py`, `measures.py`")
        found = sorted((ROOT / "witness").rglob(path))
        return found[0] if len(found) == 1 else None
    return None


PATH = re.compile(r"`((?:[a-z_]+/)*[a-z_0-9.]+\.(?:py|yaml|md|j2|txt)|(?:[a-z_]+/)+)`")


def test_every_cited_file_exists():
    page = PAGE.read_text(encoding="utf-8")
    missing = sorted({p for p in PATH.findall(page) if _resolve(p) is None})
    assert missing == []


def test_every_cited_function_exists_in_its_file():
    page = PAGE.read_text(encoding="utf-8")
    missing = []
    for path, names in re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`((?:,? (?:and )?`[A-Za-z_][A-Za-z_0-9]*`)+)", page):
        source = _resolve(path)
        if source is None:
            continue  # reported by test_every_cited_file_exists
        text = source.read_text(encoding="utf-8")
        for name in re.findall(r"`([A-Za-z_][A-Za-z_0-9]*)`", names):
            if not re.search(rf"^\s*(?:async\s+)?(?:def|class)\s+{name}\b|^\s*{name}\s*[:=]|^\s+{name}\s*=", text, re.M):
                missing.append(f"{path} {name}")
    assert sorted(set(missing)) == []


@pytest.mark.parametrize("line_ref", ["Criminal Justice Process", "Recovery, Reflection and Shelter"])
def test_the_chapter_lines_the_page_gives_are_the_guide_s(line_ref):
    lines = (ROOT / "docs" / "reference" / "asean-do-no-harm-guide.txt").read_text(encoding="utf-8").split("\n")
    page = PAGE.read_text(encoding="utf-8")
    m = re.search(rf'"{re.escape(line_ref)}" \(from line (\d+)', page)
    assert m, f"the page says where {line_ref} starts"
    assert lines[int(m.group(1)) - 1].strip() == line_ref


def test_the_summary_counts_the_rows():
    page = PAGE.read_text(encoding="utf-8")
    chapters = [("Identification", ("VI", "VIG", "VID")), ("Recovery", ("R",)), ("Return", ("RR",)),
                ("Medical", ("M",)), ("Criminal Justice", ("CJ", "CJC"))]

    def kind(carried):
        return ("rule" if carried.startswith(("rule:", "rules:")) else "feature" if carried.startswith("feature:")
                else "planned (carrier not in the tree)" if carried.startswith("planned") else "human practice")
    counted = Counter()
    for rid, _, carried, _ in _rows():
        prefix = re.match(r"[A-Z]+", rid).group(0)
        chapter = next(name for name, prefixes in chapters if prefix in prefixes)
        counted[(chapter, kind(carried))] += 1
    summary = page[page.index("## Summary"):]
    for label in ("rule", "feature", "planned (carrier not in the tree)", "human practice"):
        m = re.search(rf"^\| {re.escape(label)} \| ([\d |]+)\|$", summary, re.M)
        figures = [int(x) for x in m.group(1).split("|")]
        expected = [counted[(name, label)] for name, _ in chapters]
        assert figures == expected + [sum(expected)], label
