"""Unified social credit codes, checked against codes published by their holders."""

import pytest

from parksteward.registry.credit_code import (
    CreditCodeError,
    check_character,
    validate_credit_code,
)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # GB 32100-2015, the standard's own example
        "914403001922038216",  # Huawei Technologies Co., Ltd. (business licence)
        "9144030071526726XG",  # Shenzhen Tencent Computer Systems Co., Ltd.
        "91330100799655058B",  # Alibaba (China) Co., Ltd.
    ],
)
def test_published_codes_validate(code):
    assert validate_credit_code(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_check_character_by_hand():
    # 91350100M000100Y4 with M = 21, Y = 30 and weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25,
    # 13, 8, 24, 10, 30, 28: sum = 1640, 1640 mod 31 = 28, 31 - 28 = 3
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "check character is '4', expected '3'"),
        ("91350100M000100Y4", "must have 18 characters, got 17"),
        ("91350100O000100Y43", "'O' at position 9 is not allowed"),
        ("9135010-M000100Y43", "'-' at position 8"),
    ],
)
def test_invalid_codes_say_why(code, fragment):
    with pytest.raises(CreditCodeError, match=fragment.replace("(", r"\(")):
        validate_credit_code(code)
