"""``civictools read`` through civictools.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from civictools.cli import main

MINUTES = "纺机社区居民议事会会议纪要\n主持人：王丽\n参会人员：张强、李秀英\n一、停车\n张强：车太多。\n"
NEWS = "纺机社区开展义诊\n发布时间：2023-02-23 来源：青禾网\n2月23日，社区开展义诊。\n（记者 李明 通讯员 王芳）\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "m.txt").write_bytes(MINUTES.encode("gbk"))
    (root / "sub" / "n.txt").write_text(NEWS, encoding="utf-8")
    return root


def test_csv_output(corpus, tmp_path, capsys):
    out = tmp_path / "out" / "docs.csv"
    assert main(["read", str(corpus), "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert df.doc_id.tolist() == ["m.txt", "sub/n.txt"]
    assert df.kind.tolist() == ["minutes", "news"]
    assert json.loads(df.loc[1, "reporters"]) == ["李明"]
    assert json.loads(df.loc[0, "attendees"]) == ["张强", "李秀英"]
    err = capsys.readouterr().err
    assert "read 2 document(s) (minutes 1, news 1); skipped 0" in err


def test_parquet_output_keeps_lists_and_dates(corpus, tmp_path):
    out = tmp_path / "docs.parquet"
    assert main(["read", str(corpus), "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    assert list(df.loc[1, "correspondents"]) == ["王芳"]
    assert df.loc[1, "date"] == pd.Timestamp("2023-02-23")


def test_jsonl_output_without_text(corpus, tmp_path):
    out = tmp_path / "docs.jsonl"
    assert main(["read", str(corpus), "--out", str(out), "--no-text"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == ["m.txt", "sub/n.txt"]
    assert "text" not in rows[0] and rows[0]["chair"] == "王丽"


def test_options_kind_no_recursive_metadata(corpus, tmp_path, capsys):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,community\nm.txt,渡口社区\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["read", str(corpus), "--no-recursive", "--kind", "other", "--metadata", str(meta),
                 "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert df.doc_id.tolist() == ["m.txt"] and df.kind.tolist() == ["other"]
    assert df.community.tolist() == ["渡口社区"]


def test_several_paths_and_summary_to_stdout(corpus, capsys):
    assert main(["read", str(corpus / "m.txt"), str(corpus / "sub" / "n.txt")]) == 0
    out = capsys.readouterr().out
    assert "m.txt" in out and "sub/n.txt" in out and "minutes" in out


def test_skipped_files_reported_and_strict_exit_code(corpus, tmp_path, capsys):
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "o.csv"
    assert main(["read", str(corpus), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "skipped empty.txt: empty file" in err and "warning" in err
    assert len(pd.read_csv(out)) == 2
    assert main(["read", str(corpus), "--out", str(out), "--strict"]) == 3


def test_errors_exit_1(tmp_path, capsys):
    assert main(["read", str(tmp_path / "missing")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    assert main(["read", str(tmp_path), "--out", str(tmp_path / "o.xlsx")]) == 1
    assert "use .csv, .parquet or .jsonl" in capsys.readouterr().err
    assert not (tmp_path / "o.xlsx").exists()


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["read"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["read", "x", "--kind", "memo"])
    assert info.value.code == 2
