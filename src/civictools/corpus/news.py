"""Parse scraped news snapshots into an article and the site furniture around it.

A snapshot holds, in order: navigation (menus, 首页 > 国内 > 正文), the title,
one or more metadata lines (类别/发布时间/来源/记者…, in many shapes), maybe a
reposting line (本文转自…), the body (with sub-headings), a credit line in
brackets, editor lines, disclaimers (快照/本站/侵权/免责声明/原文地址) and a
list of related items (title or "..." snippet, then a timestamp line) closed by
更多……. :func:`parse_news` keeps the article and lists every removed line in
``boilerplate``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from civictools.corpus._common import find_datetime, halfwidth_digits, parse_datetime
from civictools.corpus._common import text_or_path as _text_or_path

__all__ = ["NewsArticle", "parse_news"]

_WS = " \t\u3000\u00a0\u200b"

_META_KEYS: dict[str, str] = {}
for _field, _keys in {
    "category": "类别 栏目 分类 频道 所属栏目 所属频道",
    "published": "发布时间 发布日期 发表时间 发稿时间 更新时间 上传时间 时间 日期 发表于",
    "reposted_from": "本文转自 转载自 转自",
    "source": "信息来源 新闻来源 稿件来源 来源 稿源 出处",
    "reporters": "本报记者 融媒体记者 记者 作者 撰稿",
    "correspondents": "通讯员",
    "editors": "责任编辑 值班编辑 编辑 主编",
    "ignore": "来自 浏览次数 阅读次数 点击次数 浏览量 阅读量 浏览 阅读 点击 字号 字体 审核 校对 监制 摄影 分享到 分享",
}.items():
    for _k in _keys.split():
        _META_KEYS[_k] = _field
_KEY_ALT = "|".join(sorted(_META_KEYS, key=len, reverse=True))
# Keys with a colon (来源：), in brackets (【来源】), or credits followed by a
# space, which may come straight after the outlet (澜江日报记者 林晓舟).
_META_KEY_RE = re.compile(
    rf"(?:^|(?<=[\s|丨/｜]))(?:[【\[](?P<bk>{_KEY_ALT})[】\]]\s*[:：]?|(?P<k>{_KEY_ALT})\s*[:：])\s*"
    r"|(?P<ck>(?:本报|融媒体|见习)?记者|(?<![\u4e00-\u9fff])通讯员|(?<![\u4e00-\u9fff])作者|(?<![\u4e00-\u9fff])发表于)"
    r"[ \t\u3000]+(?=\S)"
)
_CK_FIELD = {"记者": "reporters", "本报记者": "reporters", "融媒体记者": "reporters", "见习记者": "reporters",
             "通讯员": "correspondents", "作者": "reporters", "发表于": "published"}
_OUTLET = re.compile(r"(?:报|网|媒|发布|民政|APP|客户端|电视台|资讯|新闻|杂志|频道|公众号|社|中心|局|街道|社区)$")
_LEAD_IGNORE = re.compile(r"^(?:原创|第[A-Z]?\d{1,3}版|转帖|\[转帖\]|楼主|只看该作者|举报)$|^(?:发表于|来自).{0,10}$")
_VALUE_CUT = re.compile(r"[ \t\u3000]{2,}|【|\||丨|｜")
# 文/图/摄 are credits only with a separator (文/张三), since they also occur
# inside names.
_CREDIT_KEYS = re.compile(
    r"(?P<k>本报记者|融媒体记者|见习记者|记者|通讯员|实习生|责任编辑|编辑)"
    r"\s*(?:[:：/]\s*|\s+|(?=[\u4e00-\u9fff]))"
    r"|(?:^|(?<=[\s(（]))(?P<k2>文/图|文图|文|图|摄影|摄)\s*[:：/]\s*"
)
_PLAIN_CREDIT = re.compile(r"^(?:本报记者|融媒体记者|记者|通讯员|文/图|文图|文|图|摄影)\s*[:：/ ]")
_CREDIT_FIELD = {"本报记者": "reporters", "融媒体记者": "reporters", "见习记者": "reporters",
                 "记者": "reporters", "文": "reporters", "文/图": "reporters", "文图": "reporters",
                 "通讯员": "correspondents", "责任编辑": "editors", "编辑": "editors"}
_BRACKET_CREDIT = re.compile(r"^[（(【\[]\s*(?P<c>(?:本报|融媒体|见习)?(?:记者|通讯员|文|编辑)[^）)】\]]*)[）)】\]]$")
_LEAD_CREDIT = re.compile(r"^[^（(]{0,20}讯\s*[（(](?P<c>[^）)]*(?:记者|通讯员)[^）)]*)[）)]")
_REPOST = re.compile(
    r"^[（(【\[]?\s*(?:本文|本稿|文章)?(?:来源[:：]\s*)?(?:转自|转载自|转载于|转载)\s*[:：]?\s*(?P<v>[^）)】\]]+?)"
    r"[）)】\]]?[。.]?$"
)
_BOILER = re.compile(
    r"快照|本站|本网(?:站)?(?:声明|郑重)|如有侵权|侵权请联系|免责声明|原文地址|原文链接|版权所有|版权声明|"
    r"Copyright|©|ICP备|网站地图|联系我们|转载请注明|未经授权|扫一扫|扫码|分享到|打印本页|关闭窗口|"
    r"返回顶部|上一篇|下一篇|【字体|字号[:：]|点击查看|责任编辑[:：]|我要纠错|微信公众号二维码|"
    r"不代表本站|仅供参考|以上内容|举报/反馈|^阅读\s*\d|在看\s*\d|本帖最后由|^【(?:打印|关闭)|主办[:：]|承办[:：]|"
    r"技术支持[:：]|网站标识码|备案号|^(?:返回|打开|分享|收藏|点赞)$",
    re.I,
)
_MORE = re.compile(r"^(?:查看)?更多\s*(?:……|…|\.{2,}|>>|》|＞＞|>|＞|相关)?.{0,6}$")
_RELATED_HEAD = re.compile(
    r"^[【\[]?(?:相关新闻|相关阅读|相关文章|相关推荐|相关链接|相关报道|延伸阅读|推荐阅读|热点推荐|热门推荐|猜你喜欢|"
    r"热门文章|最新文章|新闻推荐)[】\]]?\s*[:：]?$"
)
_TIMESTAMP = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$|^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}(?::\d{2})?$"
)
_BREADCRUMB = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|位置)\s*[:：]|^(?:首页|主页|网站首页)\s*[>＞»›→/]")
_CRUMB_SPLIT = re.compile(r"\s*[>＞»›→]\s*|\s+/\s+")
_MENU_WORDS = {
    "首页", "主页", "国内", "国际", "社会", "财经", "体育", "娱乐", "科技", "教育", "本地", "要闻", "社区",
    "政务", "民生", "视频", "图片", "评论", "专题", "登录", "注册", "退出", "搜索", "我的订阅", "订阅",
    "客户端", "APP下载", "下载APP", "打开", "打开APP", "设为首页", "收藏本站", "加入收藏", "English", "无障碍", "返回",
    "网站首页", "新闻中心", "通知公告", "政策文件", "工作动态", "正文",
}
_SUBTITLE = re.compile(r"^(?:——|—|--)\s*\S")
_TITLE_TAG = re.compile(r"^(?:\[(?:转帖|转载|原创)\]|【(?:转帖|转载|原创)】)\s*")
_BULLET = re.compile(r"^[•·▪►◆◇■□●○※|｜>＞]+\s*")


@dataclass(eq=False)
class NewsArticle:
    """A parsed news snapshot; see :func:`parse_news`.

    Attributes
    ----------
    title : str or None
    published : datetime.datetime or None
    category, source, reposted_from : str or None
    reporters, correspondents, editors : list of str
    paragraphs : list of str
        The article body only, sub-headings included.
    body : str
        The paragraphs joined by newlines.
    related : list of dict
        Related items after the article: ``text``, ``timestamp`` (datetime or
        None), ``snippet`` (True when the item was a "..." snippet).
    boilerplate : list of str
        Every removed line (navigation, metadata, credits, disclaimers, …).
    text : str
        The text that was parsed.
    """

    title: str | None
    published: datetime | None
    category: str | None
    source: str | None
    reposted_from: str | None
    reporters: list[str]
    correspondents: list[str]
    editors: list[str]
    paragraphs: list[str]
    related: list[dict[str, Any]]
    boilerplate: list[str]
    text: str = field(default="", repr=False)

    @property
    def body(self) -> str:
        """The paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """Plain Python data with every field, ``body`` included.

        >>> parse_news("社区义诊\\n发布时间：2023-03-05\\n居民排队问诊。").to_dict()["body"]
        '居民排队问诊。'
        """
        return {
            "title": self.title,
            "published": self.published,
            "category": self.category,
            "source": self.source,
            "reposted_from": self.reposted_from,
            "reporters": list(self.reporters),
            "correspondents": list(self.correspondents),
            "editors": list(self.editors),
            "paragraphs": list(self.paragraphs),
            "body": self.body,
            "related": [dict(r) for r in self.related],
            "boilerplate": list(self.boilerplate),
        }

    def tidy(self) -> pd.DataFrame:
        """One row with the article's fields (lists kept as Python lists).

        >>> parse_news("标题\\n来源：青禾日报\\n正文。").tidy()[["title", "source", "n_paragraphs"]]
          title source  n_paragraphs
        0    标题   青禾日报             1
        """
        row = self.to_dict()
        row["n_paragraphs"] = len(self.paragraphs)
        row["n_related"] = len(self.related)
        row["n_boilerplate"] = len(self.boilerplate)
        row.pop("related")
        row.pop("boilerplate")
        return pd.DataFrame([row])

    def summary(self) -> str:
        """A deterministic plain-text overview.

        >>> print(parse_news("标题\\n正文。").summary())
        News: 标题
          published: -   source: -   category: -
          paragraphs: 1   related: 0   boilerplate lines: 0
        """
        when = self.published.isoformat(sep=" ", timespec="minutes") if self.published else "-"
        return (
            f"News: {self.title or '(untitled)'}\n"
            f"  published: {when}   source: {self.source or '-'}   category: {self.category or '-'}\n"
            f"  paragraphs: {len(self.paragraphs)}   related: {len(self.related)}"
            f"   boilerplate lines: {len(self.boilerplate)}"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        when = self.published.isoformat(sep=" ", timespec="minutes") if self.published else "–"
        facts = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(v)}</td></tr>"
            for k, v in [
                ("published 发布时间", when),
                ("source 来源", self.source or "–"),
                ("category 类别", self.category or "–"),
                ("reposted from 转自", self.reposted_from or "–"),
                ("reporters 记者", "、".join(self.reporters) or "–"),
                ("correspondents 通讯员", "、".join(self.correspondents) or "–"),
                ("editors 编辑", "、".join(self.editors) or "–"),
            ]
        )
        paras = "".join(f"<p>{esc(p)}</p>" for p in self.paragraphs)
        related = "".join(
            f"<li>{esc(r['text'])} <small>{esc(str(r['timestamp'] or ''))}</small></li>"
            for r in self.related
        )
        return (
            f"<div class='civictools-news'><h4>{esc(self.title or '(untitled)')}</h4>"
            f"<table>{facts}</table>{paras}"
            + (f"<h5>Related 相关</h5><ul>{related}</ul>" if related else "")
            + f"<p><small>{len(self.boilerplate)} boilerplate line(s) removed</small></p></div>"
        )


