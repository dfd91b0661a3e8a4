"""read_qdpx: codings of REFI-QDA projects (reviewed in NVivo, ATLAS.ti, MAXQDA) read back."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

import civictools as ct
from civictools.coding import ThemeCoder, export_qdpx, read_qdpx
from civictools.errors import CodebookError, DataDroppedWarning

DOCS = pd.DataFrame({"doc_id": ["d1", "d2"],
                     "text": ["社区组织志愿者探访独居老人。\n\n物业公司清理楼道。", "今天天气很好。"]})


@pytest.fixture(scope="module")
def coded():
    return ThemeCoder().code(DOCS, unit="paragraph", progress=False)


@pytest.mark.parametrize("selection", ["unit", "hit"])
def test_round_trip_of_an_export(tmp_path, coded, selection):
    p = export_qdpx(coded, tmp_path / "p.qdpx", selection=selection)
    proj = read_qdpx(p)
    assert proj.coders == ["civictools"] and proj.n_skipped == 0
    assert dict(proj.sources) == {"d1": DOCS.text[0], "d2": DOCS.text[1]}
    for src, s, e, text in zip(proj.codings["source"], proj.codings["start"], proj.codings["end"],
                               proj.codings["text"]):
        assert proj.sources[src][s:e] == text
    u = proj.unit_codes(coded)
    m = coded.matrix()
    expected = {uid: frozenset(t for t in m.columns if m.loc[uid, t]) for uid in m.index}
    assert dict(zip(u["unit_id"], u["civictools"])) == expected
    res = ct.evaluate_coding(coded, u, gold_col="civictools", n_boot=0)
    assert res.micro_f1 == 1.0 and res.n_units == 3


def _project(tmp_path, text_d1: str) -> "Path":  # noqa: F821
    # written by hand the way other programs do it: another namespace spelling, braced
    # upper-case GUIDs, the text inline, a PDF source, and three codings that cannot be used
    g = {k: "{%s}" % f"{i:08X}-0000-4000-8000-000000000000" for i, k in enumerate(
        ["u1", "u2", "c1", "c2", "c3", "s1", "s2", "s3", "s4", "s5", "t1", "t9", "pdf", "x1", "x2", "x3", "x4",
         "x5", "x6", "x7", "ghost"], start=1)}
    ns = "urn:QDA-XML:project:1:0"

    def coding(key, user, code):
        return (f'<Coding guid="{g[key]}" creatingUser="{g[user]}"><CodeRef targetGUID="{g[code]}"/>'
                "</Coding>")

    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{ns}" name="review">
 <Users><User guid="{g['u1']}" name="张老师"/><User guid="{g['u2']}" name="李老师"/></Users>
 <CodeBook><Codes>
  <Code guid="{g['c1']}" name="志愿服务" isCodable="true"/>
  <Code guid="{g['c2']}" name="人居环境与公共空间" isCodable="true"/>
  <Code guid="{g['c3']}" name="my_own" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{g['t1']}" name="d1"><PlainTextContent>{text_d1}</PlainTextContent>
   <PlainTextSelection guid="{g['s1']}" startPosition="4" endPosition="7">
    {coding('x1', 'u1', 'c1')}{coding('x2', 'u2', 'c1')}</PlainTextSelection>
   <PlainTextSelection guid="{g['s2']}" startPosition="16" endPosition="20">{coding('x3', 'u1', 'c2')}
   </PlainTextSelection>
   <PlainTextSelection guid="{g['s3']}" startPosition="0" endPosition="999">{coding('x4', 'u2', 'c1')}
   </PlainTextSelection>
   <PlainTextSelection guid="{g['s4']}" startPosition="5" endPosition="8">{coding('x5', 'u2', 'ghost')}
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="{g['t9']}" name="d9"><PlainTextContent>别的文件。</PlainTextContent>
   <PlainTextSelection guid="{g['s5']}" startPosition="0" endPosition="2">{coding('x6', 'u1', 'c3')}
   </PlainTextSelection>
  </TextSource>
  <PDFSource guid="{g['pdf']}" name="scan.pdf" path="relative://scan.pdf">
   <PDFSelection guid="{g['x7']}" page="1" firstX="0" firstY="0" secondX="1" secondY="1">
    {coding('x7', 'u1', 'c1').replace(g['x7'], g['ghost'])}</PDFSelection>
  </PDFSource>
 </Sources>
</Project>"""
    p = tmp_path / "review.qdpx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
    return p


