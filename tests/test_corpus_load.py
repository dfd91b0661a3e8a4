"""load_corpus: folders, globs, lists, metadata, and every bad-input case of issue 2."""

from __future__ import annotations

import importlib.util
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from civictools.corpus import detect_kind, load_corpus
from civictools.errors import CivictoolsWarning, CorpusError, DataDroppedWarning

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "corpus"
BROKEN = HERE.parent / "corpora" / "broken"
_spec = importlib.util.spec_from_file_location("corpus_make_fixtures_load", FIXTURES / "make_fixtures.py")
mf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mf)

MINUTES = "纺机社区居民议事会会议纪要\n时间：2023年3月5日下午2:30\n主持人：王丽\n参会人员：张强、李秀英\n一、停车\n张强：车太多。\n"
NEWS = "纺机社区开展义诊\n发布时间：2023-02-23 12:37 来源：青禾网\n2月23日，社区开展义诊。\n（记者 李明）\n"
POLICY = "关于印发《青禾区加装电梯实施办法》的通知\n各街道办事处：\n现将办法印发给你们，请遵照执行。\n第一条 为规范加装电梯工作，制定本办法。\n青禾区住建局\n2023年4月1日\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write(tmp_path / "minutes" / "m1.txt", MINUTES, "gbk")
    write(tmp_path / "news" / "n1.txt", NEWS)
    write(tmp_path / "policy" / "p1.md", POLICY, "gb18030")
    return tmp_path


def quiet_load(*args, **kwargs) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(*args, **kwargs)
    return df, caught


def test_folder_columns_and_kinds(corpus):
    df, caught = quiet_load(corpus)
    assert caught == []
    assert df.doc_id.tolist() == ["minutes/m1.txt", "news/n1.txt", "policy/p1.md"]
    assert df.kind.tolist() == ["minutes", "news", "policy"]
    for col in ["doc_id", "kind", "title", "date", "source", "community", "text", "encoding", "path",
                "published", "category", "reporters", "venue", "chair", "recorder", "attendees",
                "n_agenda_items"]:
        assert col in df.columns
    assert str(df["date"].dtype).startswith("datetime64")
    m, n, p = (df.iloc[i] for i in range(3))
    assert m.date == pd.Timestamp("2023-03-05 14:30") and m.chair == "王丽" and m.encoding == "gbk"
    assert m.attendees == ["张强", "李秀英"] and m.n_agenda_items == 1 and m.community == "纺机社区"
    assert n.title == "纺机社区开展义诊" and n.source == "青禾网" and n.reporters == ["李明"]
    assert n.date == pd.Timestamp("2023-02-23 12:37")
    assert p.title == "关于印发《青禾区加装电梯实施办法》的通知" and p.date == pd.Timestamp("2023-04-01")
    assert pd.isna(p.community)
    assert df.attrs["skipped"] == [] and df.attrs["metadata_unmatched"] == []


def test_glob_and_list_sources(corpus):
    by_glob, _ = quiet_load(str(corpus / "**" / "*.txt"))
    assert sorted(by_glob.doc_id) == ["minutes/m1.txt", "news/n1.txt"]
    by_list, _ = quiet_load([corpus / "news" / "n1.txt", corpus / "minutes" / "m1.txt"])
    assert by_list.doc_id.tolist() == ["minutes/m1.txt", "news/n1.txt"]
    single, _ = quiet_load(corpus / "news" / "n1.txt")
    assert single.doc_id.tolist() == ["n1.txt"]


def test_not_recursive(corpus):
    write(corpus / "top.txt", NEWS)
    df, _ = quiet_load(corpus, recursive=False)
    assert df.doc_id.tolist() == ["top.txt"]


def test_forced_kind(corpus):
    df, _ = quiet_load(corpus, kind="other")
    assert set(df.kind) == {"other"}
    with pytest.raises(CorpusError, match="kind must be"):
        load_corpus(corpus, kind="memo")


def test_equal_file_names_in_subfolders_get_distinct_ids(tmp_path):
    write(tmp_path / "a" / "纪要.txt", MINUTES)
    write(tmp_path / "b" / "纪要.txt", MINUTES.replace("王丽", "赵敏"))
    df, _ = quiet_load(tmp_path)
    assert df.doc_id.tolist() == ["a/纪要.txt", "b/纪要.txt"]
    assert df.chair.tolist() == ["王丽", "赵敏"]
    assert df.doc_id.is_unique


