"""Codebooks: format, validation with YAML line numbers, merge/diff, rendering, safe regexes."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from civictools.coding import codebook_schema, list_codebooks, load_codebook
from civictools.coding._safe_regex import check_regex
from civictools.errors import CodebookError

# The 22 fixed theme ids, copied from ../shared/design/themes.md (the design note's table).
THEME_IDS = [
    "party_leadership", "multi_actor_linkage", "social_work_service", "service_network",
    "community_deliberation", "resident_selfgov", "petition_response", "grid_coordination",
    "volunteering", "social_org_cultivation", "charitable_resources", "purchased_services",
    "social_assistance", "elderly_care", "child_family", "dispute_mediation", "living_environment",
    "digital_governance", "safety_emergency", "neighborhood_mutual_aid", "talent_workforce",
    "convenience_services",
]

VALID = """\
codebook: mini
match: token
themes:
  - id: elderly
    label_zh: 为老服务
    terms: [老年人, {term: 养老, match: prefix}]
    exclude: [养老保险]
  - id: kids
    label_zh: 儿童
    parent: elderly
    terms: [儿童]
"""


def _write(tmp_path, text, name="cb.yml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_codebooks_listed_and_default_has_the_22_ids():
    assert list_codebooks() == ["default", "policy_instruments"]
    cb = load_codebook("default")
    assert cb.theme_ids == THEME_IDS
    for t in cb.themes.values():
        assert t.label_zh and t.label_en and t.definition and t.terms


def test_policy_instruments_hierarchy():
    cb = load_codebook("policy_instruments")
    assert cb.children("supply") == ["supply_talent", "supply_funding", "supply_facilities",
                                     "supply_public_services", "supply_information"]
    assert len(cb.children("environment")) == 5 and len(cb.children("demand")) == 4
    assert all(cb.themes[t].parent in {None, "supply", "environment", "demand"} for t in cb.theme_ids)


def test_schema_is_a_valid_json_schema_and_builtins_validate():
    import yaml
    from importlib import resources

    schema = codebook_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in list_codebooks():
        text = resources.files("civictools.data.codebooks").joinpath(f"{name}.yml").read_text("utf-8")
        jsonschema.validate(yaml.safe_load(text), schema)


def test_load_from_path_and_fields(tmp_path):
    cb = load_codebook(_write(tmp_path, VALID))
    assert cb.theme_ids == ["elderly", "kids"]
    assert cb.themes["elderly"].terms[1].match == "prefix"
    assert cb.themes["elderly"].exclude[0].pattern == "养老保险"
    assert cb.themes["elderly"].terms[0].line == 6


@pytest.mark.parametrize("bad, line, words", [
    (VALID.replace("    label_zh: 儿童\n", "    lable_zh: 儿童\n"), 9, "lable_zh"),
    (VALID.replace("  - id: kids", "  - id: Kids"), 8, "does not match"),
    (VALID.replace("  - id: kids", "  - id: elderly"), 8, "duplicate theme id"),
    (VALID.replace("parent: elderly", "parent: nobody"), 8, "unknown parent"),
    (VALID.replace("terms: [儿童]", "terms: [{regex: '(社工+)+'}]"), 11, "catastrophic"),
    (VALID.replace("exclude: [养老保险]", "exclude: [{pattern: 养老保险, left: [不]}]"), 7, "not both"),
    (VALID + "  - id: empty\n", 12, "no terms"),
    (VALID.replace("terms: [儿童]", "terms: [儿童, 青少年, 儿童]"), 11, "lists '儿童' twice"),
    # a context cue longer than its window can never fire: refused, with the window it needs
    (VALID.replace("exclude: [养老保险]", "exclude: [{left: [不再需要], window: 3}]"), 7, "set window: 4"),
    (VALID.replace("exclude: [养老保险]", "exclude: [{right: [保险], window: 1}]"), 7, "right cue '保险'"),
])
def test_validation_errors_name_the_yaml_line(tmp_path, bad, line, words):
    p = _write(tmp_path, bad)
    with pytest.raises(CodebookError) as err:
        load_codebook(p)
    msg = str(err.value)
    assert f"line {line}" in msg and words in msg and str(p) in msg


def test_yaml_syntax_error_and_duplicate_key_lines(tmp_path):
    with pytest.raises(CodebookError, match="line 4: invalid YAML"):
        load_codebook(_write(tmp_path, "codebook: x\nthemes:\n  - id: [a\n"))
    with pytest.raises(CodebookError, match="line 3: duplicate key 'match'"):
        load_codebook(_write(tmp_path, "codebook: x\nmatch: token\nmatch: substring\nthemes: []\n"))


def test_missing_codebook_says_what_to_do():
    with pytest.raises(CodebookError, match="built-in name"):
        load_codebook("no_such_codebook")


def test_codebook_is_immutable():
    cb = load_codebook("default")
    with pytest.raises(TypeError):
        cb.themes["x"] = None  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cb.name = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cb.themes["elderly_care"].min_hits = 3  # type: ignore[misc]


def test_yaml_round_trip(tmp_path):
    cb = load_codebook("default")
    again = load_codebook(_write(tmp_path, cb.to_yaml()))
    assert again.to_dict() == cb.to_dict()
    assert again.diff(cb).empty


def test_merge_and_diff(tmp_path):
    a = load_codebook(_write(tmp_path, VALID, "a.yml"))
    b_text = VALID.replace("codebook: mini", "codebook: other").replace("terms: [儿童]", "terms: [儿童, 青少年]")
    b = load_codebook(_write(tmp_path, b_text, "b.yml"))
    d = a.diff(b)
    assert d[["theme", "change", "what", "detail"]].values.tolist() == [["kids", "added", "term", "青少年"]]
    merged = a.merge(b)
    assert [t.pattern for t in merged.themes["kids"].terms] == ["儿童", "青少年"]
    assert [t.pattern for t in a.themes["kids"].terms] == ["儿童"]  # inputs unchanged
    with pytest.raises(CodebookError, match="in both codebooks"):
        a.merge(b, on_conflict="error")
    over = a.merge(b, on_conflict="override")
    assert len(over.themes["kids"].terms) == 2
    both = load_codebook("default").merge(load_codebook("policy_instruments"))
    assert len(both) == 22 + 17


def test_markdown_and_html_render_and_escape(tmp_path):
    cb = load_codebook("default")
    md = cb.to_markdown()
    assert all(f"| {t} |" in md for t in THEME_IDS)
    evil = VALID.replace("    label_zh: 为老服务\n", "    label_zh: 为老服务\n    definition: <script>x</script> | pipe\n")
    e = load_codebook(_write(tmp_path, evil))
    h = e.to_html()
    assert "<script>" not in h and "&lt;script&gt;" in h
    assert "\\| pipe" in e.to_markdown()


@pytest.mark.parametrize("pattern", ["(a+)+", "(a*)*b", "(a|a)*", r"(\w|社工)+", r"(\w+)\1", "a{1,500}", "x" * 201,
                                     "[^。；\n]{0,50}[^。；\n]{0,50}电话", "a+a*", "(?:失物)[^。]{0,50}[^。]{0,50}。"])
def test_unsafe_regexes_are_refused(pattern):
    with pytest.raises(ValueError):
        check_regex(pattern)


@pytest.mark.parametrize("pattern", ["党(组织|支部)", "[一二三]{1,3}", "议题[一二三四五六七八九十]+[：:]", "a+b+",
                                     "[^。；\n]{0,100}电话", "[0-9]{3}[0-9]{4}"])
def test_safe_regexes_compile(pattern):
    assert check_regex(pattern).pattern == pattern


def test_tidy_lists_every_rule():
    cb = load_codebook("default")
    t = cb.tidy()
    assert set(t["kind"]) == {"term", "regex", "exclude", "proximity"}
    assert len(t[t["kind"].isin(["term", "regex"])]) == sum(len(x.terms) for x in cb.themes.values())
    assert json.dumps(cb.to_dict(), ensure_ascii=False)  # plain data