# ==========================================================================
def parse_news(text_or_path: str | Path) -> NewsArticle:
    """Parse a scraped news snapshot (text or HTML) into a :class:`NewsArticle`.

    Parameters
    ----------
    text_or_path : str or pathlib.Path
        The snapshot text or HTML, or a path to a document.

    Returns
    -------
    NewsArticle

    Examples
    --------
    >>> a = parse_news(
    ...     "• 我的订阅\\n首页 > 社区 > 正文\\n"
    ...     "纺机社区开展义诊活动\\n"
    ...     "类别:社区 发布时间:2023-02-23 12:37:00 来源:青禾网\\n"
    ...     "2月23日，纺机社区联合区医院开展义诊。\\n"
    ...     "（记者 李明 通讯员 王芳 赵磊）\\n"
    ...     "...社区食堂开业 老人就餐更方便\\n2023-02-20 09:00\\n更多……\\n"
    ... )
    >>> a.title, a.published, a.category, a.source
    ('纺机社区开展义诊活动', datetime.datetime(2023, 2, 23, 12, 37), '社区', '青禾网')
    >>> a.reporters, a.correspondents, a.paragraphs
    (['李明'], ['王芳', '赵磊'], ['2月23日，纺机社区联合区医院开展义诊。'])
    >>> a.related[0]["text"], a.related[0]["snippet"]
    ('社区食堂开业 老人就餐更方便', True)
    """
    text, _path = _text_or_path(text_or_path)
    if _looks_like_html(text):
        from civictools.corpus.read import html_to_text

        text = html_to_text(text)
    lines = [ln.strip(_WS) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    st = _NewsState()
    lo, hi = 0, len(lines)
    hi = _parse_tail(lines, lo, hi, st)
    lo = _parse_head(lines, lo, hi, st)
    paragraphs: list[str] = list(st.lead)
    for k in range(lo, hi):
        line = lines[k]
        if _is_boiler(line) or _MORE.match(line) or _RELATED_HEAD.match(line):
            st.boilerplate.append((k, line))
            continue
        rep = _REPOST.match(line)
        if rep:
            st.reposted_from = st.reposted_from or _clean(rep.group("v"))
            st.boilerplate.append((k, line))
            continue
        if len(paragraphs) <= len(st.lead):
            lead = _LEAD_CREDIT.match(line)
            if lead:
                _credits(lead.group("c"), st)
        paragraphs.append(line)
    published = st.published
    related = []
    for text_line, stamp in st.related:
        snippet = bool(re.match(r"^(?:\.{2,}|…+|。。。)", text_line))
        clean = re.sub(r"^(?:\.{2,}|…+|。。。)\s*", "", text_line)
        clean = _BULLET.sub("", clean).strip()
        related.append({"text": clean, "timestamp": _stamp(stamp, published), "snippet": snippet})
    return NewsArticle(
        title=st.title,
        published=published,
        category=st.category,
        source=st.source or st.outlet,
        reposted_from=st.reposted_from,
        reporters=_dedupe(st.reporters),
        correspondents=_dedupe(st.correspondents),
        editors=_dedupe(st.editors),
        paragraphs=paragraphs,
        related=related,
        boilerplate=[line for _k, line in sorted(st.boilerplate)],
        text=text,
    )


@dataclass
class _NewsState:
    title: str | None = None
    published: datetime | None = None
    category: str | None = None
    source: str | None = None
    reposted_from: str | None = None
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    related: list[tuple[str, str]] = field(default_factory=list)
    boilerplate: list[tuple[int, str]] = field(default_factory=list)
    outlet: str | None = None
    lead: list[str] = field(default_factory=list)


def _looks_like_html(text: str) -> bool:
    head = text[:3000].lower()
    return bool(re.search(r"<(?:!doctype html|html|body|p|div|h1|h2|article|br)\b", head))


def _clean(value: str) -> str:
    return value.strip(_WS + "|丨｜,，;；。:：【】[]").strip()


def _dedupe(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def _is_boiler(line: str) -> bool:
    # Long lines that merely mention 本站 are body text.
    return len(line) <= 200 and _BOILER.search(line) is not None


def _is_timestamp(line: str) -> bool:
    return bool(_TIMESTAMP.match(halfwidth_digits(line).strip()))


def _stamp(value: str, published: datetime | None) -> datetime | None:
    norm = halfwidth_digits(value).strip()
    found = parse_datetime(norm)
    if found:
        return found
    m = re.match(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:\s+(\d{1,2}):(\d{2}))?", norm)
    if m and published is not None:
        try:
            return datetime(published.year, int(m.group(1)), int(m.group(2)),
                            int(m.group(3) or 0), int(m.group(4) or 0))
        except ValueError:
            return None
    return None


def _names(value: str) -> list[str]:
    out = []
    for token in re.split(r"[\s、，,/；;|丨]+", value):
        token = token.strip(_WS + "()（）【】[]:：.。")
        token = re.sub(r"(?:报道|摄|供图|整理)$", "", token)
        if token and token not in ("本报", "本台", "融媒体", "等"):
            out.append(token)
    return out


def _credits(value: str, st: _NewsState) -> bool:
    """Parse ``记者 张三 李四 通讯员 王五`` style credits; return True if any found."""
    matches = list(_CREDIT_KEYS.finditer(value))
    found = False
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(value)
        fieldname = _CREDIT_FIELD.get(m.group("k") or m.group("k2"))
        if fieldname is None:
            continue
        names = _names(value[m.end():end])
        getattr(st, fieldname).extend(names)
        found = found or bool(names)
    return found


def _meta_fields(line: str) -> list[tuple[str, str]] | None:
    """Split a metadata line into (field, value); None if it is not one.

    Handles ``类别:国内 发布时间:… 来源:…``, ``【来源】…``, bylines
    (``澜江日报记者 林晓舟 通讯员 柯雯``) and datelines (``青禾融媒　2021年12月20日
    记者 葛蔚然``): a bare date counts as ``published`` and a leading outlet
    name as ``outlet`` (used when no 来源 is given).
    """
    if len(line) > 160 or re.search(r"[。！？；]", line):
        return None
    norm = halfwidth_digits(line)
    matches = list(_META_KEY_RE.finditer(norm))
    lead = norm[: matches[0].start()] if matches else norm
    out: list[tuple[str, str]] = []
    tokens = [t for t in re.split(r"[\s|丨｜]+", lead.strip()) if t]
    has_date = False
    dated = any(find_datetime(t) for t in tokens)
    k = 0
    while k < len(tokens):
        token = tokens[k]
        found = find_datetime(token)
        if found and not token[found[2]:].strip():
            # A date, maybe followed by a clock time token (2021/12/28 16:05).
            value = token
            if k + 1 < len(tokens) and re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", tokens[k + 1]):
                value += " " + tokens[k + 1]
                k += 1
            out.append(("published", value))
            has_date = True
        elif _LEAD_IGNORE.match(token):
            pass
        elif re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", token):
            pass
        elif len(token) <= 12 and not re.search(r"[，,：:、“”\"]", token) and (_OUTLET.search(token) or matches or dated):
            out.append(("outlet", token))
        else:
            return None
        k += 1
    if not matches and not has_date:
        return None
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = line[m.end():end]
        if m.group("ck"):
            name = _CK_FIELD[m.group("ck")]
        else:
            name = _META_KEYS[m.group("bk") or m.group("k")]
            if name not in ("reporters", "correspondents", "editors"):
                value = _VALUE_CUT.split(value.strip(_WS), maxsplit=1)[0]
        out.append((name, value))
    return out


def _apply_meta(fields: list[tuple[str, str]], st: _NewsState) -> None:
    for name, value in fields:
        value = _clean(value)
        if not value:
            continue
        if name == "published":
            st.published = st.published or parse_datetime(value)
        elif name == "outlet":
            st.outlet = st.outlet or value
        elif name == "reposted_from":
            st.reposted_from = st.reposted_from or value
        elif name == "category":
            st.category = st.category or value
        elif name == "source":
            rep = re.match(r"^(?:转自|转载自|转载于)\s*[:：]?\s*(.+)$", value)
            if rep:
                st.reposted_from = st.reposted_from or _clean(rep.group(1))
            else:
                st.source = st.source or value
        elif name in ("reporters", "correspondents", "editors"):
            getattr(st, name).extend(_names(value))


def _is_nav(line: str) -> bool:
    if _BULLET.match(line) and len(_BULLET.sub("", line)) <= 12:
        return True
    if _BREADCRUMB.match(line) or len(_CRUMB_SPLIT.findall(line)) >= 2:
        return True
    tokens = [t for t in re.split(r"[\s|丨｜]+", line) if t]
    if tokens and all(t in _MENU_WORDS for t in tokens):
        return True
    return len(tokens) >= 3 and all(len(t) <= 6 for t in tokens) and not re.search(r"[，。！？：]", line)


def _crumb_category(line: str) -> str | None:
    body = re.sub(r"^(?:当前位置|您的位置|你的位置|您现在的位置|位置)\s*[:：]\s*", "", _BULLET.sub("", line))
    crumbs = [c.strip() for c in _CRUMB_SPLIT.split(body) if c.strip()]
    crumbs = [c for c in crumbs if c not in ("首页", "主页", "网站首页", "正文", "详情", "内容")]
    return crumbs[-1] if crumbs else None


def _parse_head(lines: list[str], lo: int, hi: int, st: _NewsState) -> int:
    """Find navigation, title and metadata; return the first body line."""
    window = range(lo, min(hi, lo + 20))
    meta_idx = next((k for k in window if _meta_fields(lines[k])), None)
    if meta_idx is not None:
        title_idx = None
        for k in range(meta_idx - 1, lo - 1, -1):
            if not _is_nav(lines[k]) and not _is_boiler(lines[k]) and not _REPOST.match(lines[k]) \
                    and not _SUBTITLE.match(lines[k]):
                title_idx = k
                break
    else:
        title_idx = next(
            (k for k in window if not _is_nav(lines[k]) and not _is_boiler(lines[k])), None
        )
    start = lo
    if title_idx is not None:
        st.title = _TITLE_TAG.sub("", lines[title_idx]).strip() or lines[title_idx]
        for k in range(lo, title_idx):
            _head_furniture(lines[k], k, st)
        start = title_idx + 1
    # Metadata, reposting and furniture lines directly after the title.
    k = start
    while k < hi:
        line = lines[k]
        fields = _meta_fields(line)
        if fields:
            _apply_meta(fields, st)
        elif _REPOST.match(line):
            st.reposted_from = st.reposted_from or _clean(_REPOST.match(line).group("v"))
        elif _SUBTITLE.match(line) and k < start + 3:
            # ——副标题: part of the article, kept as its first paragraph.
            st.lead.append(line)
            k += 1
            continue
        elif _is_boiler(line) or _is_nav(line) or _BRACKET_CREDIT.match(line):
            if _BRACKET_CREDIT.match(line):
                _credits(_BRACKET_CREDIT.match(line).group("c"), st)
        else:
            break
        st.boilerplate.append((k, line))
        k += 1
    return k


def _head_furniture(line: str, k: int, st: _NewsState) -> None:
    fields = _meta_fields(line)
    if fields:
        _apply_meta(fields, st)
    elif _BREADCRUMB.match(line) or len(_CRUMB_SPLIT.findall(line)) >= 2:
        st.category = st.category or _crumb_category(line)
    elif _REPOST.match(line):
        st.reposted_from = st.reposted_from or _clean(_REPOST.match(line).group("v"))
    st.boilerplate.append((k, line))


def _related_pairs(lines: list[str], lo: int, j: int) -> int:
    """Count (item, timestamp) pairs ending at index j (inclusive)."""
    n = 0
    while j - 1 >= lo and _is_timestamp(lines[j]) and not _is_timestamp(lines[j - 1]) \
            and not _meta_fields(lines[j - 1]) and len(lines[j - 1]) <= 120:
        n += 1
        j -= 2
    return n


def _parse_tail(lines: list[str], lo: int, hi: int, st: _NewsState) -> int:
    """Strip related items, disclaimers, credits and editor lines from the end."""
    j = hi - 1
    while j >= lo:
        line = lines[j]
        if _MORE.match(line):
            st.boilerplate.append((j, line))
            n = _related_pairs(lines, lo, j - 1)
            for _ in range(n):
                st.related.insert(0, (lines[j - 2], lines[j - 1]))
                j -= 2
            j -= 1
            continue
        if _RELATED_HEAD.match(line) or _is_boiler(line):
            if _RELATED_HEAD.match(line) is None and re.search(r"编辑\s*[:：]", line):
                _credits(re.sub(r"^[（(【\[]|[）)】\]]$", "", line), st)
            st.boilerplate.append((j, line))
            j -= 1
            continue
        n = _related_pairs(lines, lo, j)
        if n >= 2 or (n >= 1 and j - 2 * n >= lo and _RELATED_HEAD.match(lines[j - 2 * n])):
            for _ in range(n):
                st.related.insert(0, (lines[j - 1], lines[j]))
                j -= 2
            continue
        bracket = _BRACKET_CREDIT.match(line)
        if bracket and _credits(bracket.group("c"), st):
            st.boilerplate.append((j, line))
            j -= 1
            continue
        if len(line) <= 60 and _PLAIN_CREDIT.match(line) and _credits(line, st):
            st.boilerplate.append((j, line))
            j -= 1
            continue
        inner = line[1:-1] if re.fullmatch(r"[（(【\[].+[）)】\]]", line) else line
        fields = _meta_fields(inner)
        if fields and all(f in ("editors", "reporters", "correspondents", "source", "ignore", "reposted_from")
                          for f, _ in fields):
            _apply_meta(fields, st)
            st.boilerplate.append((j, line))
            j -= 1
            continue
        rep = _REPOST.match(line)
        if rep:
            st.reposted_from = st.reposted_from or _clean(rep.group("v"))
            st.boilerplate.append((j, line))
            j -= 1
            continue
        break
    return j + 1