def test_mixed_encodings_in_one_folder(tmp_path):
    for name, (text, enc) in {
        "u8.txt": (MINUTES, "utf-8"),
        "bom.txt": ("\ufeff" + MINUTES, "utf-8"),
        "u16.txt": ("\ufeff" + MINUTES, "utf-16-le"),
        "gbk.txt": (MINUTES, "gbk"),
        "gb18030.txt": (MINUTES + "𠀀\n", "gb18030"),
    }.items():
        write(tmp_path / name, text, enc)
    write(tmp_path / "big5.txt", "紡機社區居民議事會會議紀要\n時間：2023年3月5日\n主持人：王麗\n", "big5")
    df, caught = quiet_load(tmp_path)
    assert caught == []
    got = dict(zip(df.doc_id, df.encoding))
    assert got == {"big5.txt": "big5", "bom.txt": "utf-8-sig", "gb18030.txt": "gb18030", "gbk.txt": "gbk",
                   "u16.txt": "utf-16-le", "u8.txt": "utf-8"}
    assert (df.set_index("doc_id").loc[["u8.txt", "bom.txt", "u16.txt", "gbk.txt"], "chair"] == "王丽").all()
    assert df.set_index("doc_id").loc["big5.txt", "community"] == "纺机社区"


def test_to_simplified_option(tmp_path):
    write(tmp_path / "big5.txt", "紡機社區居民議事會會議紀要\n主持人：王麗\n", "big5")
    df, _ = quiet_load(tmp_path, to_simplified=True)
    assert df.text[0].startswith("纺机社区居民议事会会议纪要") and df.chair[0] == "王丽"


def test_metadata_merge_wins_and_reports_unmatched(corpus):
    (corpus / "metadata.csv").write_text(
        "file,kind,community,date,source,title,coder\n"
        "news/n1.txt,news,柳塘社区,2023-02-20,青禾日报,元数据标题,A\n"
        "m1.txt,policy,,,,,B\n"
        "missing.txt,news,,,,,C\n"
        "news/gone.txt,news,,,,,D\n",
        encoding="gbk",
    )
    with pytest.warns(DataDroppedWarning, match=r"2 row\(s\) match no document.*missing.txt.*news/gone.txt"):
        df = load_corpus(corpus)
    row = df.set_index("doc_id")
    assert row.loc["news/n1.txt", "community"] == "柳塘社区"
    assert row.loc["news/n1.txt", "source"] == "青禾日报"
    assert row.loc["news/n1.txt", "title"] == "元数据标题"
    assert row.loc["news/n1.txt", "date"] == pd.Timestamp("2023-02-20")
    assert row.loc["minutes/m1.txt", "kind"] == "policy"  # bare file name matched, metadata wins
    assert row.loc["news/n1.txt", "coder"] == "A" and pd.isna(row.loc["policy/p1.md", "coder"])
    assert df.attrs["metadata_unmatched"] == ["missing.txt", "news/gone.txt"]
    assert "metadata.csv" in [i["doc_id"] for i in df.attrs["ignored"]]
    assert len(df) == 3


def test_metadata_day_keeps_parsed_time(corpus):
    (corpus / "metadata.csv").write_text("file,date\nminutes/m1.txt,2023-03-05\n", encoding="utf-8")
    df, _ = quiet_load(corpus)
    assert df.set_index("doc_id").loc["minutes/m1.txt", "date"] == pd.Timestamp("2023-03-05 14:30")


def test_metadata_argument_forms(corpus, tmp_path_factory):
    other = tmp_path_factory.mktemp("meta") / "meta.csv"
    other.write_text("file,community\nnews/n1.txt,渡口社区\n", encoding="utf-8")
    df, _ = quiet_load(corpus, metadata=other)
    assert df.set_index("doc_id").loc["news/n1.txt", "community"] == "渡口社区"
    frame = pd.DataFrame({"file": ["news/n1.txt"], "community": ["粮站社区"]})
    df, _ = quiet_load(corpus, metadata=frame)
    assert df.set_index("doc_id").loc["news/n1.txt", "community"] == "粮站社区"
    (corpus / "metadata.csv").write_text("file,community\nnews/n1.txt,渡口社区\n", encoding="utf-8")
    df, _ = quiet_load(corpus, metadata=False)
    assert df.set_index("doc_id").loc["news/n1.txt", "community"] == "纺机社区"


@pytest.mark.parametrize(
    "content, match",
    [
        ("name,kind\na.txt,news\n", "needs a 'file' column"),
        ("file,kind\nnews/n1.txt,memo\n", r"row 2 \(file news/n1.txt\): kind 'memo'"),
        ("file,kind\nn1.txt,news\nn1.txt,news\n", "repeats"),
        ("file,date\nnews/n1.txt,not a date\n", "not a date"),
    ],
)
def test_bad_metadata_is_a_clear_error(corpus, content, match):
    (corpus / "metadata.csv").write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=match):
        load_corpus(corpus)


