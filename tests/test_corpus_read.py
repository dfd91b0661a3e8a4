"""read_text / read_document: encodings, formats and clear errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from civictools.corpus import html_to_text, read_document, read_text
from civictools.errors import CivictoolsError, CorpusError

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
_spec = importlib.util.spec_from_file_location("corpus_make_fixtures", FIXTURES / "make_fixtures.py")
mf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mf)


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("utf8.txt", "utf-8"),
        ("utf8_bom.txt", "utf-8-sig"),
        ("utf16le_bom.txt", "utf-16-le"),
        ("utf16be_bom.txt", "utf-16-be"),
        ("gbk.txt", "gbk"),
        ("gb18030.txt", "gb18030"),
        ("big5.txt", "big5"),
        ("crlf_gbk.txt", "gbk"),
    ],
)
def test_committed_encoding_fixtures(name, encoding):
    path = FIXTURES / "encodings" / name
    # The committed bytes are what the generator writes.
    assert path.read_bytes() == mf.encoded_bytes(name)
    doc = read_document(path)
    expected = mf.ENCODINGS[name][0].replace("\r\n", "\n")
    assert doc.text == expected
    assert doc.encoding == encoding
    assert "\r" not in doc.text and "\ufeff" not in doc.text


def test_big5_to_simplified_matches_the_simplified_sample():
    text = read_text(FIXTURES / "encodings" / "big5.txt", to_simplified=True)
    assert text == mf.SAMPLE_SIMPLIFIED


# Short texts are where detectors confuse GBK and Big5.
SHORT = ["居民议事会", "加装电梯意见", "社区书记讲话", "楼道堆物清理通知", "停车难问题"]


@pytest.mark.parametrize("text", SHORT)
def test_short_gbk_text(tmp_path, text):
    p = tmp_path / "s.txt"
    p.write_bytes(text.encode("gbk"))
    assert read_document(p) == (text, "gbk")


@pytest.mark.parametrize("text", SHORT)
def test_short_big5_text(tmp_path, text):
    import opencc

    trad = opencc.OpenCC("s2t").convert(text)
    p = tmp_path / "s.txt"
    p.write_bytes(trad.encode("big5"))
    doc = read_document(p)
    assert doc.text == trad
    assert doc.encoding in ("big5", "cp950", "big5hkscs")


def test_normalize_width_keeps_chinese_punctuation(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("ＡＢＣ　１２３：“好”，（一）…！", encoding="utf-8")
    assert read_text(p, normalize_width=True) == "ABC 123：“好”，（一）…！"
    assert read_text(p) == "ＡＢＣ　１２３：“好”，（一）…！"


def test_utf16_without_bom(tmp_path):
    p = tmp_path / "u.txt"
    p.write_bytes("Minutes of the 2023 meeting\n".encode("utf-16-le"))
    assert read_document(p) == ("Minutes of the 2023 meeting\n", "utf-16-le")


def test_markdown_is_read_as_text(tmp_path):
    p = tmp_path / "n.md"
    p.write_text("# 标题\n\n正文。\n", encoding="utf-8")
    assert read_text(p) == "# 标题\n\n正文。\n"


def test_html_keeps_paragraphs_and_drops_scripts(tmp_path):
    markup = (
        "<html><head><meta charset='gb2312'><title>站点标题</title>"
        "<style>p{color:red}</style></head><body>"
        "<div class='nav'>首页 &gt; 社区动态</div><h1>纺机社区开展义诊</h1>"
        "<p>3月5日上午，纺机社区<b>联合</b>医院开展义诊。</p>"
        "<script>var a = '不应出现';</script><p>居民说：很方便。</p></body></html>"
    )
    p = tmp_path / "a.html"
    p.write_bytes(markup.encode("gbk"))
    doc = read_document(p)
    assert doc.encoding == "gbk"
    assert doc.text.split("\n") == [
        "首页 > 社区动态", "纺机社区开展义诊", "3月5日上午，纺机社区联合医院开展义诊。", "居民说：很方便。"
    ]
    assert "不应出现" not in doc.text and "color" not in doc.text


def test_html_title_used_when_no_heading():
    assert html_to_text("<title>T</title><p>x</p>").split("\n") == ["T", "x"]


def test_docx_paragraphs_and_table_in_order(tmp_path):
    p = mf.make_docx(
        tmp_path / "m.docx",
        ["纺机社区会议纪要"],
        [["时间", "2023年3月5日"], ["地点", "二楼会议室"]],
        ["一、停车", "张强：车太多。"],
    )
    doc = read_document(p)
    assert doc.encoding == "docx"
    assert doc.text.split("\n") == [
        "纺机社区会议纪要", "时间\t2023年3月5日", "地点\t二楼会议室", "一、停车", "张强：车太多。"
    ]


def test_pdf_with_latin_text_layer(tmp_path):
    p = mf.make_pdf(tmp_path / "a.pdf", ["Qinghe District minutes", "Item (1) parking"])
    doc = read_document(p)
    assert doc.encoding == "pdf"
    assert doc.text.split() == "Qinghe District minutes Item (1) parking".split()


def test_pdf_with_chinese_text_layer(tmp_path):
    p = mf.make_pdf(tmp_path / "c.pdf", ["青禾区纺机社区会议纪要", "时间：2023年3月5日"])
    assert read_text(p).strip().split("\n") == ["青禾区纺机社区会议纪要", "时间：2023年3月5日"]


# ----------------------------------------------------------------- bad input
def _raises(path: Path, *words: str) -> str:
    with pytest.raises(CorpusError) as info:
        read_text(path)
    message = str(info.value)
    assert path.name in message
    for word in words:
        assert word in message
    assert isinstance(info.value, CivictoolsError)
    return message


def test_scanned_pdf_raises(tmp_path):
    _raises(mf.make_scanned_pdf(tmp_path / "scan.pdf"), "no text layer", "OCR")


def test_empty_file_raises(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    _raises(p, "empty")


def test_whitespace_only_raises(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b"  \r\n\t\n")
    _raises(p, "no text")


def test_binary_file_raises(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _raises(p, "binary", "PNG")


def test_nul_bytes_raise(tmp_path):
    p = tmp_path / "data.txt"
    p.write_bytes(b"\x01\x02\x00\x00\x93\x00\xfa" * 100)
    _raises(p, "binary")


def test_undecodable_bytes_raise(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("社区".encode("utf-8") + b"\x80\xff\x81\x7f\xfe\xff" * 20)
    _raises(p, "undecodable", "UTF-8")


def test_renamed_text_as_docx_raises(tmp_path):
    p = tmp_path / "minutes.docx"
    p.write_bytes("纺机社区会议纪要".encode("gbk"))
    _raises(p, "not a Word .docx", "rename it to .txt")


def test_damaged_pdf_raises(tmp_path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"just text pretending to be a pdf")
    _raises(p, "not a PDF")


def test_unsupported_type_and_legacy_doc(tmp_path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    _raises(p, "unsupported", ".docx")
    q = tmp_path / "table.csv"
    q.write_text("a,b\n", encoding="utf-8")
    _raises(q, "unsupported")


def test_missing_file_and_folder(tmp_path):
    _raises(tmp_path / "nope.txt", "no such file")
    with pytest.raises(CorpusError, match="load_corpus"):
        read_text(tmp_path)


def test_fifty_megabyte_gbk_file(tmp_path):
    paragraph = "青禾区纺机社区居民议事会讨论加装电梯、停车和垃圾分类等问题，居民代表踊跃发言。\n"
    data = (paragraph * (50_000_000 // len(paragraph.encode("gbk")) + 1)).encode("gbk")
    p = tmp_path / "big.txt"
    p.write_bytes(data)
    doc = read_document(p)
    assert doc.encoding == "gbk"
    assert len(doc.text) == len(data.decode("gbk"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_read_csv_any_encoding(tmp_path, encoding):
    # tables from Excel on Chinese Windows are GBK; from Taiwan or Hong Kong often Big5
    from civictools.corpus.read import _read_csv

    p = tmp_path / "t.csv"
    p.write_bytes("社區,人數\n紡機社區,12\n糧站社區,7\n".encode(encoding))
    df = _read_csv(p)
    assert list(df.columns) == ["社區", "人數"]
    assert df["社區"].tolist() == ["紡機社區", "糧站社區"] and df["人數"].tolist() == [12, 7]


def test_read_csv_undecodable_names_the_file(tmp_path):
    from civictools.corpus.read import _read_csv

    p = tmp_path / "x.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(CorpusError, match="x.csv"):
        _read_csv(p)
    with pytest.raises(CorpusError, match="nope.csv"):
        _read_csv(tmp_path / "nope.csv")
