"""Thai text that can be copied and searched back out of a PDF (R-82; issue 14, item 4).

Courts index e-filings by their text, so `pdftotext` of a Thai application must give back exactly
the Thai it was written from. Two things stood in the way, both in how a glyph gets its text:

1. HarfBuzz's Thai shaper always decomposes SARA AM (U+0E33) into NIKHAHIT + SARA AA, and the
   SARA AA glyph is the same glyph as a plain SARA AA. A PDF's ToUnicode map gives each glyph ONE
   text, so "คำร้อง" came back as "คาร้อง".
2. WeasyPrint gives a glyph the text of its whole cluster the first time it meets it. In "ต่ำ" the
   shaper merges the tone mark, NIKHAHIT and SARA AA into one cluster, so if that word came first
   the tone glyph meant "" and SARA AA meant "่ำ" for the rest of the document ("สูงม่ำก").

The fix has two halves:

* a derived copy of Noto Sans Thai (built in memory from the installed font, renamed "Witness Sans
  Thai") with one extra glyph, `uni0E32.am`, drawn like SARA AA, and a contextual substitution
  appended to `ccmp`: SARA AA right after a NIKHAHIT (or a NIKHAHIT and a tone mark) becomes
  `uni0E32.am`. Nothing changes on the page; the SARA AA of a SARA AM is now a glyph of its own;
* the text of this font's glyphs is fixed, not guessed from the first cluster: each Thai glyph (and
  each alternate form a single substitution makes of it) means its own character, NIKHAHIT means
  "" (its text is carried by `uni0E32.am`, which means "ำ"), a NIKHAHIT+tone ligature means the
  tone. WeasyPrint reads the text of a glyph from `Font.to_unicode`, filled only when a glyph is
  first met; for this family that dictionary answers with the fixed text instead.

The one cost: a NIKHAHIT written on its own (Pali in Thai script, not used in these documents)
extracts as nothing. Noto fonts are under the SIL Open Font License without reserved names; the
derived font is renamed anyway and never leaves the PDFs it is embedded (subset) in.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import io
from functools import lru_cache
from pathlib import Path

FAMILY = "Witness Sans Thai"
NOTO = Path("/usr/share/fonts/truetype/noto")
SOURCES = {400: "NotoSansThai-Regular.ttf", 700: "NotoSansThai-Bold.ttf"}
THAI = range(0x0E00, 0x0E80)
NIKHAHIT, SARA_AA, SARA_AM = 0x0E4D, 0x0E32, "\u0e33"
TONES = range(0x0E48, 0x0E4C)  # mai ek, tho, tri, chattawa: the above-base marks a SARA AM follows
AM_GLYPH = "uni0E32.am"


def _single_substitutions(font) -> list[dict[str, str]]:
    out = []
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            if lookup.LookupType == 1:
                out.append(dict(sub.mapping))
            elif lookup.LookupType == 3:  # alternates: each alternate means what its glyph means
                out.append({g: alt for g, alts in sub.alternates.items() for alt in alts})
    return out


def _closure(names: set[str], font) -> set[str]:
    """`names` and every form a single or alternate substitution makes of them."""
    out = set(names)
    for _ in range(3):
        for mapping in _single_substitutions(font):
            out |= {b for a, b in mapping.items() if a in out}
    return out


def _ligatures(font) -> dict[str, list[str]]:
    """ligature glyph -> the glyphs it stands for."""
    out = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        if lookup.LookupType != 4:
            continue
        for sub in lookup.SubTable:
            for first, ligs in sub.ligatures.items():
                for lig in ligs:
                    out[lig.LigGlyph] = [first, *lig.Component]
    return out


UPPER_VOWELS = (0x0E31, 0x0E34, 0x0E35, 0x0E36, 0x0E37)  # mai han-akat, sara i, ii, ue, uee
LOWER_VOWELS = (0x0E38, 0x0E39, 0x0E3A)  # sara u, uu, phinthu
TOP_MARKS = (0x0E48, 0x0E49, 0x0E4A, 0x0E4B, 0x0E4C)  # the four tone marks and THANTHAKHAT


def _mark_anchors(font) -> tuple[dict, dict]:
    """(mark1 anchors, mark2 anchors) of the font's mark-to-mark positioning: name -> (x, y)."""
    first, second = {}, {}
    for lookup in font["GPOS"].table.LookupList.Lookup:
        if lookup.LookupType != 6:
            continue
        for st in lookup.SubTable:
            for name, rec in zip(st.Mark1Coverage.glyphs, st.Mark1Array.MarkRecord):
                first.setdefault(name, (rec.MarkAnchor.XCoordinate, rec.MarkAnchor.YCoordinate))
            for name, rec in zip(st.Mark2Coverage.glyphs, st.Mark2Array.Mark2Record):
                a = rec.Mark2Anchor[0]
                if a is not None:
                    second.setdefault(name, (a.XCoordinate, a.YCoordinate))
    return first, second