def test_ambiguous_bare_name_is_unmatched(tmp_path):
    write(tmp_path / "a" / "x.txt", NEWS)
    write(tmp_path / "b" / "x.txt", NEWS)
    (tmp_path / "metadata.csv").write_text("file,community\nx.txt,渡口社区\n", encoding="utf-8")
    with pytest.warns(DataDroppedWarning, match="ambiguous"):
        df = load_corpus(tmp_path)
    assert df.community.tolist() == ["纺机社区", "纺机社区"]


# ------------------------------------------------------------------ bad input
def test_broken_folder_matches_its_generator(tmp_path):
    mf.write_broken(tmp_path)
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert (BROKEN / path.relative_to(tmp_path)).read_bytes() == path.read_bytes(), path.name


def test_broken_folder_skips_each_bad_file_and_keeps_the_rest():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_corpus(BROKEN)
    dropped = [w for w in caught if issubclass(w.category, DataDroppedWarning)]
    assert len(dropped) == 2
    assert "skipped 5 of 8 file(s)" in str(dropped[0].message)
    assert "2 row(s) match no document" in str(dropped[1].message)
    assert df.doc_id.tolist() == ["good/minutes.txt", "good/news.txt", "good/sub/minutes.txt"]
    assert df.encoding.tolist() == ["gbk", "utf-8", "big5"]
    reasons = {s["doc_id"]: s["reason"] for s in df.attrs["skipped"]}
    assert set(reasons) == {"empty.txt", "photo_saved_as.txt", "garbled.txt", "renamed_minutes.docx",
                            "scanned_notice.pdf"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["photo_saved_as.txt"]
    assert "undecodable" in reasons["garbled.txt"]
    assert "rename it to .txt" in reasons["renamed_minutes.docx"]
    assert "no text layer" in reasons["scanned_notice.pdf"]
    assert df.attrs["metadata_unmatched"] == ["minutes_2022.txt", "old/notes.txt"]
    assert {i["doc_id"] for i in df.attrs["ignored"]} == {"metadata.csv", "README.md"}
    row = df.set_index("doc_id")
    assert row.loc["good/minutes.txt", "source"] == "渡口社区居委会"
    assert row.loc["good/minutes.txt", "date"] == pd.Timestamp("2023-05-08 15:00")


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x7fELF\x02\x01\x01" + bytes(200), "binary"),
        ("nul.txt", b"ab\x00cd\x00" * 50, "binary"),
        ("garbled.txt", b"\x80\xff\x81\x7f\xfe\xff" * 30, "undecodable"),
        ("renamed.docx", "会议纪要\n主持人：王丽".encode("gbk"), "rename it to .txt"),
        ("legacy.doc", b"\xd0\xcf\x11\xe0" + bytes(100), ".docx"),
    ],
)
def test_each_bad_file_is_skipped_and_nothing_else_lost(corpus, name, data, reason):
    (corpus / "news" / name).write_bytes(data)
    with pytest.warns(DataDroppedWarning, match=r"skipped 1 of 4 file\(s\)"):
        df = load_corpus(corpus)
    assert df.doc_id.tolist() == ["minutes/m1.txt", "news/n1.txt", "policy/p1.md"]
    (skip,) = df.attrs["skipped"]
    assert skip["doc_id"] == f"news/{name}" and reason in skip["reason"]
    assert Path(skip["path"]).name == name


def test_scanned_pdf_is_skipped_and_text_pdf_and_docx_read(corpus):
    mf.make_scanned_pdf(corpus / "scan.pdf")
    mf.make_pdf(corpus / "policy" / "p2.pdf", ["关于做好汛期安全工作的通知", "各社区：", "特此通知。"])
    mf.make_docx(corpus / "minutes" / "m2.docx", ["柳塘社区议事会会议纪要"], [["主持人", "孙伟"]],
                 ["一、停车", "吴桂兰：北门空地可以划车位。"])
    with pytest.warns(DataDroppedWarning, match="scan.pdf"):
        df = load_corpus(corpus)
    row = df.set_index("doc_id")
    assert row.loc["policy/p2.pdf", "encoding"] == "pdf" and row.loc["policy/p2.pdf", "kind"] == "policy"
    assert row.loc["minutes/m2.docx", "encoding"] == "docx" and row.loc["minutes/m2.docx", "chair"] == "孙伟"
    assert len(df) == 5


