"""Report builds: byte-identical rebuilds, manifest and check, incremental cache, browser."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import civictools as ct
from civictools.datasets._paths import data_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_builds(tmp_path_factory):
    """Two independent builds of the demo report (separate caches)."""
    base = tmp_path_factory.mktemp("reports")
    a = ct.build_report(None, base / "a", cache_dir=base / "cache_a")
    b = ct.build_report(None, base / "b", cache_dir=base / "cache_b")
    return base, a, b


def test_demo_report_rebuilds_byte_identically(demo_builds):
    base, a, b = demo_builds
    assert set(a.executed) == set(b.executed) and not a.reused
    da, db = _digest(base / "a"), _digest(base / "b")
    assert da.keys() == db.keys() and "index.html" in da and "manifest.json" in da
    diff = [k for k in da if da[k] != db[k]]
    assert not diff, f"files differ between two builds: {diff}"


def test_manifest_records_inputs_versions_and_no_absolute_paths(demo_builds):
    base, a, _ = demo_builds
    man = json.loads((base / "a" / "manifest.json").read_text("utf-8"))
    assert set(man["inputs"]) == {"corpus", "codebook", "panel"}
    assert len(man["inputs"]["corpus"]) > 100
    assert man["versions"]["civictools"] == ct.__version__
    assert man["seeds"]["PYTHONHASHSEED"] == "0"
    text = (base / "a" / "manifest.json").read_text("utf-8") + (base / "a" / "index.html").read_text("utf-8")
    assert str(base) not in text and str(Path.home()) + "/" not in text
    assert ct.check_report(base / "a")["current"] is True


def test_pages_are_self_contained_and_embed_a_cjk_font(demo_builds):
    base, _, _ = demo_builds
    page = (base / "a" / "index.html").read_text("utf-8")
    assert "@font-face" in page and "unicode-range" in page
    for f in (base / "a").glob("*.html"):
        body = f.read_text("utf-8")
        assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body, f.name
        assert "<script src" not in body
    assert "青禾区" in page


def _small_config(tmp_path: Path) -> Path:
    src = data_path("demo")
    corpus = tmp_path / "corpus"
    files = sorted(p for p in src.rglob("*") if p.is_file() and p.suffix in (".txt", ".html", ".docx"))
    keep = [p for p in files if "/news/" in p.as_posix()][:6] + [p for p in files if "/minutes/" in p.as_posix()][:10]
    for p in keep:
        dest = corpus / p.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)
    cfg = tmp_path / "study.yml"
    cfg.write_text(yaml.safe_dump({"title": "小样本 small study", "corpus": {"path": "corpus"}}, allow_unicode=True), "utf-8")
    return cfg


def test_incremental_rebuild_redoes_only_what_changed(tmp_path):
    cfg = _small_config(tmp_path)
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = ct.build_report(cfg, out, cache_dir=cache)
    assert first.executed and not first.reused
    again = ct.build_report(cfg, out, cache_dir=cache)
    assert not again.executed and set(again.reused) == set(first.executed)
    doc = sorted((tmp_path / "corpus" / "minutes").iterdir())[0]
    doc.write_text(doc.read_text("utf-8") + "\n补充：居民提出增设长者食堂送餐点。\n", "utf-8")
    status = ct.check_report(out, cfg)
    assert not status["current"] and status["changed"] == [f"corpus:minutes/{doc.name}"]
    third = ct.build_report(cfg, out, cache_dir=cache)
    assert "corpus" in third.executed
    if "estimates" in first.executed:
        assert "estimates" in third.reused  # outcomes did not change
    assert ct.check_report(out, cfg)["current"]


def test_cli_report_check_exit_codes(tmp_path, demo_builds, capsys):
    from civictools.cli import main

    base, _, _ = demo_builds
    assert main(["report", "check", str(base / "a")]) == 0
    assert main(["report", "check", str(tmp_path)]) == 1
    assert "build the report first" in capsys.readouterr().err


def test_bad_config_gives_clear_errors(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("corpus: {path: nowhere}\n", "utf-8")
    with pytest.raises(ct.ReportError, match="nowhere.*does not exist"):
        ct.build_report(bad, tmp_path / "out")
    bad.write_text("colour: blue\n", "utf-8")
    with pytest.raises(ct.ReportError, match="unknown settings.*colour"):
        ct.build_report(bad, tmp_path / "out")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)")
def test_report_renders_in_headless_chromium(demo_builds, tmp_path):
    from PIL import Image

    base, _, _ = demo_builds
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--window-size=1200,1600", f"--screenshot={shot}", (base / "a" / "index.html").as_uri(),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert shot.exists(), res.stderr[-2000:]
    console_errors = [l for l in res.stderr.splitlines() if "CONSOLE" in l and ("rror" in l or "Failed" in l)]
    assert not console_errors, console_errors
    img = Image.open(shot).convert("L")
    hist = img.histogram()
    # Not blank: a rendered page has many grey levels, a blank one a single colour.
    assert sum(1 for h in hist if h > 50) > 20
    # The header band (accent colour) and dark text are both present.
    assert min(img.getdata()) < 80


def test_embedded_font_covers_every_chinese_character_shown(demo_builds):
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from civictools.report._page import _CJK_RE
    from civictools.viz import font_path

    base, _, _ = demo_builds
    full = TTFont(str(font_path()), fontNumber=0).getBestCmap()
    for page in (base / "a").glob("*.html"):
        html_text = page.read_text("utf-8")
        data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", html_text).group(1)
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        visible = re.sub(r"<style>.*?</style>|<[^>]+>", "", html_text, flags=re.S)
        needed = {c for c in _CJK_RE.findall(visible) if ord(c) in full}
        missing = sorted(c for c in needed if ord(c) not in cmap)
        assert not missing, f"{page.name}: glyphs missing from the embedded font: {''.join(missing[:20])}"
