"""``civictools redact`` on tables and text files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from civictools.cli import main

DOCS = pd.DataFrame(
    {
        "doc_id": ["m1", "m2"],
        "text": ["社区书记张建国说，请居民王秀英拨打13900001234。", "王秀英住3号楼2单元301。"],
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_table_in_table_out(tmp_path, suffix, capsys):
    src = tmp_path / f"docs{suffix}"
    if suffix == ".csv":
        DOCS.to_csv(src, index=False)
    elif suffix == ".jsonl":
        DOCS.to_json(src, orient="records", lines=True, force_ascii=False)
    else:
        DOCS.to_parquet(src, index=False)
    out = tmp_path / f"out{suffix}"
    mapping = tmp_path / "mapping.json"
    assert main(["redact", str(src), "--out", str(out), "--mapping-out", str(mapping)]) == 0
    res = {".csv": pd.read_csv, ".parquet": pd.read_parquet}.get(
        suffix, lambda p: pd.read_json(p, lines=True)
    )(out)
    assert res["text"].tolist() == ["社区书记居民A说，请居民居民B拨打[电话1]。", "居民B住[门牌1]。"]
    assert json.loads(mapping.read_text(encoding="utf-8")) == {
        "张建国": "居民A",
        "王秀英": "居民B",
        "13900001234": "[电话1]",
        "3号楼2单元301": "[门牌1]",
    }
    assert "keep it private" in capsys.readouterr().out


def test_kinds_mapping_in_and_entities(tmp_path):
    src = tmp_path / "docs.csv"
    DOCS.to_csv(src, index=False)
    prior = tmp_path / "prior.json"
    prior.write_text(json.dumps({"13900009999": "[电话1]"}), encoding="utf-8")
    out, ents = tmp_path / "out.csv", tmp_path / "ents.csv"
    rc = main(["redact", str(src), "--out", str(out), "--kinds", "phone", "--mapping-in", str(prior),
               "--entities-out", str(ents), "--quiet"])
    assert rc == 0
    assert pd.read_csv(out)["text"].tolist()[0] == "社区书记张建国说，请居民王秀英拨打[电话2]。"
    e = pd.read_csv(ents)
    assert e[["doc_id", "kind", "start", "end"]].values.tolist() == [["m1", "phone", 17, 28]]


def test_text_files_to_directory(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(DOCS.text[0], encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(DOCS.text[1], encoding="utf-8")
    names = tmp_path / "names.txt"
    names.write_text("# known names\n赵德明\n", encoding="utf-8")
    assert main(["redact", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--names", str(names),
                 "--quiet"]) == 0
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8").startswith("居民B住[门牌1]")


def test_errors_exit_1(tmp_path, capsys):
    assert main(["redact", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")]) == 1
    src = tmp_path / "docs.csv"
    DOCS.to_csv(src, index=False)
    assert main(["redact", str(src), "--out", str(tmp_path / "o.csv"), "--text-col", "body"]) == 1
    assert "no column 'body'" in capsys.readouterr().err
    assert main(["redact", str(src), "--out", str(tmp_path / "o.csv"), "--kinds", "names"]) == 1
    assert "unknown redaction kind" in capsys.readouterr().err
    assert main(["redact", str(src), "--out", str(tmp_path / "outdir")]) == 1
