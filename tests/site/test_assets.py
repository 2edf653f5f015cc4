"""The compiled assets: GOV.UK Frontend for a partnership (Arial, its brand colour, no crown
font), built by `npm run build` from the versions pinned in package-lock.json."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "audit_app" / "static" / "build"
BUILD_SCRIPT = ROOT / "scripts" / "build-assets.mjs"


@pytest.fixture
def built_css():
    path = BUILD / "app.css"
    if not path.exists():
        pytest.skip("assets not built: run `npm ci && npm run build` (make install does)")
    return path.read_text(encoding="utf-8")


def test_the_stylesheet_uses_arial_and_no_gds_transport(built_css):
    assert "GDS Transport" not in built_css
    assert "@font-face" not in built_css
    families = set(re.findall(r"font-family:([^;}]+)", built_css))
    assert "arial,helvetica,sans-serif" in families
    assert families <= {"arial,helvetica,sans-serif", "sans-serif", "monospace",
                        "inherit"}, families


def test_the_stylesheet_carries_a_brand_colour_with_aa_contrast(built_css):
    match = re.search(r"--govuk-brand-colour:\s*(#[0-9a-f]{6})", built_css)
    assert match, "the brand colour is a custom property"
    red, green, blue = (int(match.group(1)[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    assert 1.05 / (luminance + 0.05) >= 4.5


def test_the_layout_s_files_are_served(client, built_css):
    for name in ("app.css", "app.js", "govuk-frontend.min.js", "images/icon.svg"):
        response = client.get(f"/static/build/{name}")
        assert response.status_code == 200, name
        response.close()
    script = (BUILD / "app.js").read_text(encoding="utf-8")
    assert "from './govuk-frontend.min.js'" in script and "initAll()" in script


def test_images_the_stylesheet_refers_to_are_in_the_build(built_css):
    for image in re.findall(r'url\("?([^")]+)"?\)', built_css):
        if image.startswith("data:"):
            continue
        assert (BUILD / image).exists(), image


def test_the_packages_are_pinned_exactly():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    assert package["dependencies"]["govuk-frontend"] == "6.3.0"
    assert re.fullmatch(r"1\.\d+\.\d+", package["dependencies"]["sass"])
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == "6.3.0"
    assert lock["packages"]["node_modules/sass"]["version"] == package["dependencies"]["sass"]
    for entry in lock["packages"].values():
        resolved = entry.get("resolved")
        assert resolved is None or resolved.startswith("https://registry.npmjs.org/"), resolved


def run_build(brand_colour):
    if shutil.which("node") is None or not (ROOT / "node_modules" / "sass").exists():
        pytest.skip("node and the npm packages are needed: run `npm ci`")
    environment = dict(os.environ, BRAND_COLOUR=brand_colour)
    return subprocess.run(["node", str(BUILD_SCRIPT)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_the_build_refuses_a_colour_that_is_not_hex_and_changes_nothing():
    before = {path: path.stat().st_mtime_ns for path in BUILD.rglob("*")} \
        if BUILD.exists() else {}
    result = run_build("teal")
    assert result.returncode == 1
    assert result.stderr.strip() == \
        'build-assets: BRAND_COLOUR must be a hex colour such as #005ea5, not "teal"'
    after = {path: path.stat().st_mtime_ns for path in BUILD.rglob("*")} \
        if BUILD.exists() else {}
    assert after == before


def test_the_build_refuses_a_colour_too_light_for_white_text():
    result = run_build("#ffdd00")
    assert result.returncode == 1
    assert "BRAND_COLOUR #ffdd00 is too light" in result.stderr
    assert "at least 4.5:1" in result.stderr
