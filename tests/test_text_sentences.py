"""Sentence and paragraph splitting: one small trap text per rule."""

from __future__ import annotations

import re
import pytest

from civictools import TextError, paragraph_spans, sentence_spans, split_paragraphs, split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("社工站揭牌。居民很高兴！大家满意吗？", ["社工站揭牌。", "居民很高兴！", "大家满意吗？"]),
        ("一是加装电梯；二是停车管理；三是垃圾分类。", ["一是加装电梯；", "二是停车管理；", "三是垃圾分类。"]),
        ("他想了想……还是同意了。", ["他想了想……", "还是同意了。"]),
        ("Is it OK? Yes! Done; next. 好的。", ["Is it OK?", "Yes!", "Done;", "next.", "好的。"]),
        # closing quotes and brackets stay with their sentence
        ("居民说：“加装电梯很方便。”社区回应了。", ["居民说：“加装电梯很方便。”", "社区回应了。"]),
        ("（此项已完成。）下一项。", ["（此项已完成。）", "下一项。"]),
        ("他问：‘行吗？’『可以！』", ["他问：‘行吗？’", "『可以！』"]),
        # runs of end marks are one end
        ("真的吗？！当然。。", ["真的吗？！", "当然。。"]),
        ("什么?!好吧...走吧。", ["什么?!", "好吧...", "走吧。"]),
        # no split inside numbers, URLs, e-mail addresses, book titles
        ("共投入3.5万元，覆盖2.8万人。", ["共投入3.5万元，覆盖2.8万人。"]),
        ("详见www.qinghe.example.cn/notice?id=3。然后报名。", ["详见www.qinghe.example.cn/notice?id=3。", "然后报名。"]),
        ("访问https://a.example.org/x.html. Then go.", ["访问https://a.example.org/x.html.", "Then go."]),
        ("发邮件到shegong.zhan@example.cn。谢谢。", ["发邮件到shegong.zhan@example.cn。", "谢谢。"]),
        ("学习《关于加强社区治理的意见。试行》后讨论。", ["学习《关于加强社区治理的意见。试行》后讨论。"]),
        ("《规则》！很好。", ["《规则》！", "很好。"]),
        ("版本v2.1已上线。", ["版本v2.1已上线。"]),
        # line breaks end sentences (headings), blank lines and spaces vanish
        ("一、工作目标\n推进五社联动。\n\n  二、保障措施  ", ["一、工作目标", "推进五社联动。", "二、保障措施"]),
        ("", []),
        ("   \n  ", []),
        ("没有句号的结尾", ["没有句号的结尾"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_spans_are_offsets():
    text = "  社工站开放。 网格员入户！\n"
    spans = sentence_spans(text)
    assert spans == [(2, 8), (9, 15)]
    assert [text[s:e] for s, e in spans] == ["社工站开放。", "网格员入户！"]


def test_unclosed_book_title_does_not_swallow_document():
    text = "见《规则。\n下一段。后面。"
    assert split_sentences(text) == ["见《规则。", "下一段。", "后面。"]


def test_paragraphs():
    text = "第一段。第二句。\r\n\r\n  第二段\n第三段。"
    assert split_paragraphs(text) == ["第一段。第二句。", "第二段", "第三段。"]
    assert [text[s:e] for s, e in paragraph_spans(text)] == split_paragraphs(text)


def test_non_text_rejected():
    with pytest.raises(TextError):
        sentence_spans(None)
    with pytest.raises(TextError):
        paragraph_spans(3)


def test_paragraph_spans_match_line_by_line_trimming():
    # the one-regex version against the plain definition: every non-blank line,
    # white space (str.isspace, so also \u3000, \x0b, \x1c and friends) trimmed
    import random

    def reference(text):
        out, pos = [], 0
        for line in re.split(r"(\r|\n)", text):
            if line not in ("\r", "\n"):
                lead = len(line) - len(line.lstrip())
                body = line.strip()
                if body:
                    out.append((pos + lead, pos + lead + len(body)))
            pos += len(line)
        return out

    alphabet = ["社", "工", "站", "。", "a", "1", " ", "\u3000", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\r", "\n", "\r\n"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert paragraph_spans(text) == reference(text), repr(text)
