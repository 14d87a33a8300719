"""SMS segment counting (GSM-7 and UCS-2), checked against the figures of 3GPP TS 23.038/23.040."""
from witness.domain.sms import encoding, length, segments, split


def test_a_plain_text_of_160_gsm_characters_is_one_segment_and_161_are_two():
    assert encoding("a" * 160) == "gsm7" and segments("a" * 160) == 1
    assert segments("a" * 161) == 2 and [len(p) for p in split("a" * 161)] == [153, 8]


def test_an_extension_character_costs_two_septets_and_is_never_cut_from_its_escape():
    assert length("€") == 2 and segments("a" * 159 + "€") == 2
    # 153 septets a part: 76 euro signs (152) fit, the 77th would need 154.
    assert [len(p) for p in split("€" * 100)] == [76, 24]


def test_one_thai_character_makes_the_whole_text_ucs2_at_70_then_67_a_part():
    assert encoding("ok ก") == "ucs2"
    assert segments("ก" * 70) == 1 and segments("ก" * 71) == 2 and [len(p) for p in split("ก" * 71)] == [67, 4]
    assert segments("ก" * 134) == 2 and segments("ก" * 135) == 3


def test_a_character_outside_the_basic_plane_counts_two_units_and_is_not_split():
    assert length("𝐀") == 2 and segments("𝐀" * 35) == 1 and segments("𝐀" * 36) == 2
    assert all(len(p) == 33 or p == split("𝐀" * 36)[-1] for p in split("𝐀" * 36))


def test_vietnamese_tone_marks_are_not_gsm_so_vietnamese_goes_as_ucs2():
    assert encoding("Người bị cáo buộc") == "ucs2"