def _stack_marks(font) -> dict[tuple[str, str], str]:
    """New composite glyphs for (vowel mark, top mark) pairs; returns the ligature rules."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

    cmap = font.getBestCmap()
    glyf, hmtx, gdef = font["glyf"], font["hmtx"], font["GDEF"].table.GlyphClassDef.classDefs
    as_mark1, as_mark2 = _mark_anchors(font)

    def forms(codes):
        return sorted(_closure({cmap[c] for c in codes if c in cmap}, font))

    rules, order = {}, list(font.getGlyphOrder())
    for vowels, stacked in ((forms(UPPER_VOWELS), True), (forms(LOWER_VOWELS), False)):
        for vowel in vowels:
            for top in forms(TOP_MARKS):
                dx = dy = 0
                if stacked:  # the top mark sits on the vowel (mark-to-mark)
                    if vowel not in as_mark2 or top not in as_mark1:
                        continue
                    dx = as_mark2[vowel][0] - as_mark1[top][0]
                    dy = as_mark2[vowel][1] - as_mark1[top][1]
                name = f"{vowel}_{top}.stack"
                glyph = Glyph()
                glyph.numberOfContours = -1
                glyph.components = []
                for part, x, y in ((vowel, 0, 0), (top, dx, dy)):
                    c = GlyphComponent()
                    c.glyphName, c.x, c.y, c.flags = part, x, y, 0x4  # ROUND_XY_TO_GRID
                    glyph.components.append(c)
                glyf.glyphs[name] = glyph
                order.append(name)
                rules[(vowel, top)] = name
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    for (vowel, top), name in rules.items():
        glyf[name].recalcBounds(glyf)
        hmtx.metrics[name] = (0, glyf[name].xMin)
        gdef[name] = 3  # a mark: no advance of its own
    font["maxp"].numGlyphs = len(order)
    return rules


def _derive(source: bytes) -> bytes:
    from fontTools.otlLib.builder import buildCoverage, buildLigatureSubstSubtable, buildLookup, buildSingleSubstSubtable
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables import otTables as ot

    font = TTFont(io.BytesIO(source))
    cmap = font.getBestCmap()
    aa, nik = cmap[SARA_AA], cmap[NIKHAHIT]
    order = font.getGlyphOrder()
    # The new glyph: SARA AA's outline and metrics under a name of its own.
    font["glyf"].glyphs[AM_GLYPH] = copy.deepcopy(font["glyf"][aa])
    font["hmtx"].metrics[AM_GLYPH] = font["hmtx"].metrics[aa]
    font.setGlyphOrder(order + [AM_GLYPH])
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["maxp"].numGlyphs = len(font.getGlyphOrder())
    gdef = font["GDEF"].table
    gdef.GlyphClassDef.classDefs[AM_GLYPH] = gdef.GlyphClassDef.classDefs.get(aa, 1)
    if "post" in font and hasattr(font["post"], "extraNames"):
        font["post"].extraNames = [*getattr(font["post"], "extraNames", [])]

    gsub = font["GSUB"].table
    ligs = {lig for lig, parts in _ligatures(font).items() if cmap.get(NIKHAHIT) in parts}
    niks = sorted(_closure({nik} | ligs, font), key=font.getGlyphID)
    tones = sorted(_closure({cmap[c] for c in TONES if c in cmap}, font), key=font.getGlyphID)
    # NIKHAHIT then a tone (HarfBuzz's order) becomes the font's own NIKHAHIT+tone glyph, made for
    # the tone-then-NIKHAHIT order: one mark that carries the tone's text, so no glyph without text
    # sits in the middle of the word (pdftotext broke "ต่ำ" into two words there).
    lig_of = {parts[0]: lig for lig, parts in _ligatures(font).items() if parts[1:] == [nik]}
    narrow = {a: b for m in _single_substitutions(font) for a, b in m.items() if b == f"{a}.narrow"}
    ligatures = {}
    for tone_name, lig in lig_of.items():
        for tone_form in _closure({tone_name}, font):
            ligatures.setdefault(nik, {})[(tone_form,)] = lig
            if nik in narrow and lig in narrow:
                ligatures.setdefault(narrow[nik], {})[(tone_form,)] = narrow[lig]
    gsub.LookupList.Lookup.append(buildLookup([buildLigatureSubstSubtable(
        {(first, *rest): lig for first, m in ligatures.items() for rest, lig in m.items()})]))
    lig_index = len(gsub.LookupList.Lookup) - 1
    # Two marks on one letter (a vowel above or below and a tone mark or THANTHAKHAT: ขั้น, ผู้, สิทธิ์)
    # become one glyph drawn as the font's mark positioning would draw them. pdftotext reads two
    # glyphs at one place as duplicated text, and a mark raised by positioning as another line:
    # "ขัน\n้ ตอน". One glyph per stack, at its place without positioning, keeps each word whole.
    stacks = _stack_marks(font)
    gsub.LookupList.Lookup.append(buildLookup([buildLigatureSubstSubtable(stacks)]))
    stack_index = len(gsub.LookupList.Lookup) - 1
    single = buildLookup([buildSingleSubstSubtable({aa: AM_GLYPH})])
    gsub.LookupList.Lookup.append(single)
    single_index = len(gsub.LookupList.Lookup) - 1

    def rule(backtrack: list[list[str]]) -> ot.ChainContextSubst:
        st = ot.ChainContextSubst()
        st.Format = 3
        st.BacktrackGlyphCount = len(backtrack)
        st.BacktrackCoverage = [buildCoverage(b, font.getReverseGlyphMap()) for b in backtrack]  # nearest first
        st.InputGlyphCount = 1
        st.InputCoverage = [buildCoverage([aa], font.getReverseGlyphMap())]
        st.LookAheadGlyphCount = 0
        st.LookAheadCoverage = []
        record = ot.SubstLookupRecord()
        record.SequenceIndex, record.LookupListIndex = 0, single_index
        st.SubstCount, st.SubstLookupRecord = 1, [record]
        return st

    chain = ot.Lookup()
    chain.LookupType, chain.LookupFlag = 6, 0
    chain.SubTable = [rule([niks]), rule([tones, niks]), rule([niks, tones])]
    chain.SubTableCount = len(chain.SubTable)
    gsub.LookupList.Lookup.append(chain)
    gsub.LookupList.LookupCount = len(gsub.LookupList.Lookup)
    chain_index = gsub.LookupList.LookupCount - 1
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex += [lig_index, stack_index, chain_index]
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)

    # No mark-to-base positioning: the marks' own outlines already sit over the letter before them
    # (the font's narrow and small forms handle the tall letters), and a positioned mark is a mark
    # pdftotext sees out of place ("ชว่ ง" for "ช่วง"). Stacks are single glyphs (above).
    gpos = font["GPOS"].table
    records = gpos.FeatureList.FeatureRecord
    new_index = {}
    for old, record in enumerate(records):
        if record.FeatureTag != "mark":
            new_index[old] = len(new_index)
    gpos.FeatureList.FeatureRecord = [r for r in records if r.FeatureTag != "mark"]
    gpos.FeatureList.FeatureCount = len(gpos.FeatureList.FeatureRecord)
    for script in gpos.ScriptList.ScriptRecord:
        for langsys in [script.Script.DefaultLangSys, *(r.LangSys for r in script.Script.LangSysRecord)]:
            if langsys is not None:
                langsys.FeatureIndex = [new_index[i] for i in langsys.FeatureIndex if i in new_index]
                langsys.FeatureCount = len(langsys.FeatureIndex)

    weight = "Bold" if font["OS/2"].usWeightClass >= 600 else "Regular"
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 16):
            names.setName(FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (4,):
            names.setName(f"{FAMILY} {weight}", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (3, 6):
            names.setName(f"WitnessSansThai-{weight}", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=None)
def font_files() -> dict[int, bytes]:
    """{weight: the derived font}; empty when Noto Sans Thai is not installed (scripts/setup.sh)."""
    return {w: _derive((NOTO / name).read_bytes()) for w, name in SOURCES.items() if (NOTO / name).exists()}


def font_face_css() -> str:
    """@font-face rules for the derived fonts, as data: URLs (the renderer fetches nothing else)."""
    rules = []
    for weight, data in font_files().items():
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: normal; '
                     f'src: url(data:font/ttf;base64,{base64.b64encode(data).decode()}) format("truetype"); }}')
    return "\n".join(rules)


@lru_cache(maxsize=8)
def _fixed_text(digest: str, data: bytes) -> dict[int, str]:
    """glyph id -> its text, for one derived font's bytes (as WeasyPrint embeds them)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    ids = font.getReverseGlyphMap()
    cmap = font.getBestCmap()
    text: dict[str, str] = {}
    for cp, name in sorted(cmap.items()):
        if cp in THAI and name not in text:
            text[name] = chr(cp)
    for mapping in _single_substitutions(font):
        for a, b in mapping.items():
            if a in text and b not in text:
                text[b] = text[a]
    nik, ligatures = cmap[NIKHAHIT], _ligatures(font)
    for lig, parts in ligatures.items():
        # A ligature means its parts; NIKHAHIT's text is carried by the SARA AA that follows it.
        if all(p in text or p in _closure({nik}, font) for p in parts):
            text[lig] = "".join("" if p in _closure({nik}, font) else text[p] for p in parts)
    for mapping in _single_substitutions(font):
        for a, b in mapping.items():
            if a in text and (a == nik or a in ligatures):
                text[b] = text[a]
    for name in _closure({nik}, font):
        text[name] = ""
    text[AM_GLYPH] = SARA_AM
    return {ids[name]: t for name, t in text.items() if name in ids}


class _FixedText(dict):
    """A font's glyph -> text map whose Thai entries are fixed in advance (see the module's doc)."""

    def __init__(self, fixed: dict[int, str]):
        super().__init__()
        self.fixed = fixed

    def __setitem__(self, glyph, text):
        super().__setitem__(glyph, self.fixed.get(glyph, text))


_INSTALLED = False


def install() -> None:
    """Make WeasyPrint give the derived font's glyphs their fixed text. Idempotent."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.pdf import fonts

    original = fonts.Font.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.family == FAMILY:
            data = bytes(self.file_content)
            self.to_unicode = _FixedText(_fixed_text(hashlib.sha256(data).hexdigest(), data))

    fonts.Font.__init__ = __init__
    _INSTALLED = True