def test_a_project_from_another_program(tmp_path, coded):
    p = _project(tmp_path, DOCS.text[0])
    with pytest.warns(DataDroppedWarning) as rec:
        proj = read_qdpx(p, codebook="default")
    msgs = " ".join(str(w.message) for w in rec)
    assert "1 coding(s) on picture, PDF, audio or video sources" in msgs
    assert "1 coding(s) referring to no code" in msgs and "1 coding(s) with positions outside" in msgs
    assert proj.n_skipped == 3 and proj.coders == ["张老师", "李老师"]
    c = proj.codings
    assert c[["source", "start", "end", "theme", "coder", "text"]].values.tolist() == [
        ["d1", 4, 7, "volunteering", "张老师", "志愿者"],
        ["d1", 4, 7, "volunteering", "李老师", "志愿者"],
        ["d1", 16, 20, "living_environment", "张老师", "物业公司"],
        ["d9", 0, 2, "my_own", "张老师", "别的"],
    ]
    with pytest.warns(DataDroppedWarning, match="1 coding.*not among the documents.*'d9'"):
        u = proj.unit_codes(coded)
    assert u.to_dict("list") == {
        "unit_id": ["d1#p1", "d1#p2"], "doc_id": ["d1", "d1"],
        "张老师": [frozenset({"volunteering"}), frozenset({"living_environment"})],
        "李老师": [frozenset({"volunteering"}), frozenset()],
    }
    # the automatic coding against each reviewer, unit by unit
    ev = ct.evaluate_coding(coded, u, gold_col="李老师", n_boot=0)
    t = ev.table.set_index("theme")
    assert t.loc["micro", ["tp", "fp", "fn"]].tolist() == [1, 2, 0]
    # and the two reviewers against each other, over the themes either used (volunteering,
    # living_environment): 3 of the 4 unit x theme decisions agree
    ag = ct.agreement(u, coders=["张老师", "李老师"], unit_col="unit_id", n_boot=0)
    overall = ag.tidy().query("theme == 'overall' and statistic == 'percent_agreement'")["estimate"].item()
    assert overall == pytest.approx(3 / 4)


def test_code_ids_without_a_codebook(tmp_path):
    with pytest.warns(DataDroppedWarning):
        proj = read_qdpx(_project(tmp_path, DOCS.text[0]))
    # non-ASCII names get the id read_qdc gives them (code_<guid prefix>), ASCII names a slug
    assert sorted(set(proj.codings["theme"])) == ["code_00000003", "code_00000004", "my_own"]
    assert set(proj.codings["code"]) == {"志愿服务", "人居环境与公共空间", "my_own"}
    assert proj.codebook.theme_ids == ["code_00000003", "code_00000004", "my_own"]


def test_changed_text_is_not_mapped(tmp_path, coded):
    with pytest.warns(DataDroppedWarning):
        proj = read_qdpx(_project(tmp_path, DOCS.text[0].replace("物业", "物管")), codebook="default")
    with pytest.warns(DataDroppedWarning, match="4 coding.*1 source.*text differs from the coded document"):
        u = proj.unit_codes(coded)
    assert u.empty and list(u.columns) == ["unit_id", "doc_id", "张老师", "李老师"]


def test_bad_files(tmp_path):
    p = tmp_path / "x.qdpx"
    p.write_bytes(b"not a zip")
    with pytest.raises(CodebookError, match="x.qdpx.*zip"):
        read_qdpx(p)
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(CodebookError, match="no project.qde"):
        read_qdpx(p)
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"><Sources><TextSource guid="a" '
                                   'name="d" plainTextPath="internal://missing.txt"/></Sources></Project>')
    with pytest.raises(CodebookError, match="missing.txt"):
        read_qdpx(p)
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>'
                                   '<Code guid="not-a-guid" name="x"/></Codes></CodeBook></Project>')
    with pytest.raises(CodebookError, match=r"x\.qdpx: project\.qde: code 'x' has an invalid guid"):
        read_qdpx(p)
