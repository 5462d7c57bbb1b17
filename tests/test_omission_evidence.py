"""Numbers and dates two sentences share, in any digit form (the loose pairs' lexical evidence)."""

from lacuna.server.omission.evidence import cjk_numeral, numbers


def test_numbers_match_across_digit_forms_scales_and_cjk_numerals():
    assert numbers("30 minutes") & numbers("３０分")
    assert numbers("3 million people") & numbers("300万人")
    assert numbers("in 2019") & numbers("二〇一九年に")
    assert numbers("thirty, 30 of them") & numbers("三十人")
    assert not numbers("9 cats") and not numbers("十分な時間")  # a single digit; 十分 is a word


def test_months_match_by_name_and_by_number():
    assert "month:3" in numbers("on March 12") & numbers("3月12日") & numbers("am 12. März")
    assert not numbers("on March 12") & numbers("4月1日")


def test_cjk_numerals_are_read_by_value():
    assert [cjk_numeral(t) for t in ("三十", "二〇一九", "五百万", "千二百", "十五")] == [30, 2019, 5_000_000, 1200, 15]
