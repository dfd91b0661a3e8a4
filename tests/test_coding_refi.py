"""REFI-QDA codebooks and projects, quanteda/WordStat YAML and LIWC dictionaries, the CLI."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from civictools.cli import main
from civictools.coding import (ThemeCoder, export_qdpx, load_codebook, read_liwc, read_qdc,
                               read_yaml_dictionary, write_qdc)
from civictools.coding.refi import theme_guid
from civictools.errors import CodebookError

SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "schemas"
needs_schemas = pytest.mark.skipif(not (SCHEMAS / "Codebook.xsd").exists(),
                                   reason="REFI-QDA XSDs not found at ../shared/schemas (outside the repo)")


def _schema(name):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(SCHEMAS / name))


@needs_schemas
@pytest.mark.parametrize("name", ["default", "policy_instruments"])
def test_qdc_validates_against_codebook_xsd(name):
    _schema("Codebook.xsd").validate(io.BytesIO(write_qdc(load_codebook(name))))


def test_qdc_is_byte_stable_and_round_trips(tmp_path):
    cb = load_codebook("policy_instruments")
    a, b = write_qdc(cb), write_qdc(load_codebook("policy_instruments"))
    assert a == b
    assert theme_guid("supply") == str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL,
                                                             "https://civictools.invalid/refi-qda"), "code:supply"))
    p = tmp_path / "pi.qdc"
    write_qdc(cb, p)
    back = load_codebook(p)
    assert back.theme_ids == cb.theme_ids
    for t in cb.theme_ids:
        x, y = cb.themes[t], back.themes[t]
        assert (x.label_zh, x.label_en, x.parent, x.definition, x.color) == \
               (y.label_zh, y.label_en, y.parent, y.definition, y.color)
        assert [u.pattern for u in x.terms] == [u.pattern for u in y.terms]


LENIENT = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="SomeTool">
  <Codes>
    <Code guid="{6F1A9C1E-2B7D-4C55-9E0A-0D1B2C3D4E5F}" name="Participation" isCodable="false" color="#f00">
      <Code guid="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" name="议事协商" isCodable="true">
        <Description>居民议事</Description>
      </Code>
    </Code>
  </Codes>
</CodeBook>
"""


def test_qdc_lenient_reading():
    cb = read_qdc(LENIENT.encode())
    assert cb.theme_ids == ["participation", "code_a1b2c3d4"]
    kid = cb.themes["code_a1b2c3d4"]
    assert kid.parent == "participation" and kid.label_zh == "议事协商" and kid.definition == "居民议事"
    assert cb.themes["participation"].color == "#ff0000"
    with pytest.raises(CodebookError, match="invalid guid"):
        read_qdc(LENIENT.replace("A1B2C3D4-E5F6", "nope").encode())
    with pytest.raises(CodebookError, match="not well-formed"):
        read_qdc(b"<CodeBook")


TEXT = "第一段：网格员入户走访。\r\n第二段😀：社区开展义诊，\n为老年人量血压。\n\n第三段：志愿者服务。"


@pytest.fixture(scope="module")
def coded():
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "text": [TEXT, "物业公司清理楼道。"]})
    return ThemeCoder().code(docs, unit="paragraph", progress=False)


@pytest.mark.parametrize("selection", ["unit", "hit"])
def test_qdpx_validates_and_offsets_are_code_points(tmp_path, coded, selection):
    from xml.etree import ElementTree as ET

    path = export_qdpx(coded, tmp_path / "p.qdpx", selection=selection)
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde")
        if SCHEMAS.exists():
            _schema("Project.xsd").validate(io.BytesIO(qde))
        root = ET.fromstring(qde)
        ns = {"q": "urn:QDA-XML:project:1.0"}
        sels = 0
        for src in root.iterfind(".//q:TextSource", ns):
            arc = src.get("plainTextPath").replace("internal://", "sources/")
            text = zf.read(arc).decode("utf-8")  # stored byte for byte, \r\n kept
            assert text in (TEXT, "物业公司清理楼道。")
            for sel in src.iterfind("q:PlainTextSelection", ns):
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                piece = text[s:e]
                sels += 1
                if selection == "hit":
                    assert piece == sel.find("q:Description", ns).text.split(": ", 1)[1].split(" (")[0]
                else:
                    assert piece in coded.units["text"].tolist()
        assert sels == (len(coded.hits) if selection == "hit" else len(coded.tidy()))
    again = export_qdpx(coded, tmp_path / "q.qdpx", selection=selection)
    assert path.read_bytes() == again.read_bytes()  # byte-stable


def test_qdpx_offsets_after_emoji_and_crlf(coded):
    # 义诊 comes after a non-BMP character and a \r\n: code points, not UTF-16 units or bytes
    h = coded.hits[(coded.hits["doc_id"] == "d1") & (coded.hits["term"] == "义诊")].iloc[0]
    assert h["doc_start"] == TEXT.index("义诊")
    assert TEXT.encode("utf-16-le").index("义诊".encode("utf-16-le")) // 2 != h["doc_start"]


YAML_DICT = """\
elderly:
  - 老年人
  - 养老*
family:
  children: [儿童, 青少年]
  parents: 家长
"""

LIWC = "%\n1\tfamily\n2\t邻里\n3\tplanning\n%\n亲子\t1\n邻居*\t2\n邻里\t2 1\n规*划\t3\n"


def test_yaml_dictionary(tmp_path):
    p = tmp_path / "dict.yml"
    p.write_text(YAML_DICT, encoding="utf-8")
    cb = load_codebook(p)  # detected as a dictionary (no 'codebook'/'themes' keys)
    assert cb.theme_ids == ["elderly", "family", "children", "parents"]
    assert cb.themes["children"].parent == "family"
    assert cb.themes["elderly"].terms[1].pattern == "养老" and cb.themes["elderly"].terms[1].match == "prefix"
    coder = ThemeCoder(cb)
    assert coder.themes("养老院的老年人") == {"elderly"}
    assert read_yaml_dictionary(p).theme_ids == cb.theme_ids


