"""`civictools segment` on tables, text files and folders."""

from __future__ import annotations

import pandas as pd
import pytest

from civictools.cli import main


def test_segment_csv_to_parquet(tmp_path, capsys):
    src = tmp_path / "docs.csv"
    pd.DataFrame({"doc_id": ["a", "b"], "text": ["社工站开放。网格员入户！", "居民议事会讨论加装电梯"]}).to_csv(src, index=False)
    out = tmp_path / "tokens.parquet"
    assert main(["segment", str(src), "--out", str(out)]) == 0
    toks = pd.read_parquet(out)
    assert list(toks.columns) == ["doc_id", "sent_id", "token_id", "token", "pos", "start", "end"]
    assert toks[toks.doc_id == "b"]["token"].tolist() == ["居民议事会", "讨论", "加装电梯"]
    assert "tokens from 2 documents" in capsys.readouterr().err


def test_segment_gbk_csv(tmp_path):
    src = tmp_path / "docs.csv"
    src.write_bytes("doc_id,text\nb,居民议事会讨论加装电梯\n".encode("gbk"))
    out = tmp_path / "tokens.parquet"
    assert main(["segment", str(src), "--out", str(out)]) == 0
    assert pd.read_parquet(out)["token"].tolist() == ["居民议事会", "讨论", "加装电梯"]


def test_segment_folder_and_user_dict_to_stdout(tmp_path, capsys):
    folder = tmp_path / "minutes"
    folder.mkdir()
    (folder / "m1.txt").write_text("纺机社区召开居民议事会。", encoding="utf-8")
    (folder / "m2.txt").write_bytes("河湾街道社工站揭牌。".encode("gb18030"))
    ud = tmp_path / "names.txt"
    ud.write_text("纺机社区 ns\n河湾街道 ns\n", encoding="utf-8")
    assert main(["segment", str(folder), "--user-dict", str(ud), "--drop-stopwords"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "doc_id,sent_id,token_id,token,pos,start,end"
    assert "m1.txt,0,0,纺机社区,ns,0,4" in out
    assert "河湾街道" in out and ",。," not in out


def test_segment_jsonl_text_col(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text('{"id": "x1", "body": "五社联动"}\n', encoding="utf-8")
    out = tmp_path / "t.jsonl"
    assert main(["segment", str(src), "--text-col", "body", "--id-col", "id", "--out", str(out)]) == 0
    rows = pd.read_json(out, lines=True)
    assert rows["token"].tolist() == ["五社联动"] and rows["doc_id"].tolist() == ["x1"]


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["segment", "nope.csv"], "no such file"),
        (["segment", "{csv}", "--text-col", "body"], "no column 'body'"),
        (["segment", "{csv}", "--out", "{tmp}/x.xlsx"], ".parquet"),
        (["segment", "{csv}", "--user-dict", "{tmp}/bad.txt"], "line 1"),
    ],
)
def test_segment_errors(tmp_path, capsys, argv, needle):
    csv = tmp_path / "d.csv"
    pd.DataFrame({"doc_id": [1], "text": ["社工站"]}).to_csv(csv, index=False)
    (tmp_path / "bad.txt").write_text("词 12 34 56\n", encoding="utf-8")
    argv = [a.format(csv=csv, tmp=tmp_path) for a in argv]
    assert main(argv) == 1
    assert needle in capsys.readouterr().err
