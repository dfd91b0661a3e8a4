"""Person-name detection for redaction.

jieba's part-of-speech tags alone miss many names and tag ordinary words
(幸福感, 文明, 养老) as names, so a candidate here is a surname from a list plus
a one- or two-character given name, accepted only on combined evidence:

* structure of the document: speaker lines of minutes (``张三：``), attendee and
  role lists (``参会人员：张三、李四（居民代表）``), credit lines of news
  (``（记者 张三 通讯员 李四）``);
* context cues: a role word before the name (社区书记, 居民, 网格员 ..., or an
  unlisted word ending in 员/长/师/者 ...), a verb or a title after it (说, 表示,
  介绍 ...; 书记, 阿姨 ...); the length of the given name is chosen from what follows;
* a name tag ("nr") from a private POS tagger (an own ``rjieba.Jieba`` or
  ``jieba.Tokenizer`` instance, never jieba's global one), as one feature among others;
* exclusions: common words that begin with a surname character (高度, 许多, 周边);
* propagation: a name accepted once is redacted at every other mention (not where it
  sits after a plain noun, "高楼林立"), and a name-shaped item joined to an accepted
  name by 、/和/与 is accepted too;
* names that are also words (高峰, 蓝天, 康乐) need two different kinds of cue at two
  places in the same document (a role word, a speech verb, a speaker line, an attendee
  list, a place among other names); they are then redacted at their other mentions in
  that document only;
* units before names (派出所武明哲, 城管科殷科长, 102室骆建国), structural cues after
  them (，女，1938年 / 和妻子), 全名/名叫, and a sentence-opening function-word surname
  before a speech verb when the name recurs (。和志军说).
* the given-name length follows jieba where it cuts before a free one-character verb or
  adverb (宁涛/要, 李强/常) and overrules it where jieba glues the name to what follows
  (霍长/福边/吃, 包国/平住/在); procedure roles ending in 人 (申请人, 投诉人), committees
  and communities as units (居委会, 机床厂社区), a contact channel after a name
  (贝佳（电话…）), heads naming a group (评议小组成员：) and bracketed units between
  enumerated names (安小红（渡口社区）、尚红梅).

Surname-only references are redacted as well: ``老张`` / ``小李`` (span includes
老/小), ``王书记`` / ``李阿姨`` / ``刘工`` / ``甄老先生`` (span is the surname; the title
stays), ``张某`` / ``李某某``, and ``阿静`` when the text says she is called so.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__: list[str] = []

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters that practically never occur in a given name but very often follow
# a surname-like character in running text; a candidate given name containing one
# of them is not a name.
_GIVEN_BLACKLIST = frozenset(
    "的了在是和与及或也都就还又把被对给跟从向到说讲道问等们这那个些里上下内外前后时年日号人会"
    "社区街路楼室第每各该其之所以而且但并如若着过吗呢吧啊做为称表介认提指书主副负记通员局科处"
    "站队组部委办院厂司协网格阿姨爷叔婶奶傅士代党物今已曾便去带让请岁名位户次居某"
    "年元万亿多少几共约近"
)
# Blacklisted characters that still occur in given names (若溪, 多多, 如意): allowed when
# the tagger reads the candidate as a name or a role word stands before it.
_GIVEN_SOFT = frozenset("若如多之其今少")
# Surname characters that are above all prepositions or conjunctions before a person
# noun ("向老师汇报", "和大爷聊天"): never a surname in the surname+title form.
_PREPOSITION_SURNAMES = frozenset("和与及跟同向对给把被让为从由替在以")
# Single-character titles after a surname (刘工 engineer Liu, 王总 manager Wang): a title
# only when the character does not begin a longer word (工作, 总结).
_SHORT_TITLES = frozenset("工总姐哥")
# Kin and household words after a name ("张三和妻子", "李四的儿子", "王五夫妇", "赵六等人"):
# a cue like a verb. All two characters long.
_KIN_AFTER = frozenset(
    ("妻子", "丈夫", "老伴", "爱人", "儿子", "女儿", "孙子", "孙女", "父亲", "母亲", "家人", "一家", "夫妇", "夫妻", "等人",
     "二人", "两人", "母女", "母子", "父子", "父女", "兄弟", "姐妹")
)
# A contact channel right after a name ("王五（电话…）", "赵六，手机"): the person to call.
_CONTACT_AFTER = re.compile(r"[（(，,：:]?[ \t\u3000]*(?:联系)?(?:电话|手机|座机|微信)")
# Characters that never occur in a given name even where a credit line or list vouches
# for the name (a credit line may hold 邢路, 叶道: 路/道 are blacklisted elsewhere).
_GIVEN_HARD = frozenset("的了在是和与及或也都就还又把被对给跟从到说讲等们这那个些里上下内外时日号人会")
_GENDER_AGE = re.compile(r"[，,、]?[（(]?(?:[男女](?:[，,、。；;）)]|性)|[0-9０-９]{1,3}岁|[一二三四五六七八九十]{1,3}岁)")
# Callings before a nickname of the form 阿+character ("大家叫她阿静").
_CALL_BEFORE = ("叫她", "叫他", "喊她", "喊他", "称她", "称他", "叫作", "叫做", "称呼", "昵称", "小名", "叫", "喊")
# 阿姨, 阿婆, 阿公 ...: kin words, not 阿+name
_A_KIN = frozenset("姨婆公伯叔哥姐妹弟爸妈爹娘嫂舅奶爷")
# Table column heads whose cells hold names (besides heads ending in 人 or 姓名).
_TABLE_NAME_HEADS = frozenset(
    ("名字", "户主", "住户", "居民", "老人", "对象", "服务对象", "志愿者", "网格员", "楼栋长", "楼长", "参会人员", "人员", "成员")
)
# Last characters of place names (钱塘江, 白云山, 冯家湾): a "given name" ending so is a place.
_PLACE_END = frozenset("江河湖海山岭峰湾港岛城州县镇乡村庄园桥寺街巷路头沟坊屯堡峪")
# Last characters that make a place of surname + given ("刘家湾", "杨家坪", "赵家桥").
_PLACE_STRICT = frozenset("湾港岛镇乡村庄寺街巷沟坊屯堡峪桥坪坝坡埠集店铺营")
# Last characters of units (综治中心, 派出所, 城管科): a unit directly before a name acts
# like a role word for common surnames.
_UNIT_SUFFIX = frozenset("所站局科办院处队委厅馆司心部组")
# Characters that may directly follow a name (function words, particles).
_RIGHT_FUNCTION = frozenset("的和与及在是也都就还又把被对给跟同等从向到为将已曾正便才刚去来带让请第每今共一这那他她家们")
# Characters that may directly precede a name (besides punctuation).
_LEFT_FUNCTION = frozenset("和与及跟同向对给把被让请由找叫派为是在的等有和问帮陪看见")
_PUNCT = frozenset(" \t\r\n\u3000，。、；：？！,.;:?!\"'“”‘’（）()《》〈〉【】[]「」『』—…-·/|~")
_NICK_PREFIX = ("老", "小")
_ROLE_SUFFIX = frozenset("员长师者工手生官警")
_LIST_TITLES = ("工", "队", "总", "局", "科", "姐", "哥", "老")
_SPEAKER = re.compile(
    r"^[ \t\u3000]*(?P<who>[^\s：:（）()\[\]]{1,8}?)"
    r"(?:[（(](?P<role>[^）)\n]{1,24})[）)])?[ \t\u3000]*[：:]",
    re.MULTILINE,
)


class _Words(tuple):
    """Cue words, longest first, with a set and the lengths for fast prefix lookups."""

    def __new__(cls, words):
        self = super().__new__(cls, words)
        self.set = frozenset(self)
        self.lengths = tuple(sorted({len(w) for w in self}, reverse=True))
        return self


_CALL_WORDS = _Words(_CALL_BEFORE)
# Words after which a place, not a person, follows ("住在李家庄").
_PLACE_BEFORE = _Words(("住在", "位于", "来到", "前往", "搬到", "家住", "搬进", "途经", "地处"))


@dataclass(frozen=True)
class _Lexicon:
    surnames: dict  # surname -> tier
    max_surname: int
    role_before: tuple
    title_after: tuple
    verb_after: tuple
    list_head: tuple
    credit_head: tuple
    exclusions: frozenset
    max_exclusion: int
    start_chars: frozenset  # a surname's first character, 老, 小


def _read_data(name: str) -> str:
    return resources.files("civictools").joinpath(f"data/redact/{name}").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_lexicon() -> _Lexicon:
    surnames: dict[str, int] = {}
    for line in _read_data("surnames.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, tier = line.split("\t")
        surnames[name.strip()] = int(tier)
    sections: dict[str, list[str]] = {}
    current = None
    for line in _read_data("cues.txt").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    excl: set[str] = set()
    for line in _read_data("exclusions.txt").splitlines():
        if line.startswith("#"):
            continue
        excl.update(w for w in line.split() if w)

    def longest_first(words):
        return _Words(sorted(set(words), key=lambda w: (-len(w), w)))

    return _Lexicon(
        surnames=surnames,
        max_surname=max(len(s) for s in surnames),
        role_before=longest_first(sections.get("role_before", [])),
        title_after=longest_first(sections.get("title_after", [])),
        verb_after=longest_first(sections.get("verb_after", [])),
        list_head=longest_first(sections.get("list_head", [])),
        credit_head=longest_first(sections.get("credit_head", [])),
        exclusions=frozenset(excl),
        max_exclusion=max(len(w) for w in excl),
        start_chars=frozenset({s[0] for s in surnames} | set(_NICK_PREFIX)),
    )


_TOKENIZER_LOCK = threading.Lock()
_TAGGERS: dict = {}
ENGINES = ("auto", "rjieba", "jieba")


def resolve_engine(engine: str) -> str:
    """``auto`` -> ``rjieba`` when the Rust binding is installed, else ``jieba``."""
    if engine not in ENGINES:
        from civictools.errors import TextError

        raise TextError(f"unknown engine {engine!r}; choose one of {list(ENGINES)}")
    if engine == "auto":
        try:
            import rjieba  # noqa: F401
        except ImportError:
            return "jieba"
        return "rjieba"
    if engine == "rjieba":
        try:
            import rjieba  # noqa: F401
        except ImportError as exc:
            from civictools.errors import MissingDependencyError

            raise MissingDependencyError("engine='rjieba' needs the rjieba package: pip install rjieba") from exc
    return engine


def _tagger(engine: str):
    """A private POS tagger, built once per engine: ``text -> [(word, flag), ...]``.

    Never jieba's global tokenizer: jieba gets its own ``jieba.Tokenizer``, rjieba its
    own ``rjieba.Jieba`` instance.
    """
    with _TOKENIZER_LOCK:
        if engine not in _TAGGERS:
            if engine == "rjieba":
                import rjieba

                inst = rjieba.Jieba()
                _TAGGERS[engine] = lambda text: inst.tag(text, True)
            else:
                import logging

                import jieba
                import jieba.posseg

                jieba.setLogLevel(logging.WARNING)
                pos = jieba.posseg.POSTokenizer(tokenizer=jieba.Tokenizer())
                _TAGGERS[engine] = lambda text: [(p.word, p.flag) for p in pos.lcut(text)]
        return _TAGGERS[engine]


class _Tokens:
    """POS-tagger evidence for one text: token boundaries and name tags by offset."""

    def __init__(self, text: str, engine: str):
        n = len(text)
        self.start_of = [-1] * (n + 1)  # token start covering position i
        self.end_of = [-1] * (n + 1)
        self.nr_spans: set[tuple[int, int]] = set()
        self.flag_at: dict[int, tuple[int, str]] = {}
        if engine == "none" or not text:
            return
        pos = 0
        for word, flag in _tagger(engine)(text):
            end = pos + len(word)
            for i in range(pos, end):
                self.start_of[i] = pos
                self.end_of[i] = end
            self.flag_at[pos] = (end, flag)
            if flag.startswith("nr"):
                self.nr_spans.add((pos, end))
            pos = end

    def inside_word(self, i: int) -> bool:
        """True if position i sits inside (not at the start of) a non-name jieba word."""
        s = self.start_of[i]
        if s < 0 or s == i:
            return False
        e = self.end_of[i]
        return (s, e) not in self.nr_spans

    def is_plain_word(self, s: int, e: int) -> bool:
        """True if jieba reads exactly text[s:e] as one ordinary (non-name) word (宣传, 高兴)."""
        got = self.flag_at.get(s)
        return got is not None and got[0] == e and not got[1].startswith("nr")

    def is_common_word(self, s: int, e: int) -> bool:
        """True if text[s:e] is one jieba noun/verb/adjective/adverb (项目), not a name or place."""
        got = self.flag_at.get(s)
        return got is not None and got[0] == e and got[1][:1] in ("n", "v", "a", "d") and got[1] not in (
            "nr", "nrt", "nrfg", "ns", "nz"
        )

    def is_nr(self, s: int, e: int) -> bool:
        return (s, e) in self.nr_spans

    def boundary_at(self, i: int) -> bool:
        return self.start_of[i] == i if 0 <= i < len(self.start_of) and self.start_of[i] >= 0 else True


@dataclass
class _Found:
    start: int
    end: int
    how: str  # evidence label, for debugging and tests
    full: bool  # a full name (propagated to other mentions) rather than a surname-only form


class _PersonFinder:
    def __init__(self, text: str, taken: list[bool], known: tuple[str, ...], engine: str = "jieba"):
        self.text = text
        self.n = len(text)
        self.taken = taken
        self.lex = load_lexicon()
        self.known = known
        self.tokens = _Tokens(text, engine)
        self.engine = engine
        self.found: list[_Found] = []
        # names that are also common words (高峰, 蓝天) -> {(position, kind of cue)}
        self.word_cues: dict[str, set] = {}
        self.word_structural: set[str] = set()

    # -- small predicates -------------------------------------------------
    def surname_at(self, i: int) -> str | None:
        for k in range(self.lex.max_surname, 0, -1):
            s = self.text[i : i + k]
            if len(s) == k and s in self.lex.surnames:
                return s
        return None

    def free(self, s: int, e: int) -> bool:
        return all(not self.taken[i] for i in range(s, e))

    def mark(self, s: int, e: int, how: str, full: bool) -> None:
        for i in range(s, e):
            self.taken[i] = True
        self.found.append(_Found(s, e, how, full))

    def starts_with_any(self, i: int, words: _Words) -> str | None:
        t = self.text
        for k in words.lengths:
            w = t[i : i + k]
            if w in words.set and len(w) == k:
                return w
        return None

    def ends_with_any(self, i: int, words: _Words) -> str | None:
        t = self.text
        for k in words.lengths:
            if i - k >= 0:
                w = t[i - k : i]
                if w in words.set:
                    return w
        return None

    def excluded(self, i: int) -> bool:
        t = self.text
        for k in range(self.lex.max_exclusion, 1, -1):
            if t[i : i + k] in self.lex.exclusions:
                return True
        return False

    def given_ok(self, given: str, soft: bool = False, hard: bool = False) -> bool:
        """``soft`` lets a few blacklisted characters pass (若溪, 少华); ``hard`` (credit
        lines) blocks only characters that never occur in a given name."""
        if not given:
            return False
        for c in given:
            if hard:
                if c in _GIVEN_HARD or not _CJK.match(c):
                    return False
                continue
            if c in _GIVEN_BLACKLIST:
                if not (soft and c in _GIVEN_SOFT):
                    return False
            elif not _CJK.match(c):
                return False
        return True

    def left_boundary(self, i: int) -> bool:
        if i == 0:
            return True
        c = self.text[i - 1]
        return c in _PUNCT or c in _LEFT_FUNCTION or not (_CJK.match(c) or c.isalnum())

    def left_digit(self, i: int) -> bool:
        return i > 0 and (self.text[i - 1].isdigit() or self.text[i - 1].isascii() and self.text[i - 1].isalpha())

    def left_role(self, i: int) -> str | None:
        j = i
        while j > 0 and self.text[j - 1] in " \u3000":
            j -= 1
        found = self.ends_with_any(j, self.lex.role_before)
        if found:
            return found
        # Unlisted roles still end in a role suffix (值班员, 骑手, 调解员): trust a
        # jieba word of 2+ characters that ends right here with such a suffix.
        s = self.tokens.start_of[j - 1] if j > 0 else -1
        if s >= 0 and j - s >= 2 and self.tokens.end_of[j - 1] == j and self.text[j - 1] in _ROLE_SUFFIX:
            return self.text[s:j]
        # a party of a procedure (申请人, 投诉人, 监护人): a noun of 3+ characters ending in
        # 人; shorter ones are pronoun-like (本人, 他人, 有人)
        if (
            s >= 0
            and j - s >= 3
            and self.tokens.end_of[j - 1] == j
            and self.text[j - 1] == "人"
            and self.tokens.flag_at.get(s, (0, ""))[1][:1] == "n"
        ):
            return self.text[s:j]
        # the same with 人 glued by jieba to the surname ("投诉/人钟/立伟")
        t = self.tokens
        if j == i and i >= 3 and self.text[i - 1] == "人" and t.start_of[i - 1] == i - 1 and t.end_of[i - 1] == i + 1:
            p = t.start_of[i - 2]
            if p >= 0 and t.end_of[i - 2] == i - 1 and i - 1 - p >= 2 and t.flag_at.get(p, (0, ""))[1][:1] in ("v", "n"):
                return self.text[p:i]
        return None

    def left_unit(self, i: int) -> str | None:
        """A unit name ending right before i (综治中心, 派出所, 城管科), as jieba reads it."""
        if i < 2:
            return None
        s = self.tokens.start_of[i - 1]
        if s == i - 1 and self.text[i - 1] in _UNIT_SUFFIX and self.text[i - 1] != "心" and i >= 3:
            # the unit character cut off on its own ("城管/科/习文涛")
            p = self.tokens.start_of[i - 2]
            flag = self.tokens.flag_at.get(p, (0, ""))[1] if p >= 0 else ""
            if self.tokens.end_of[i - 2] == i - 1 and i - 1 - p >= 2 and flag[:1] == "n" and not flag.startswith("nr"):
                return self.text[p:i]
            return None
        if s < 0 or self.tokens.end_of[i - 1] != i or i - s < 2:
            return None
        flag = self.tokens.flag_at.get(s, (0, ""))[1]
        word = self.text[s:i]
        if flag[:1] == "n" and (word[-1] in _UNIT_SUFFIX and word[-1] != "心" or word.endswith("中心")):
            return word
        # committees (居委会, 业委会; jieba tags some as abbreviations) and communities
        if flag[:1] in ("n", "j") and not flag.startswith("nr") and word.endswith(("委会", "社区")):
            return word
        return None

    def glued_unit(self, i: int) -> str | None:
        """A unit whose last character jieba glued to the surname ("城管/科郑/浩然",
        "203/室储/先生"): the unit name, else None."""
        t = self.tokens
        if i < 2 or t.start_of[i] != i - 1:
            return None
        # jieba may also read the unit's last character into the whole name ("城建/科晏平")
        if t.end_of[i] != i + 1 and not (t.end_of[i] <= i + 3 and t.is_nr(i - 1, t.end_of[i])):
            return None
        c = self.text[i - 1]
        if c == "室":
            return self.text[i - 2 : i] if self.text[i - 2].isdigit() else None
        if (c not in _UNIT_SUFFIX and c != "方") or c == "心":
            return None
        s = t.start_of[i - 2]
        if s < 0 or t.end_of[i - 2] != i - 1 or i - 1 - s < 2:
            return None
        flag = t.flag_at.get(s, (0, ""))[1]
        if c == "方":
            # a party of a contract ("运营/方伍/经理"): the word before is a verbal noun of
            # an activity; after a plain noun 方 is the surname ("负责人/方桂/英")
            return self.text[s:i] if flag == "vn" else None
        return self.text[s:i] if flag[:1] in ("n", "j") and not flag.startswith("nr") else None

    def verb_at(self, e: int) -> str | None:
        """A verb cue starting at e, unless it begins a longer non-verb word
        (道 in 道路, 称 in 称号, 协调 in 协调会)."""
        verb = self.starts_with_any(e, self.lex.verb_after)
        if verb:
            got = self.tokens.flag_at.get(e)
            if got is not None and got[0] > e + len(verb) and not got[1].startswith("v") and (
                len(verb) == 1
                # verb + a noun suffix (协调会, 报名表, 发起人), not 表示同意
                or (got[0] == e + len(verb) + 1 and self.text[got[0] - 1] in "会表人书单费处室点员者组队站")
            ):
                return None  # also "协调会", "报名表": a noun that starts with the verb
        return verb

    def kin_or_gender_at(self, e: int) -> bool:
        """"张三和妻子", "李四的儿子" (kin after a name) or "王五，女，1938年" (a gender)."""
        t = self.text
        j = e + 1 if e < self.n and t[e] in "和与及跟同的" else e
        if t[j : j + 2] in _KIN_AFTER:  # all two characters long
            return True
        # "王五，女，1938年", "赵六（男，72岁）", "钱七，65岁，"
        return bool(_GENDER_AGE.match(t, e, min(self.n, e + 12)))

    def contact_at(self, e: int) -> bool:
        """A phone or chat contact follows ("王五（电话…", "赵六，手机")."""
        # jieba must cut there: "姓名和联系电话" is no name 和联系
        return self.tokens.boundary_at(e) and bool(_CONTACT_AFTER.match(self.text, e, min(self.n, e + 8)))

    def right_kind(self, e: int) -> str | None:
        """Classify what follows a candidate ending at e: 'strong', 'weak' or None."""
        if e >= self.n:
            return "weak"
        if self.verb_at(e) or self.starts_with_any(e, self.lex.title_after) or self.kin_or_gender_at(e):
            return "strong"
        c = self.text[e]
        if c in _PUNCT or c in _RIGHT_FUNCTION or c.isdigit():
            return "weak"
        if self.starts_with_any(e, self.lex.role_before):
            return "weak"
        return None

    def name_shape(
        self, item: str, *, structural: bool = False, allow_excluded: bool = False, hard: bool = False
    ) -> bool:
        """True if a whole item looks like a full name (surname + 1-2 given chars).

        In a speaker line or attendee list (``structural``) only an item that *is*
        an excluded word is rejected ("向东升：" is a speaker even though 向东 is a
        common word); elsewhere an item merely starting with one is rejected too.
        """
        sn = None
        for k in range(self.lex.max_surname, 0, -1):
            if item[:k] in self.lex.surnames:
                sn = item[:k]
                break
        if sn is None:
            return False
        given = item[len(sn) :]
        # a whole list item or speaker may hold a rarer given character (史敬之, 莫少华)
        if not 1 <= len(given) <= 2 or not self.given_ok(given, soft=structural, hard=hard):
            return False
        if item in self.lex.exclusions and not allow_excluded:
            return False
        return structural or not any(item[:k] in self.lex.exclusions for k in range(2, len(item) + 1))

    # -- evidence passes ---------------------------------------------------
    def add_known(self, names, guarded: bool = False) -> None:
        """Mark every mention of ``names``. ``guarded`` (names found in this text, not
        passed in): skip a two-character mention that jieba reads as the end of a longer
        word ("高楼林立" when 林立 is a name elsewhere)."""
        for name in sorted({n for n in names if n}, key=lambda n: (-len(n), n)):
            start = 0
            while True:
                k = self.text.find(name, start)
                if k < 0:
                    break
                e = k + len(name)
                if self.free(k, e) and not (guarded and len(name) == 2 and self._glued(k, e)):
                    # 老X/小X/阿X found in this text stay in this text: across a corpus
                    # they are too often the start of a word (小范 -> 小范围)
                    nick = guarded and len(name) == 2 and name[0] in "老小阿"
                    self.mark(k, e, "known", not nick)
                start = k + 1

    def _glued(self, k: int, e: int) -> bool:
        if self.text[k] in _NICK_PREFIX:
            # 老单, 小庞: the prefix already marks a name, unless jieba reads a word
            # across its end ("老单位", "小文章")
            return not (self.tokens.boundary_at(e) or self.right_kind(e))
        # right after a noun that is no role or unit, with no cue after ("高楼林立的")
        p = self.tokens.start_of[k - 1] if k else -1
        if p < 0 or k - p < 2 or self.tokens.end_of[k - 1] != k:
            return False
        flag = self.tokens.flag_at.get(p, (0, ""))[1]
        if flag[:1] != "n" or flag.startswith("nr") or self.text[k - 1] == "人":
            return False
        return not (self.left_role(k) or self.left_unit(k) or self.right_kind(e) == "strong")

    def add_item(self, s: int, item: str, how: str, paren: bool = False) -> None:
        """Accept one list item starting at s: a name, role+name, or surname+title.

        ``paren``: a bracketed role follows the item ("田野（社工）"), which makes it a
        name even when it is also a common word.
        """
        # strip leading roles ("社区书记江文彬")
        off = 0
        while True:
            w = self.starts_with_any(s + off, self.lex.role_before)
            if not w or len(item) - off - len(w) < 2:
                break
            off += len(w)
        rest = item[off:]
        if (
            len(rest) == 2
            and rest[0] in _NICK_PREFIX
            and rest[1] in self.lex.surnames
            and rest not in self.lex.exclusions
        ):
            if self.free(s + off, s + off + 2):  # "记录：小商", "网格员老文"
                self.mark(s + off, s + off + 2, how + "+nickname", False)
            return
        sn = None
        for k in range(self.lex.max_surname, 0, -1):
            if rest[:k] in self.lex.surnames:
                sn = rest[:k]
                break
        # "朱工" (engineer Zhu), "何队" (team leader He) only in lists and speaker lines:
        # 工 and 队 alone are too common as word endings elsewhere.
        if sn and (rest[len(sn) :] in self.lex.title_after or rest[len(sn) :] in _LIST_TITLES):
            if self.free(s + off, s + off + len(sn)):
                self.mark(s + off, s + off + len(sn), how + "+title", False)
            return
        if rest in self.lex.exclusions and not paren and self.name_shape(rest, structural=True, allow_excluded=True):
            self._word_cue(s + off, s + len(item), how)
        # a whole item of an attendee list may hold a given character that is mostly a
        # function word elsewhere (刘向东, 路长青)
        if self.name_shape(rest, structural=True, allow_excluded=paren, hard=how == "list") and not (
            # "商定：" heads a list of decisions: a weak surname plus an ordinary word
            not paren
            and self.lex.surnames.get(sn, 1) >= 2
            and self.tokens.is_common_word(s + off, s + len(item))
        ):
            if self.free(s + off, s + len(item)):
                self.mark(s + off, s + len(item), how, True)
            return
        # A unit before a short form: "应急办小谢", "站长老单", "供电所蔡工".
        end = s + len(item)
        if len(rest) >= 3:
            tail2 = rest[-2:]
            if tail2[0] in _NICK_PREFIX and tail2[1] in self.lex.surnames and tail2 not in self.lex.exclusions:
                if self.free(end - 2, end):
                    self.mark(end - 2, end, how + "+nickname", False)
                return
            tail_sn, title = rest[-2], rest[-1]
            if tail_sn in self.lex.surnames and title in _LIST_TITLES and self.free(end - 2, end - 1):
                if rest[-3] not in _NICK_PREFIX and not self.tokens.inside_word(end - 2):
                    self.mark(end - 2, end - 1, how + "+title", False)
                    return
            # a unit or room before a surname+title ("城管科殷科长", "401室霍先生")
            title = self.ends_with_any(end, self.lex.title_after)
            if title and len(title) >= 2 and len(rest) > len(title) + 1:
                p = end - len(title) - 1
                if self.lex.surnames.get(self.text[p]) == 1 and self.free(p, p + 1):
                    if (not self.tokens.inside_word(p) or self.glued_unit(p)) and self.text[p - 1] not in _NICK_PREFIX:
                        self.mark(p, p + 1, how + "+title", False)
                    return
            # a unit or room before a full name ("综治中心邝伟", "102室骆建国")
            for length in (3, 2):
                p = end - length
                cand = self.text[p:end]
                if length >= len(rest) or not self.name_shape(cand, structural=True):
                    continue
                # any surname in an attendee list, where the unit closes the name on the left
                # ("参会人员：街道环卫所路长青"); elsewhere a common one only
                if not self.free(p, end) or (self.lex.surnames.get(self.surname_at(p) or "") != 1 and how != "list"):
                    continue
                room = self.text[p - 1] in "室号户栋幢" and self.text[p - 2].isdigit()
                glued = self.glued_unit(p)
                if not (room or glued or self.left_unit(p)):
                    continue
                if (self.tokens.boundary_at(p) or glued) and not self.tokens.is_common_word(p, end):
                    self.mark(p, end, how + "+unit", True)
                    return

    def add_speakers(self) -> None:
        for m in _SPEAKER.finditer(self.text):
            who, start = m.group("who"), m.start("who")
            q = re.match(r"[“\"「『][^”\"」』]{1,8}[”\"」』]", who)
            if q and len(who) > q.end():  # "“修理匠”高远：" (a headline with an epithet)
                who, start = who[q.end() :], start + q.end()
            self.add_item(start, who, "speaker", paren=m.group("role") is not None)

    def add_lists(self) -> None:
        # listed heads, and any short head opened by an attendance word (到会理事：, 出席委员：)
        # and any head naming a group of people (评议小组成员：, 工作组人员：, 获奖名单：)
        heads = (
            "|".join(re.escape(h) for h in self.lex.list_head)
            + r"|(?:到会|参会|出席|列席|与会|参加)[\u4e00-\u9fff]{1,4}"
            + r"|[\u4e00-\u9fff]{0,4}(?:成员|人员|名单)"
        )
        pattern = re.compile(rf"(?:{heads})[ \t\u3000]*[：:]")
        for m in pattern.finditer(self.text):
            end = m.end()
            stop = re.compile(rf"[。\n]|(?:{heads})[ \t\u3000]*[：:]").search(self.text, end)
            seg_end = stop.start() if stop else self.n
            self._split_items(end, seg_end, "list")

    def _split_items(self, s: int, e: int, how: str) -> None:
        seg = self.text[s:e]
        # parentheses hold roles and units ("（居民代表）"), never the listed names
        masked = re.sub(r"[（(][^）)]*[）)]", lambda x: "\0" * len(x.group()), seg)
        for m in re.finditer(r"[^、，,；;\s\u3000\0和及与—\-:：]+", masked):
            item = m.group()
            # "宁涛等": the list closes with 等/等人
            item_end = m.end()
            for tail in ("等人", "等"):
                if item.endswith(tail) and len(item) - len(tail) >= 2:
                    item, item_end = item[: -len(tail)], item_end - len(tail)
                    break
            if 2 <= len(item) <= 24:
                self.add_item(s + m.start(), item, how, paren=masked[item_end : item_end + 1] == "\0")

    def add_tables(self) -> None:
        """Cells of a "| ... |" table under a column headed 姓名, 负责人, 联系人 ... hold names."""
        rows = [m for m in re.finditer(r"^[ \t\u3000]*\|.*\|[ \t\u3000]*$", self.text, re.MULTILINE)]
        cols: set[int] = set()
        prev_end = -2
        for m in rows:
            cells = [c for c in re.finditer(r"(?<=\|)[^|\n]*(?=\|)", m.group())]
            if m.start() != prev_end + 1:  # a new table starts: this row is its header
                cols = {
                    j
                    for j, c in enumerate(cells)
                    if (h := c.group().strip()) and (h in _TABLE_NAME_HEADS or h.endswith(("人", "姓名")))
                }
                prev_end = m.end()
                continue
            prev_end = m.end()
            for j, c in enumerate(cells):
                if j not in cols:
                    continue
                base = m.start() + c.start()
                for it in re.finditer(r"[^、，,；;\s\u3000（）()]+", c.group()):
                    if 2 <= len(it.group()) <= 24:
                        self.add_item(base + it.start(), it.group(), "table")

    def add_credits(self) -> None:
        heads = "|".join(re.escape(h) for h in self.lex.credit_head)
        pattern = re.compile(rf"(?:(?<=[（(【\s\u3000/])|^)(?:{heads})(?:[ \t\u3000]+|[：:/])", re.MULTILINE)
        for m in pattern.finditer(self.text):
            pos = m.end()
            while pos < self.n:
                tok = re.match(r"[^\s\u3000）)】，,。；;：:/]+", self.text[pos:])
                if not tok:
                    break
                item = tok.group()
                if item in self.lex.credit_head:
                    pos += len(item)
                elif self.name_shape(
                    item,
                    structural=True,
                    hard=True,
                    # a credit line names people even when the name is a word (记者 方圆),
                    # but "来源：" after a credit is the next field, not a name
                    allow_excluded=self.lex.surnames.get(item[:1]) == 1 and self.text[pos + len(item) : pos + len(item) + 1] not in "：:",
                ):
                    if self.free(pos, pos + len(item)):
                        self.mark(pos, pos + len(item), "credit", True)
                    pos += len(item)
                else:
                    break
                sep = re.match(r"[ \t\u3000、]+|[：:]", self.text[pos:])
                if not sep:
                    break
                pos += len(sep.group())

    def add_context(self) -> None:
        i = 0
        t = self.text
        starts = self.lex.start_chars
        while i < self.n:
            if self.taken[i] or t[i] not in starts:
                i += 1
                continue
            got = self._nickname(i) or self._surname_form(i) or self._full_name(i)
            i = got if got else i + 1

    def _nickname(self, i: int) -> int | None:
        t = self.text
        if t[i] not in _NICK_PREFIX:
            return None
        sn = t[i + 1 : i + 2]
        tier = self.lex.surnames.get(sn)
        if tier == 2 and self.free(i, i + 2) and self.ends_with_any(i, self.lex.role_before):
            # "社工小文说": a word-like surname only after a listed role, closed by a verb or
            # punctuation, and not read by jieba as a word (网格员小车)
            e = i + 2
            if (e >= self.n or t[e] in _PUNCT or self.verb_at(e)) and (
                not self.tokens.is_plain_word(i, e) or self.tokens.is_nr(i, e)
            ) and t[i : i + 2] not in self.lex.exclusions:
                self.mark(i, e, "nickname", False)
                return e
            return None
        if tier != 1 or not self.free(i, i + 2):
            return None
        if t[i : i + 2] in self.lex.exclusions or self.excluded(i) or self.excluded(i + 1):
            return None
        if self.tokens.inside_word(i) and not self.ends_with_any(i, self.lex.role_before):
            return None  # but "楼长老石": jieba reads 长老 across the role and the nickname
        if 0 <= self.tokens.start_of[i] < i and self.tokens.end_of[i] == i + 1 and not self.left_role(i):
            return None  # 老 ends a word, even one jieba tags as a name ("养老/钱")
        right = self.right_kind(i + 2)
        if right is None and not (self.left_boundary(i) or self.left_role(i) or self.left_unit(i)):
            return None  # but "物业管理站老吕上门": a unit or role before it
        # "小李" is a surname-only form; plain "的" after it is fine ("老张的").
        self.mark(i, i + 2, "nickname", False)
        return i + 2

    def _surname_form(self, i: int) -> int | None:
        """王书记 / 李阿姨 (span = surname) and 张某 / 李某某 (span includes 某)."""
        sn = self.surname_at(i)
        if not sn:
            return None
        k = i + len(sn)
        if self.excluded(i):
            # "莫大爷": 莫大 is listed as a word, but jieba cuts 莫/大爷 and 大爷 is a title
            title = self.starts_with_any(k, self.lex.title_after)
            if not (title and len(title) >= 2 and self.tokens.flag_at.get(k, (0,))[0] == k + len(title)):
                return None
        left_ok = (
            self.left_boundary(i)
            or self.left_role(i)
            or (i > 0 and self.text[i - 1] in "的")
            # jieba cuts the surname off on its own ("社区/王/书记")
            or (self.lex.surnames[sn] == 1 and self.tokens.flag_at.get(i, (None,))[0] == k)
            # after a verb ("同意乐先生的意见", "感谢王老师")
            or self._left_verb(i)
        )
        tier = self.lex.surnames[sn]
        if self.text.startswith("某", k):
            e = k + (2 if self.text.startswith("某某", k) else 1)
            # A common surname plus 某 is a pseudonym wherever it stands ("孩子的父亲陆某")
            # unless jieba reads the surname into a word on its left.
            if (left_ok or (tier == 1 and not self.tokens.inside_word(i))) and self.free(i, e):
                self.mark(i, e, "mou", False)
                return e
            return None
        title = self.starts_with_any(k, self.lex.title_after)
        if not title and tier == 1 and self.text.startswith("家", k) and not self.tokens.inside_word(k + 1):
            # "裴家阿婆", "李家大爷": the family name before a kin title
            kin = self.starts_with_any(k + 1, self.lex.title_after)
            if kin and left_ok and not self.tokens.inside_word(i) and self.free(i, k):
                self.mark(i, k, "title", False)
                return k + 1 + len(kin)
        short = False
        if not title and (tier == 1 or self.left_role(i)) and self.short_title_at(k):
            title, short = self.text[k], True  # 刘工, 王总, (保洁员)凤姐
        if title and tier == 1 and len(title) >= 2 and self.tokens.boundary_at(k) and self.glued_unit(i):
            left_ok = True  # "运营/方伍/经理": jieba glued the party's last character to the surname
        elif not title or not left_ok or self.tokens.inside_word(i):
            return None
        if not self.free(i, k):
            return None
        if tier >= 2 and not short and not self.weak_surname_title_ok(i, k, title):
            return None
        self.mark(i, k, "title", False)
        return k

    def short_title_at(self, k: int) -> bool:
        """工/总/姐/哥 at k is a title (刘工说) unless jieba reads it into a longer word (工作)."""
        if k >= self.n or self.text[k] not in _SHORT_TITLES:
            return False
        if self.tokens.end_of[k] not in (-1, k + 1):
            return False
        nxt = k + 1
        return nxt >= self.n or self.right_kind(nxt) is not None or self.tokens.boundary_at(nxt)

    def weak_surname_title_ok(self, i: int, k: int, title: str) -> bool:
        """A surname that is also a word (师, 解, 文, 于) before a title (师大妈, 解大爷).

        Never for prepositions ("社工和网格员", "向老师汇报"); otherwise jieba must cut
        the text at the surname, at the title and after the title.
        """
        if self.text[i] in _PREPOSITION_SURNAMES or len(title) < 2:
            return False
        t = self.tokens
        return t.boundary_at(i) and t.boundary_at(k) and t.boundary_at(k + len(title))

    def _full_name(self, i: int) -> int | None:
        sn = self.surname_at(i)
        if not sn:
            return None
        tier = self.lex.surnames[sn]
        k = i + len(sn)
        title = self.starts_with_any(k, self.lex.title_after)
        if title and len(title) >= 2:
            return None  # "李老师": a surname and a title, not a full name
        role = self.left_role(i)
        unit = None
        glued = None
        if not role and tier == 1:
            # a unit directly before the name ("派出所武明哲", "综治中心邝伟")
            role = unit = self.left_unit(i) or self.glued_unit(i)
            glued = unit and self.tokens.start_of[i] != i
        excluded = self.excluded(i)
        t = self.tokens
        if not role and self.ends_with_any(i, _PLACE_BEFORE):
            return None  # "住在李家庄": a place
        options = []
        for g in (2, 1):
            e = k + g
            if e > self.n or not self.free(i, e):
                continue
            if not role and ((g == 1 and self.text[k] == "家") or (g == 2 and self.text[e - 1] in _PLACE_STRICT)):
                continue  # "刘家湾", "邹家": a place or a family, not a full name
            if not self.given_ok(self.text[k:e], soft=(bool(role) and not unit) or t.is_nr(i, e)):
                continue
            if self.text[k] == sn:  # 谈谈, 看看: a reduplicated verb, not a name
                continue
            if g == 1 and self.text[k] in "姐哥叔姨婶伯":
                continue  # "凤姐", "李叔": a surname and a kin title
            if g == 1 and (tier >= 2 or sn in _PREPOSITION_SURNAMES) and self._surname_title_at(k):
                continue  # "黄律师和邱律师": 邱 starts a surname+title, 和 is a conjunction
            right = self.right_kind(e)
            if (
                right is None
                and e < self.n
                and t.boundary_at(e)
                # a role before it, or a name tag right after punctuation ("，宁涛/要"; not
                # "的汤汁/倒进")
                and (role or (t.is_nr(i, e) and (i == 0 or self.text[i - 1] in _PUNCT)))
                and self.text[i:e] not in self.lex.exclusions
                # a free one-character verb, adverb or preposition (要, 打, 常); a bound
                # morpheme (宜, vg) may end a name, and a longer verb may start with it (敖志/明说)
                and t.flag_at.get(e, (0, ""))[1] in ("v", "p", "d")
                and t.end_of[e] == e + 1
                # unless the two characters read as a given name ("康德胜/家中")
                and not (g == 1 and self._given_is_name(self.text[k : k + 2], loose=True))
            ):
                right = "weak"  # jieba ends the name where a verb starts ("宁涛/要", "慕容锋/打")
            if right == "weak" and e < self.n and k <= t.start_of[e] < e:
                if t.flag_at.get(t.start_of[e], (0, ""))[1].startswith("v"):
                    continue  # jieba reads a verb across the cut ("欧阳辰/买来" not "欧阳辰买/来")
            if right:
                options.append((g, e, right))
        word_at_i = t.flag_at.get(i, (i + 1,))[0]
        if not options and role and (tier == 1 or (tier == 2 and word_at_i <= k + 2) or excluded):
            # No punctuation or cue after the name ("退休教师田永福连续三年"): trust the role
            # on the left and take the length at which jieba ends a word; a name that is
            # also a word is tried at that word's length first ("调解员蓝天先").
            for g in ((1, 2) if self.text[i : k + 1] in self.lex.exclusions else (2, 1)):
                e = k + g
                if (
                    e <= self.n
                    and not (g == 1 and self.text[k] in "姐哥叔姨婶伯")
                    and self.given_ok(self.text[k:e], soft=not unit)
                    and self.text[k] != sn
                    and self.free(i, e)
                    and (t.boundary_at(e) or (g == 2 and self._name_across(k)))
                ):
                    options.append((g, e, "weak"))
                    break
        if not options and tier == 1 and k + 2 <= self.n and self._nr_name(i, k) and t.boundary_at(k + 2):
            # jieba reads a whole three-character name ("一楼的赵德胜最终"); with a clean
            # left boundary that is enough for a common surname
            left_char = self.text[i - 1] if i else "\n"
            if (
                self.given_ok(self.text[k : k + 2], soft=True)
                and (left_char in _PUNCT or left_char in _LEFT_FUNCTION)
                and self._given_is_name(self.text[k : k + 2], loose=True)
            ):
                options.append((2, k + 2, "nr"))
        if not options:
            return None
        # Prefer the length jieba agrees with, then the longer name.
        options.sort(key=lambda o: (not t.is_nr(i, o[1]), not t.boundary_at(o[1]), -o[0]))
        g, e, right = options[0]
        nr = t.is_nr(i, e) or right == "nr"
        inside = t.inside_word(i) and not glued
        if unit and ((word_at_i not in (k, e) and not t.is_nr(i, word_at_i)) or t.is_plain_word(i, e) or inside):
            return None  # "公司项目经理", "中心宣传": a word after the unit, not a name
        if self.left_digit(i) and not role:
            return None
        if excluded and not inside:
            # a name that is also a word (蓝天, 高峰): remember the cue, decide per document
            for w_end in (k + 1, k + 2):
                if self.text[i:w_end] not in self.lex.exclusions or not t.boundary_at(w_end):
                    continue
                # only a listed role counts here ("施工时间": 施工 merely ends like a role)
                if role and role in self.lex.role_before.set:
                    self._word_cue(i, w_end, "role")
                elif self.right_kind(w_end) == "strong" and self.left_boundary(i):
                    self._word_cue(i, w_end, "verb")
        accept = None
        if (
            excluded
            and tier == 1
            and not inside
            and self.left_boundary(i)
            and self.text[i:e] in self.lex.exclusions
            and self._paren_role(e)
        ):
            accept = "paren-role"  # "洪亮（项目经理）": a bracketed role names the person
        elif (
            role
            and role.endswith("人")
            and role not in self.lex.role_before.set
            and not (
                right == "strong"
                and t.boundary_at(e)
                # a word-like surname when jieba cuts it off on its own ("被申请人/文/海波")
                and (tier == 1 or (tier == 2 and t.boundary_at(i) and t.boundary_at(k)))
            )
        ):
            pass  # an unlisted 申请人-like role needs a common surname and a cue after ("，男，")
        elif role and not excluded:
            if tier == 1 or nr or right == "strong":
                accept = "role"
            elif tier == 2 and not inside and word_at_i <= e:
                # a tier-2 surname after a role, unless jieba reads a word starting
                # there ("居民练习" -> 练习)
                accept = "role"
            elif (
                tier == 3
                and not inside
                and (e >= self.n or self.text[e] in _PUNCT)
                and t.flag_at.get(i, (0, ""))[1][:1] not in ("v", "a", "d", "p", "c", "u")
                and t.boundary_at(e)
                and self._recurs_after_punct(i, e)
            ):
                # "家庭医生商乐。" and the same name again after punctuation ("，商乐每周")
                accept = "role+closed"
        elif role and excluded and right == "strong":
            accept = "role+strong"
        elif len(sn) == 2 and right == "strong" and not excluded and not inside:
            accept = "compound+verb"  # 欧阳, 诸葛 ... are distinctive enough
        elif tier == 1 and not excluded and not inside and not t.is_plain_word(i, e):
            left = self.left_boundary(i)
            if right == "strong" and (left or nr):
                accept = "verb"
            elif (
                g == 2
                and self.starts_with_any(e, self.lex.title_after)
                and not t.is_common_word(k, e)
                and t.boundary_at(e)
            ):
                # a full three-character name right before a title: "社工站汤永康站长"
                accept = "title"
            elif nr and left and right:
                accept = "nr"
        elif (
            tier == 3
            and g == 2
            and right == "strong"
            and not excluded
            and not inside
            and (i == 0 or self.text[i - 1] in "。！？；\n“”")
            and (nr or self.text.count(self.text[i:e]) >= 2)
            and not t.is_plain_word(i, e)
        ):
            # "。和志军说": a function-word surname opening a sentence before a speech verb,
            # when the name recurs in the text (or jieba tags it)
            accept = "sentence+verb"
        elif (
            tier >= 2
            and g == 2
            and nr
            and right
            and not excluded
            and not inside
            and i > 0
            and (self.text[i - 1] == "的" or self.text[i - 1] in _PUNCT)
            and self._given_is_name(self.text[k:e])
        ):
            accept = "nr+weak-surname"  # "社区的应晓峰向社区反映": jieba reads the whole name
        if not accept and not excluded and not inside and sn not in _PREPOSITION_SURNAMES:
            left_char = self.text[i - 1] if i else "\n"
            clean = left_char == "的" or left_char in _PUNCT
            if right and self.contact_at(e) and (tier == 1 or nr) and t.boundary_at(i):
                accept = "contact"  # "可联系贝佳（电话…": the person to call
            elif g == 2 and clean and right and tier == 1 and self._nr_start(k):
                accept = "nr-start"  # "的李晨/阳刚搬来": jieba tags a name at the surname
            elif (
                g == 2
                and clean
                and right == "strong"
                and tier >= 2
                and t.flag_at.get(i, (0, ""))[0] == k
                and t.flag_at.get(i, (0, ""))[1][:1] not in ("v", "a", "d", "p", "c", "u", "r", "m")
                and t.boundary_at(e)
                and self._given_is_name(self.text[k:e], loose=True)
            ):
                # "三十年的农春华说": jieba cuts the surname off on its own and reads the
                # given name alone as a name
                accept = "given+verb"
        if not accept:
            return None
        self.mark(i, e, accept, True)
        return e

    def _name_across(self, k: int) -> bool:
        """jieba reads the second given character into a proper noun that runs past it
        ("霍长/福边/吃", "邬秀兰住/在"), and the given name alone reads as a name."""
        t = self.tokens
        s = t.start_of[k + 1] if k + 1 < self.n else -1
        if s < 0 or t.end_of[k + 1] <= k + 2:
            return False
        flag = t.flag_at.get(s, (0, ""))[1]
        if flag[:2] in ("nr", "ns", "nz") and self._given_is_name(self.text[k : k + 2], loose=True):
            return True
        # "蔡守/田边/扫边说", "包国/平住/在": on its own the rest reads as a verb or
        # adverb ("边扫边说", "住在") and the two given characters as a noun ("守田", "国平")
        if self.engine == "none" or k + 2 >= self.n:
            return False
        tagger = _tagger(self.engine)
        given = tagger(self.text[k : k + 2])
        if len(given) != 1:
            return False
        # a plain noun (国平, 守田); a name-like pair (长根 ns) only when jieba's word across
        # the cut is no verb: an unknown pair is tagged nr by guess ("余慧/拨打": 慧拨 nr)
        if given[0][1] != "n" and not (flag[:1] != "v" and self._given_is_name(self.text[k : k + 2], loose=True)):
            return False
        rest = tagger(self.text[k + 2 : k + 8])
        return bool(rest) and rest[0][1][:1] in ("v", "d", "p")

    def _nr_start(self, k: int) -> bool:
        """jieba tags surname + first given character as a name and reads the second given
        character into another proper noun ("李晨/阳刚")."""
        t = self.tokens
        if not any(t.is_nr(s, k + 1) for s in range(max(0, k - 2), k)):
            return False
        got = t.flag_at.get(k + 1)
        return got is not None and got[0] > k + 2 and got[1][:2] in ("nr", "ns", "nz")

    def _paren_role(self, e: int) -> bool:
        m = re.match(r"[（(]([\u4e00-\u9fff]{1,8})[）)]", self.text[e : e + 10])
        if not m:
            return False
        inner = m.group(1)
        return inner in self.lex.role_before.set or inner[-2:] in self.lex.role_before.set

    def _given_is_name(self, given: str, loose: bool = False) -> bool:
        """The tagger reads the given name on its own as a name (晓峰), not a word (降雨).

        ``loose`` also takes a proper noun (国华 nz, 立国 ns), but no place (塘江, 云山).
        """
        if self.engine == "none":
            return False
        tagged = _tagger(self.engine)(given)
        if len(tagged) != 1:
            return False
        flag = tagged[0][1]
        if flag.startswith("nr"):
            return True
        return loose and (flag in ("nz", "ng") or (flag == "ns" and given[-1] not in _PLACE_END))

    def _recurs_after_punct(self, s: int, e: int) -> bool:
        name = self.text[s:e]
        return any(
            m.start() != s and (m.start() == 0 or self.text[m.start() - 1] in _PUNCT)
            for m in re.finditer(re.escape(name), self.text)
        )

    def _nr_name(self, i: int, k: int) -> bool:
        """jieba tags text[i:k+2] as one name, or the surname as a name and the two
        characters after it as a name or proper noun ("冼/国华", "桑/红霞")."""
        t = self.tokens
        if t.is_nr(i, k + 2):
            return True
        got = t.flag_at.get(k)
        return t.is_nr(i, k) and got is not None and got[0] == k + 2 and got[1] in ("nr", "nrfg", "nz")

    def _surname_title_at(self, k: int) -> bool:
        sn = self.surname_at(k)
        return bool(sn) and self.lex.surnames[sn] == 1 and bool(
            self.starts_with_any(k + len(sn), self.lex.title_after)
        )

    def _word_cue(self, s: int, e: int, kind: str) -> None:
        self.word_cues.setdefault(self.text[s:e], set()).add((s, kind))

    def add_enumerations(self) -> None:
        """A name-shaped item joined to an accepted name by 、/和/与/及 is a name too."""
        changed = True
        while changed:
            changed = False
            for f in sorted(self.found, key=lambda f: f.start):
                if not f.full:
                    continue
                e = f.end
                # "安小红（渡口社区）、尚红梅": a bracketed unit or role between the items
                br = re.match(r"[（(][^）)\n]{1,12}[）)]", self.text[e : e + 14])
                if br and e + br.end() < self.n and self.text[e + br.end()] == "、":
                    e += br.end()
                if e < self.n and self.text[e] in "、和与及":
                    s = e + 1
                    for g in (2, 1):
                        sn = self.surname_at(s)
                        if not sn:
                            break
                        end = s + len(sn) + g
                        cand = self.text[s:end]
                        # an item closed by punctuation on both sides ("温倩、凌晨阳\n")
                        # is a name even if it starts like a common word
                        closed = end >= self.n or self.text[end] in _PUNCT
                        if end <= self.n and cand in self.lex.exclusions and (closed or self.text[end] in "、和与及"):
                            self._word_cue(s, end, "enumeration")  # "温雅、康乐、邵敏"
                        if (
                            end <= self.n
                            and self.name_shape(cand, structural=closed)
                            and self.free(s, end)
                            and (
                                self.right_kind(end)
                                # a weak surname needs a cue after it ("潘悦、区住建局")
                                or (self.lex.surnames[sn] == 1 and self.tokens.boundary_at(end))
                            )
                        ):
                            self.mark(s, end, "enumeration", True)
                            changed = True
                            break
                b = f.start - 1
                if b > 0 and self.text[b] in "、和与及":
                    if self.text[b] == "、" and self.text[b - 1] in "）)":
                        # "安小红（渡口社区）、尚红梅": step back over the bracket
                        br = re.search(r"[（(][^（()）\n]{1,12}[）)]$", self.text[max(0, b - 14) : b])
                        b = b - len(br.group()) if br else -1
                    for length in (3, 2, 4):
                        s = b - length
                        if b < 0 or s < 0:
                            break
                        cand = self.text[s:b]
                        if cand in self.lex.exclusions and (self.left_boundary(s) or self.left_role(s)):
                            self._word_cue(s, b, "enumeration")
                        if (
                            self.name_shape(cand)
                            and self.free(s, b)
                            and (self.left_boundary(s) or self.left_role(s))
                        ):
                            self.mark(s, b, "enumeration", True)
                            changed = True
                            break

    def run(self) -> list[_Found]:
        self.add_known(self.known)
        self.add_speakers()
        self.add_lists()
        self.add_tables()
        self.add_credits()
        # Names from the document's structure claim their other mentions before the
        # context pass can cut them differently ("调整石磊任项目经理").
        self.add_known(self._recurring(), guarded=True)
        self.add_nick_a()
        self.add_context()
        self.add_known(self._recurring(), guarded=True)
        self.add_enumerations()
        if self.add_word_names():
            self.add_enumerations()
        self.add_known(self._recurring(), guarded=True)
        self.add_title_forms()
        return sorted(self.found, key=lambda f: f.start)

    def add_word_names(self) -> bool:
        """Names that are also words (高峰, 蓝天, 康乐): accepted at every mention once two
        different kinds of cue in the document support them (a role word, a speech verb,
        a speaker line or attendee list, a place among other names)."""
        added = False
        names = {
            n
            for n, cues in self.word_cues.items()
            if len({kind for _, kind in cues}) >= 2 and len({pos for pos, _ in cues}) >= 2
        }
        self.word_structural = {
            self.text[f.start : f.end] for f in self.found if f.full and self.text[f.start : f.end] in self.lex.exclusions
        }
        names |= self.word_structural
        for name in sorted(names):
            start = 0
            while (k := self.text.find(name, start)) >= 0:
                start = k + 1
                e = k + len(name)
                if not self.free(k, e) or self.tokens.inside_word(k):
                    continue
                if not (self.left_boundary(k) or self.left_role(k) or self._left_verb(k)):
                    continue  # "早高峰"
                if e < self.n and not (self.tokens.boundary_at(e) or self.right_kind(e)):
                    continue
                self.mark(k, e, "word-name", True)
                added = True
        return added

    def _left_verb(self, k: int) -> bool:
        """A verb or adverb of two or more characters ends at k ("同意向东的意见")."""
        p = self.tokens.start_of[k - 1] if k else -1
        if p < 0 or k - p < 2 or self.tokens.end_of[k - 1] != k:
            return False
        return self.tokens.flag_at.get(p, (0, ""))[1][:1] in ("v", "d")

    def add_title_forms(self) -> None:
        """A surname+title form found once (师大妈, 文师傅) is the same person at its other
        mentions, even where jieba glues the surname to the word before it."""
        forms = set()
        for f in self.found:
            if f.how.endswith("title") and not f.full:
                title = self.starts_with_any(f.end, self.lex.title_after)
                if title and len(title) >= 2:
                    forms.add((self.text[f.start : f.end], title))
                elif self.short_title_at(f.end):  # 单工, 王总
                    forms.add((self.text[f.start : f.end], self.text[f.end]))
        for sn, title in sorted(forms):
            form = sn + title
            start = 0
            while (k := self.text.find(form, start)) >= 0:
                start = k + 1
                end = k + len(form)
                if not self.free(k, k + len(sn)) or self.excluded(k):
                    continue
                if self.tokens.boundary_at(end) if len(title) >= 2 else self.short_title_at(k + len(sn)):
                    self.mark(k, k + len(sn), "title-again", False)

    def add_nick_a(self) -> None:
        """阿 + one character as a name when the text says so ("大家叫她阿静")."""
        for m in re.finditer(r"阿([\u4e00-\u9fff])", self.text):
            s, e = m.start(), m.end()
            c = m.group(1)
            if c in _GIVEN_BLACKLIST or c in _A_KIN or not self.free(s, e):
                continue
            if not self.ends_with_any(s, _CALL_WORDS):
                continue
            if e < self.n and not (self.text[e] in _PUNCT or self.right_kind(e)):
                continue
            self.mark(s, e, "nickname", False)

    def _recurring(self) -> set[str]:
        """Full names and 老X/小X forms found so far; they recur without their cue."""
        return {
            self.text[f.start : f.end]
            for f in self.found
            if (f.full or "nickname" in f.how)
            and f.end - f.start >= 2
            # names that are also words spread only through add_word_names
            and self.text[f.start : f.end] not in self.lex.exclusions
        }


def find_persons(
    text: str, taken: list[bool], known: tuple[str, ...] = (), *, engine: str = "jieba"
) -> list[_Found]:
    """Person spans in ``text``, skipping positions already ``taken`` (updated in place)."""
    finder = _PersonFinder(text, taken, known, engine)
    found = finder.run()
    for f in found:
        # A name that is also a word (高峰, 向东) was confirmed by cues in this text only;
        # it must not spread to other documents of a corpus, where it is usually the word.
        if f.full and f.how == "word-name" and text[f.start : f.end] not in finder.word_structural:
            f.full = False
    return found