def test_liwc_dictionary(tmp_path):
    p = tmp_path / "mini.dic"
    p.write_text(LIWC, encoding="utf-8")
    cb = load_codebook(p)
    assert cb.theme_ids == ["family", "cat_02", "planning"]
    assert cb.themes["cat_02"].label_zh == "邻里"
    assert [t.pattern for t in cb.themes["family"].terms] == ["亲子", "邻里"]
    assert cb.themes["planning"].terms[0].kind == "regex"
    assert ThemeCoder(cb, match="substring").themes("制定规划") == {"planning"}
    bad = tmp_path / "bad.dic"
    bad.write_text("%\n1\tx\n%\nword\t7\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="line 4"):
        read_liwc(bad)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030", "big5"])
def test_dictionaries_in_any_encoding(tmp_path, encoding):
    # Chinese LIWC dictionaries often come in GBK or Big5 (traditional characters)
    liwc = "%\n1\t家庭\n2\t鄰里\n%\n親子\t1\n鄰居*\t2\n鄰里\t2 1\n"
    p = tmp_path / "zh.dic"
    p.write_bytes(liwc.encode(encoding))
    cb = read_liwc(p)
    assert [t.label_zh for t in cb.themes.values()] == ["家庭", "鄰里"]
    assert [t.pattern for t in cb.themes["cat_02"].terms] == ["鄰居", "鄰里"]
    simp = read_liwc(p, to_simplified=True)
    assert [t.label_zh for t in simp.themes.values()] == ["家庭", "邻里"]
    assert [t.pattern for t in simp.themes["cat_01"].terms] == ["亲子", "邻里"]
    assert ThemeCoder(simp, match="substring").themes("邻居们组织亲子活动") == {"cat_01", "cat_02"}
    y = tmp_path / "zh.yml"
    y.write_bytes("社區:\n  - 議事會\n  - 居委會\n".encode(encoding))
    assert [t.pattern for t in read_yaml_dictionary(y, to_simplified=True).themes_[0].terms] == ["议事会", "居委会"]
    assert load_codebook(y).themes_[0].label_zh == "社區"  # detected as a dictionary, decoded alike


def test_undecodable_dictionary_names_the_file(tmp_path):
    p = tmp_path / "broken.dic"
    p.write_bytes(b"%\n1\tx\n%\n" + bytes(range(128, 256)) * 4)
    with pytest.raises(CodebookError, match="broken.dic"):
        read_liwc(p)
    c = tmp_path / "cb.yml"
    c.write_bytes(b"\xff\xfe\x00\xd8codebook: x")  # a UTF-16 BOM, then a lone surrogate
    with pytest.raises(CodebookError, match="cb.yml"):
        load_codebook(c)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_cli_code_reads_csv_in_chinese_encodings(tmp_path, capsys, encoding):
    # Excel on Chinese Windows saves CSV as GBK; pandas alone would read it as UTF-8 and fail
    src = tmp_path / "docs.csv"
    src.write_bytes("doc_id,text\na,社区开展义诊。\nb,志愿者探访独居老人。\n".encode(encoding))
    rc = main(["code", str(src), "--codebook", "default", "--unit", "document", "--out-hits",
               str(tmp_path / "h.csv"), "--quiet"])
    assert rc == 0
    hits = pd.read_csv(tmp_path / "h.csv", encoding="utf-8-sig")
    by_doc = hits.groupby("doc_id")["theme"].agg(set).to_dict()
    assert by_doc == {"a": {"convenience_services"}, "b": {"volunteering", "elderly_care"}}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"doc_id,text\n" + bytes(range(128, 256)) * 8)
    assert main(["code", str(bad), "--out-hits", str(tmp_path / "x.csv"), "--quiet"]) == 1
    assert "bad.csv" in capsys.readouterr().err


def test_cli_code_and_agreement(tmp_path, capsys):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "community": ["纺机社区", "粮站社区"],
                         "text": ["网格员入户排查安全隐患。\n\n社区开展义诊。", "志愿者探访独居老人。"]})
    src = tmp_path / "docs.csv"
    docs.to_csv(src, index=False)
    rc = main(["code", str(src), "--codebook", "default", "--unit", "paragraph", "--out-hits",
               str(tmp_path / "h.csv"), "--out-matrix", str(tmp_path / "m.parquet"), "--quiet"])
    assert rc == 0
    hits = pd.read_csv(tmp_path / "h.csv", encoding="utf-8-sig")
    m = pd.read_parquet(tmp_path / "m.parquet")
    assert {"doc_id", "unit_id", "theme", "term", "rule", "start", "end"} <= set(hits.columns)
    assert len(m) == 3 and m.loc[m["unit_id"] == "b#p1", "volunteering"].item() == 1
    assert main(["code", str(tmp_path / "nope.csv"), "--out-hits", str(tmp_path / "x.csv")]) == 1
    assert "not found" in capsys.readouterr().err
    ag = tmp_path / "ag.csv"
    pd.DataFrame({"unit_id": [1, 2, 3, 4], "a": ["x;y", "", "x", "y"], "b": ["x", "", "x", "y"]}).to_csv(ag, index=False)
    rc = main(["agreement", str(ag), "--coders", "a", "b", "--n-boot", "50", "--out", str(tmp_path / "r.csv")])
    assert rc == 0
    out = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    row = out[(out["theme"] == "y") & (out["statistic"] == "percent_agreement")]
    assert row["estimate"].item() == pytest.approx(0.75)
