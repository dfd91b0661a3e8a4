"""Pattern detectors for contact data: phones, ID cards, e-mails, plates, address details.

Each detector returns ``(start, end, kind)`` spans into the text it was given.
They are pure functions of the text (no state), so the same text always gives
the same spans.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__: list[str] = []

# GB 11643-1999: weights 2^(17-i) mod 11 for the 17 body digits; check character
# is (12 - (sum mod 11)) mod 11 with 10 written as "X".
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z０-９])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z０-９])"

_MOBILE = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?:(?:\+|＋)?86[\s\-]?|[(（](?:\+|＋)?86[)）]\s?)?"
    + r"1[3-9]\d(?:[\s\-]?\d{4}){2}"
    + _NOT_ALNUM_AFTER
)
# Landlines need a separator or brackets after the area code; a bare run of
# digits starting with 0 is too often a serial or order number.
_LANDLINE = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s\-])\d{7,8}(?:\s?(?:-|转)\d{1,5})?"
    + _NOT_ALNUM_AFTER
)
# A local number without area code counts only right after a phone cue word.
_CUED_LOCAL = re.compile(
    r"(?:电话|手机|座机|联系方式|联系电话|手机号|手机号码|电话号码)(?:号码)?[为是：:\s]{0,3}"
    r"(?P<num>[2-9]\d{2,3}[\s\-]?\d{4})" + _NOT_ALNUM_AFTER
)
_ID18 = re.compile(_NOT_ALNUM_BEFORE + r"\d{17}[\dXx]" + _NOT_ALNUM_AFTER)
_ID15 = re.compile(_NOT_ALNUM_BEFORE + r"\d{15}" + _NOT_ALNUM_AFTER)
_ID_CUE = re.compile(r"身份证|证件号|公民身份号码")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z])"
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    f"[{_PROVINCES}]"
    r"[A-HJ-NP-Z]\s?[·•・\.\-]?\s?"
    r"(?P<body>[A-HJ-NP-Z0-9]{5,6}|[A-HJ-NP-Z0-9]{4}[警学挂领港澳试超])"
    + _NOT_ALNUM_AFTER
)
_NUM = r"[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3}"
_ADDRESS = re.compile(
    rf"(?:(?:{_NUM})(?:号楼|号院|栋|幢|座|号)(?:之[0-9一二三四五六七八九十]{{1,2}})?)"
    rf"(?:[\-－]?(?:{_NUM})单元)?"
    r"(?:[\-－]?[0-9０-９]{3,4}(?:室|号|房|户)?)?"
    "|"
    rf"(?:{_NUM})单元[\-－]?[0-9０-９]{{3,4}}(?:室|号|房|户)?"
)
# "9栋楼" and "共12栋" count buildings; they are not addresses.
_COUNT_BEFORE = tuple("共有约近计余多几这那每")
_COUNT_BEFORE_WORDS = ("涉及", "其中", "全部", "总共", "一共", "累计", "新建", "改造", "完成")


def id_check_char(body17: str) -> str:
    """Return the GB 11643-1999 check character for 17 body digits.

    >>> id_check_char("11010519491231002")
    'X'
    """
    total = sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def _plausible_date(yyyymmdd: str) -> bool:
    try:
        day = _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


def is_valid_id18(number: str) -> bool:
    """True if ``number`` is an 18-character resident ID with a valid check digit and date.

    >>> is_valid_id18("11010519491231002X")
    True
    >>> is_valid_id18("110105194912310021")
    False
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if id_check_char(number[:17]) != number[17].upper():
        return False
    return _plausible_date(number[6:14])


def _is_plausible_id15(number: str) -> bool:
    return number.isdigit() and len(number) == 15 and _plausible_date("19" + number[6:12])


def find_phones(text: str) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), "phone") for m in _MOBILE.finditer(text)]
    spans += [(m.start(), m.end(), "phone") for m in _LANDLINE.finditer(text)]
    spans += [(m.start("num"), m.end("num"), "phone") for m in _CUED_LOCAL.finditer(text)]
    return spans


def find_id_cards(text: str) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), "id_card") for m in _ID18.finditer(text) if is_valid_id18(m.group())]
    for m in _ID15.finditer(text):
        # Legacy 15-digit numbers carry no check digit, so a cue word nearby is required.
        if _is_plausible_id15(m.group()) and _ID_CUE.search(text, max(0, m.start() - 12), m.start()):
            spans.append((m.start(), m.end(), "id_card"))
    return spans


def find_emails(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]


def find_plates(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _PLATE.finditer(text):
        body = m.group("body")
        if sum(ch.isdigit() for ch in body) >= 3:
            out.append((m.start(), m.end(), "plate"))
    return out


def find_address_details(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ADDRESS.finditer(text):
        s, e = m.start(), m.end()
        piece = m.group()
        # A bare "N号" is a date or a serial ("5月16号"), only 号楼/号院 mark a building.
        if re.fullmatch(rf"(?:{_NUM})号", piece):
            continue
        # "第3栋", "5月16号", and ranges "1至8栋" name no one's home
        prev = text[s - 1] if s > 0 else ""
        if prev.isdigit() or prev in "第至到~～—-" or (prev == "月" and text[max(0, s - 2) : s - 1].isdigit()):
            continue
        bare_count = re.fullmatch(rf"(?:{_NUM})(?:栋|幢|座)", piece)
        if bare_count and not piece[0].isdigit():
            continue  # "一栋一栋来", "还剩三栋": Chinese numerals before 栋 count buildings
        if bare_count:
            nxt = text[e : e + 1]
            before = text[max(0, s - 2) : s]
            here = text[e : e + 2]
            if here in ("楼下", "楼上", "楼前", "楼后", "楼顶", "楼道", "楼里"):
                pass
            elif nxt in ("楼", "房", "住", "建", "居", "商") or before[-1:] in _COUNT_BEFORE or before in _COUNT_BEFORE_WORDS:
                continue
            # in "11栋楼下" the building is "11栋", the span stays without 楼
        out.append((s, e, "address_detail"))
    return out


DETECTORS = {
    "email": find_emails,
    "id_card": find_id_cards,
    "phone": find_phones,
    "plate": find_plates,
    "address_detail": find_address_details,
}
