"""Decide how the bytes of a Chinese text file are encoded.

Order of the rules (each one is cheap and certain before the next guesses):

1. byte-order marks (UTF-8, UTF-16 LE/BE, UTF-32);
2. UTF-16 without BOM when every other byte is NUL;
3. a NUL byte or a known binary signature -> not a text file;
4. strict UTF-8;
5. the GB family (GBK, then GB18030) and the Big5 family (Big5, CP950,
   Big5-HKSCS) are tried strictly, together with charset-normalizer's best
   guess, and the decoding with the larger share of common Chinese characters
   (simplified or traditional) wins. charset-normalizer alone is not enough:
   on short texts it takes Big5 for Shift-JIS and GBK for Big5.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

# About 700 of the most frequent simplified characters in modern Chinese
# prose, plus the vocabulary of community governance documents. Their
# traditional forms are added with OpenCC, so both scripts score alike.
_COMMON_SIMPLIFIED = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可"
    "她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三"
    "已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女"
    "问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由"
    "却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路"
    "期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八"
    "特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花"
    "快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程"
    "告江语英基派满式李息写呢识极令黄德收脸钱党倒未持音跑精类争热专组织居代议纪要录参加讨通知案街务"
    "群委志愿活环境卫健康楼院物停改造装梯垃圾养协商设落推负责完项目居民会议社区服工作老年儿童家庭小"
    "网格站点费用费户房屋住宅租设施场所消防安全检查整改宣传培训志愿者调解矛盾纠纷邻里关系文明创建评"
    "选表彰慰问困难救助低保残疾人就业创业医疗保险疫情防控核酸疫苗接种登记信息系统平台线上线下微信群"
    "公众号发布通报情况说明意见建议反映诉求回应满意度考核指标经费预算资金使用审批公示监督财务公开透明"
    "党建引领支部书记委员主任副联席议事协商共治共享自治法治德治规范制度机制流程标准试点示范推广经验做"
    "法成效亮点特色品牌项目化运营购买第三方机构专业力量整合资源链接需求调研走访入户座谈访谈问卷统计分"
    "析报告记者通讯员编辑来源时间发布日期栏目首页新闻动态讯本报近日日前昨天今天上午下午晚上召开举行开"
    "展启动部署推进落实完成实现取得提升加强优化完善健全改善解决处理办理答复督办跟踪反馈闭环共同参与积"
    "极主动广泛深入扎实有序有效有力切实认真及时全面统筹协调配合支持帮助关心关爱温暖幸福美好和谐稳定"
    "条款规定办法实施方案细则通知意见决定批复函请示报告附件印发各街道办事处有关单位部门现将予以执行遵"
    "照贯彻执行本办法自之日起施行负责解释第章节款项目录附则总则原则目标任务要求措施保障组织领导职责分"
)
_PUA = re.compile(r"[\ue000-\uf8ff\u3400-\u4dbf\uff61-\uff9f\u2500-\u257f\U00020000-\U0002ffff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (for example an Office file)",
    b"%PDF": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "a legacy Office (OLE) file such as .doc/.xls",
    b"Rar!": "a RAR archive",
    b"\x1f\x8b": "a gzip archive",
}


class DecodeFailure(ValueError):
    """Raised with a user-facing reason when bytes are not decodable text."""


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """The set of common simplified characters and their traditional forms."""
    import opencc

    simplified = set(_COMMON_SIMPLIFIED)
    traditional = set(opencc.OpenCC("s2t").convert(_COMMON_SIMPLIFIED))
    return frozenset(ch for ch in simplified | traditional if _CJK.match(ch))


def score(text: str) -> float:
    """Share of common Chinese characters among the CJK characters, less oddities.

    Right decodings of Chinese prose score well above 0.5; a GB text read as
    Big5 (or the reverse) scores far below.
    """
    sample = text[:100_000]
    cjk = _CJK.findall(sample)
    odd = len(_PUA.findall(sample))
    if not cjk:
        return -1.0 if odd else 0.0
    common = common_chars()
    hits = sum(1 for ch in cjk if ch in common)
    return hits / len(cjk) - 2.0 * odd / (len(cjk) + odd)


def binary_kind(data: bytes) -> str | None:
    """Describe a known binary signature at the start of ``data``, if any."""
    for magic, what in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            return what
    return None


def _bom(data: bytes) -> tuple[str, int] | None:
    if data.startswith(codecs.BOM_UTF32_LE) and len(data) % 4 == 0:
        return "utf-32-le", 4
    if data.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / len(sample[1::2])
    # ASCII-heavy UTF-16 has NULs in one half; Chinese-only UTF-16 has few
    # NULs, so this only catches the common mixed case.
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _strict(data: bytes, names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)`` or raise :class:`DecodeFailure`.

    ``declared`` is an encoding the file claims (an HTML ``<meta charset>``);
    it is used when it decodes strictly and is not contradicted by a BOM.
    """
    bom = _bom(data)
    if bom:
        name, size = bom
        try:
            return data[size:].decode(name.replace("-sig", "")), name
        except UnicodeDecodeError as exc:
            raise DecodeFailure(
                f"starts with a {name} byte-order mark but is not valid {name} "
                f"(bad bytes at offset {exc.start + size}); re-save it as UTF-8"
            ) from None
    u16 = _utf16_without_bom(data)
    if u16:
        try:
            return data.decode(u16), u16
        except UnicodeDecodeError:
            pass
    what = binary_kind(data)
    if what:
        raise DecodeFailure(f"is a binary file ({what}), not text")
    if b"\x00" in data[:65536]:
        raise DecodeFailure("contains NUL bytes: it is a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    candidates: list[tuple[str, str]] = []
    if declared:
        got = _strict(data, (declared,))
        if got and score(got[0]) >= 0.3:
            return got
    for family in (("gbk", "gb18030"), ("big5", "cp950", "big5hkscs")):
        got = _strict(data, family)
        if got:
            candidates.append(got)
    guess = _charset_normalizer_guess(data)
    if guess and all(guess[1] != c[1] for c in candidates):
        candidates.append(guess)
    scored = sorted(
        ((score(text), i, text, name) for i, (text, name) in enumerate(candidates)),
        key=lambda t: (-t[0], t[1]),
    )
    if scored and scored[0][0] >= 0.3:
        _s, _i, text, name = scored[0]
        return text, name
    if guess and not _CJK.search(guess[0][:100_000]) and _mostly_printable(guess[0]):
        return guess
    raise DecodeFailure(
        f"has undecodable bytes: it is not valid UTF-8 (first bad byte at offset {utf8_error}) "
        "and does not read as UTF-16, GB18030/GBK or Big5 Chinese text; "
        "check that it is a text file and re-save it as UTF-8"
    )


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    name = best.encoding
    try:
        return data.decode(name), name
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_printable(text: str) -> bool:
    sample = text[:20_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(sample) < 0.01
