"""The redaction gold set: integrity, size, and the quality bar of the issue."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from civictools.text._redact_gold import build_gold, load_gold, parse_markup
from civictools.text._redact_patterns import is_valid_id18
from civictools.text.redact import REDACT_KINDS, redact

GOLD = load_gold()


def test_every_span_matches_its_text():
    for rec in GOLD:
        for ent in rec["entities"]:
            assert rec["text"][ent["start"] : ent["end"]] == ent["text"], (rec["id"], ent)
            assert ent["kind"] in REDACT_KINDS


def test_spans_do_not_overlap():
    for rec in GOLD:
        spans = sorted((e["start"], e["end"]) for e in rec["entities"])
        for (s1, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 <= s2, rec["id"]


def test_jsonl_is_in_sync_with_the_passages():
    assert build_gold() == GOLD, "run: python -m civictools.text._redact_gold"


def test_size_and_styles():
    assert len(GOLD) >= 60
    assert len({r["id"] for r in GOLD}) == len(GOLD)
    n_person = sum(e["kind"] == "person" for r in GOLD for e in r["entities"])
    assert n_person >= 150
    styles = {r["style"] for r in GOLD}
    assert {"news", "minutes"} <= styles
    splits = {r["split"] for r in GOLD}
    assert {"dev", "heldout", "fresh", "contact", "blind", "blind2", "blind3"} <= splits
    for kind in REDACT_KINDS:
        assert any(e["kind"] == kind for r in GOLD for e in r["entities"]), kind


def test_fictional_contact_data():
    for rec in GOLD:
        for ent in rec["entities"]:
            if ent["kind"] == "id_card":
                assert is_valid_id18(ent["text"]) and ent["text"][:2] in ("98", "99")  # no real region
            if ent["kind"] == "phone":
                digits = re.sub(r"\D", "", ent["text"])
                assert "0000" in digits  # the reserved-looking 0000 block marks them fictional
            if ent["kind"] == "email":
                assert ent["text"].endswith(("example.org", "example.com", "example.net"))


def test_hard_negatives_present():
    text = "\n".join(r["text"] for r in GOLD)
    for word in ("12345", "高度", "文明", "幸福感", "养老", "许多", "张贴", "常态化", "于是", "周边"):
        assert word in text, word


def test_markup_errors():
    from civictools.errors import TextError

    with pytest.raises(TextError, match="unknown gold tag"):
        parse_markup("[[x:张三]]")


def _score(records, kind, engine="auto"):
    tp = n_pred = n_gold = 0
    for rec in records:
        ents = redact(rec["text"], engine=engine).entities
        pred = {(s, e) for k, s, e in zip(ents["kind"], ents["start"], ents["end"]) if k == kind}
        gold = {(e["start"], e["end"]) for e in rec["entities"] if e["kind"] == kind}
        tp += len(pred & gold)
        n_pred += len(pred)
        n_gold += len(gold)
    return tp / max(n_pred, 1), tp / max(n_gold, 1)


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
@pytest.mark.parametrize("split", ["dev", "heldout", "fresh", "contact", "blind", "blind2", "blind3"])
def test_person_quality_bar(split, engine):
    # The bar: person recall >= 0.95 and precision >= 0.90 (exact spans).
    if engine == "rjieba":
        pytest.importorskip("rjieba")
    precision, recall = _score([r for r in GOLD if r["split"] == split], "person", engine)
    assert recall >= 0.95 and precision >= 0.90, (precision, recall)


@pytest.mark.parametrize("kind", ["phone", "id_card", "email", "address_detail", "plate"])
def test_other_kinds_quality(kind):
    precision, recall = _score(GOLD, kind)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_benchmark_script_scores_like_the_test():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_redact.py"
    spec = importlib.util.spec_from_file_location("bench_redact", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.score(GOLD[:10], bench.civictools_predict, kinds=("person",))
    precision, recall = _score(GOLD[:10], "person")
    assert rows[0][3] == pytest.approx(precision) and rows[0][4] == pytest.approx(recall)