def test_non_documents_hidden_and_readme_are_listed_as_ignored(corpus):
    (corpus / "table.csv").write_text("a,b\n", encoding="utf-8")
    (corpus / "script.py").write_text("print(1)\n", encoding="utf-8")
    (corpus / ".hidden.txt").write_text(NEWS, encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "notes.txt").write_text(NEWS, encoding="utf-8")
    (corpus / "~$m1.docx").write_bytes(b"lock")
    (corpus / "README.md").write_text("# about\n", encoding="utf-8")
    with pytest.warns(CivictoolsWarning, match=r"ignored 2 file\(s\) that are not documents \(.csv: 1, .py: 1\)"):
        df = load_corpus(corpus)
    assert len(df) == 3
    ignored = {i["doc_id"]: i["reason"] for i in df.attrs["ignored"]}
    assert set(ignored) == {"table.csv", "script.py", ".hidden.txt", ".git/notes.txt", "~$m1.docx", "README.md"}
    assert df.attrs["skipped"] == []


def test_folder_with_no_documents(tmp_path):
    with pytest.raises(CorpusError, match="no documents found"):
        load_corpus(tmp_path)
    (tmp_path / "data.csv").write_text("a\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no documents found.*data.csv \(not a document type"):
        load_corpus(tmp_path)


def test_folder_where_nothing_is_readable(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="none of the 1 document file"):
        load_corpus(tmp_path)


def test_missing_path_and_empty_pattern(tmp_path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="matches no file"):
        load_corpus(str(tmp_path / "*.txt"))
    with pytest.raises(CorpusError, match="empty"):
        load_corpus([])


def test_fifty_megabyte_file_loads(tmp_path):
    write(tmp_path / "small.txt", NEWS)
    paragraph = "纺机社区居民议事会讨论加装电梯、停车和垃圾分类等问题，居民代表踊跃发言。\n"
    data = (paragraph * (50_000_000 // len(paragraph.encode("utf-8")) + 1)).encode("utf-8")
    (tmp_path / "big.txt").write_bytes(data)
    df, caught = quiet_load(tmp_path)
    assert caught == []
    row = df.set_index("doc_id")
    assert row.loc["big.txt", "n_chars"] == len(data.decode("utf-8"))
    assert row.loc["small.txt", "kind"] == "news"


def test_progress_bar_above_threshold(tmp_path, capsys):
    for i in range(201):
        write(tmp_path / f"d{i:03d}.txt", NEWS)
    df, _ = quiet_load(tmp_path)
    assert len(df) == 201
    assert "reading documents" in capsys.readouterr().err
    df, _ = quiet_load(tmp_path, progress=False)
    assert "reading documents" not in capsys.readouterr().err


def test_detect_kind_cues():
    assert detect_kind(MINUTES) == "minutes"
    assert detect_kind(NEWS) == "news"
    assert detect_kind(POLICY) == "policy"
    # A news report about a meeting stays news through its byline.
    assert detect_kind("望山社区议事会：停车难题摆上桌\n青禾融媒　2022年7月14日　记者 葛蔚然\n7月12日晚，居民围坐讨论。") == "news"
    assert detect_kind("") == "other"


def test_deterministic_order_and_values(corpus):
    a, _ = quiet_load(corpus)
    b, _ = quiet_load(corpus)
    pd.testing.assert_frame_equal(a, b)


def test_demo_corpus_loads_without_skips():
    demo = HERE.parent / "src" / "civictools" / "data" / "demo"
    if not any(demo.rglob("*.txt")):
        pytest.skip("demo corpus not present")
    df, caught = quiet_load(demo)
    assert df.attrs["skipped"] == []
    assert not [w for w in caught if issubclass(w.category, DataDroppedWarning)]
    assert set(df.kind) <= {"news", "minutes", "policy", "other"}
    assert df.title.notna().all()


def test_copy_of_corpus_has_same_ids(corpus, tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "c"
    shutil.copytree(corpus, copy)
    a, _ = quiet_load(corpus)
    b, _ = quiet_load(copy)
    assert a.doc_id.tolist() == b.doc_id.tolist()


def test_detect_kind_traditional_script():
    assert detect_kind("紡機社區居民議事會會議紀要\n主持人：王麗\n參會人員：張強、李秀英") == "minutes"
    assert detect_kind("社區開展義診\n發佈時間：2023-03-05 來源：青禾網\n（記者 李明）") == "news"


def test_traditional_minutes_are_parsed(tmp_path):
    write(tmp_path / "big5.txt", "紡機社區居民議事會會議紀要\n時間：2023年3月5日下午2:30\n主持人：王麗\n議題一：停車\n張強：車太多。\n", "big5")
    df, _ = quiet_load(tmp_path)
    row = df.iloc[0]
    assert row.kind == "minutes" and row.chair == "王丽" and row.n_agenda_items == 1
    assert row.date == pd.Timestamp("2023-03-05 14:30")
    assert row.text.startswith("紡機社區")
