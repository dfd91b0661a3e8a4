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
* propagation: a name accepted once is redacted at every other mention, and a
  name-shaped item joined to an accepted name by 、/和/与 is accepted too.

Surname-only references are redacted as well: ``老张`` / ``小李`` (span includes
老/小), ``王书记`` / ``李阿姨`` (span is the surname; the title stays), and
``张某`` / ``李某某``.
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
        self.found: list[_Found] = []

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

    def given_ok(self, given: str) -> bool:
        return bool(given) and all(_CJK.match(c) and c not in _GIVEN_BLACKLIST for c in given)

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
        return None

    def right_kind(self, e: int) -> str | None:
        """Classify what follows a candidate ending at e: 'strong', 'weak' or None."""
        if e >= self.n:
            return "weak"
        if self.starts_with_any(e, self.lex.verb_after) or self.starts_with_any(e, self.lex.title_after):
            return "strong"
        c = self.text[e]
        if c in _PUNCT or c in _RIGHT_FUNCTION or c.isdigit():
            return "weak"
        if self.starts_with_any(e, self.lex.role_before):
            return "weak"
        return None

    def name_shape(self, item: str, *, structural: bool = False, allow_excluded: bool = False) -> bool:
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
        if not 1 <= len(given) <= 2 or not self.given_ok(given):
            return False
        if item in self.lex.exclusions and not allow_excluded:
            return False
        return structural or not any(item[:k] in self.lex.exclusions for k in range(2, len(item) + 1))

    # -- evidence passes ---------------------------------------------------
    def add_known(self, names) -> None:
        for name in sorted({n for n in names if n}, key=lambda n: (-len(n), n)):
            start = 0
            while True:
                k = self.text.find(name, start)
                if k < 0:
                    break
                if self.free(k, k + len(name)):
                    self.mark(k, k + len(name), "known", True)
                start = k + 1

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
        if self.name_shape(rest, structural=True, allow_excluded=paren) and not (
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

    def add_speakers(self) -> None:
        for m in _SPEAKER.finditer(self.text):
            self.add_item(m.start("who"), m.group("who"), "speaker", paren=m.group("role") is not None)

    def add_lists(self) -> None:
        heads = "|".join(re.escape(h) for h in self.lex.list_head)
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
            if 2 <= len(item) <= 24:
                self.add_item(s + m.start(), item, how, paren=masked[m.end() : m.end() + 1] == "\0")

    def add_credits(self) -> None:
        heads = "|".join(re.escape(h) for h in self.lex.credit_head)
        pattern = re.compile(rf"(?:(?<=[（(【\s\u3000])|^)(?:{heads})(?:[ \t\u3000]+|[：:])", re.MULTILINE)
        for m in pattern.finditer(self.text):
            pos = m.end()
            while pos < self.n:
                tok = re.match(r"[^\s\u3000）)】，,。；;：:]+", self.text[pos:])
                if not tok:
                    break
                item = tok.group()
                if item in self.lex.credit_head:
                    pos += len(item)
                elif self.name_shape(item, structural=True):
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
        if self.lex.surnames.get(sn) != 1 or not self.free(i, i + 2):
            return None
        if t[i : i + 2] in self.lex.exclusions or self.excluded(i) or self.excluded(i + 1):
            return None
        if self.tokens.inside_word(i):
            return None
        right = self.right_kind(i + 2)
        if right is None and not self.left_boundary(i):
            return None
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
            return None
        left_ok = (
            self.left_boundary(i)
            or self.left_role(i)
            or (i > 0 and self.text[i - 1] in "的")
            # jieba cuts the surname off on its own ("社区/王/书记")
            or (self.lex.surnames[sn] == 1 and self.tokens.flag_at.get(i, (None,))[0] == k)
        )
        if self.text.startswith("某", k):
            e = k + (2 if self.text.startswith("某某", k) else 1)
            if left_ok and self.free(i, e):
                self.mark(i, e, "mou", False)
                return e
            return None
        title = self.starts_with_any(k, self.lex.title_after)
        if not title or not left_ok or self.tokens.inside_word(i) or not self.free(i, k):
            return None
        if self.lex.surnames[sn] >= 2:  # "社工和网格员": 和 is no surname here
            return None
        self.mark(i, k, "title", False)
        return k

    def _full_name(self, i: int) -> int | None:
        sn = self.surname_at(i)
        if not sn:
            return None
        tier = self.lex.surnames[sn]
        k = i + len(sn)
        role = self.left_role(i)
        excluded = self.excluded(i)
        options = []
        for g in (2, 1):
            e = k + g
            if e > self.n or not self.given_ok(self.text[k:e]) or not self.free(i, e):
                continue
            if self.text[k] == sn:  # 谈谈, 看看: a reduplicated verb, not a name
                continue
            right = self.right_kind(e)
            if right:
                options.append((g, e, right))
        word_at_i = self.tokens.flag_at.get(i, (i + 1,))[0]
        if not options and role and not excluded and (tier == 1 or (tier == 2 and word_at_i <= k + 2)):
            # No punctuation or cue after the name ("退休教师田永福连续三年"): trust the role
            # on the left and take the length at which jieba ends a word.
            for g in (2, 1):
                e = k + g
                if (
                    e <= self.n
                    and self.given_ok(self.text[k:e])
                    and self.text[k] != sn
                    and self.free(i, e)
                    and self.tokens.boundary_at(e)
                ):
                    options.append((g, e, "weak"))
                    break
        if not options:
            return None
        # Prefer the length jieba agrees with, then the longer name.
        options.sort(key=lambda o: (not self.tokens.is_nr(i, o[1]), not self.tokens.boundary_at(o[1]), -o[0]))
        g, e, right = options[0]
        nr = self.tokens.is_nr(i, e)
        inside = self.tokens.inside_word(i)
        if self.left_digit(i) and not role:
            return None
        accept = None
        if role and not excluded:
            if tier == 1 or nr or right == "strong":
                accept = "role"
            elif tier == 2 and not inside and word_at_i <= e:
                # a tier-2 surname after a role, unless jieba reads a word starting
                # there ("居民练习" -> 练习)
                accept = "role"
        elif role and excluded and right == "strong":
            accept = "role+strong"
        elif len(sn) == 2 and right == "strong" and not excluded and not inside:
            accept = "compound+verb"  # 欧阳, 诸葛 ... are distinctive enough
        elif tier == 1 and not excluded and not inside and not self.tokens.is_plain_word(i, e):
            left = self.left_boundary(i)
            if right == "strong" and (left or nr):
                accept = "verb"
            elif (
                g == 2
                and self.starts_with_any(e, self.lex.title_after)
                and not self.tokens.is_common_word(k, e)
                and self.tokens.boundary_at(e)
            ):
                # a full three-character name right before a title: "社工站汤永康站长"
                accept = "title"
            elif nr and left and right:
                accept = "nr"
        if not accept:
            return None
        self.mark(i, e, accept, True)
        return e

    def add_enumerations(self) -> None:
        """A name-shaped item joined to an accepted name by 、/和/与/及 is a name too."""
        changed = True
        while changed:
            changed = False
            for f in sorted(self.found, key=lambda f: f.start):
                if not f.full:
                    continue
                e = f.end
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
                        if (
                            end <= self.n
                            and self.name_shape(cand, structural=closed)
                            and self.free(s, end)
                            and (self.right_kind(end) or self.tokens.boundary_at(end))
                        ):
                            self.mark(s, end, "enumeration", True)
                            changed = True
                            break
                b = f.start - 1
                if b > 0 and self.text[b] in "、和与及":
                    for length in (3, 2, 4):
                        s = b - length
                        cand = self.text[s:b]
                        if (
                            s >= 0
                            and self.name_shape(cand)
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
        self.add_credits()
        # Names from the document's structure claim their other mentions before the
        # context pass can cut them differently ("调整石磊任项目经理").
        self.add_known(self._recurring())
        self.add_context()
        self.add_enumerations()
        self.add_known(self._recurring())
        return sorted(self.found, key=lambda f: f.start)

    def _recurring(self) -> set[str]:
        """Full names and 老X/小X forms found so far; they recur without their cue."""
        return {
            self.text[f.start : f.end]
            for f in self.found
            if (f.full or "nickname" in f.how) and f.end - f.start >= 2
        }


def find_persons(
    text: str, taken: list[bool], known: tuple[str, ...] = (), *, engine: str = "jieba"
) -> list[_Found]:
    """Person spans in ``text``, skipping positions already ``taken`` (updated in place)."""
    return _PersonFinder(text, taken, known, engine).run()
