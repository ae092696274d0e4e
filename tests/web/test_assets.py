"""Vendored front-end assets: pinned, with their licences, matching the manifest's SHA-256 sums."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pilotgate.web

VENDOR = Path(pilotgate.web.__file__).parent / "static" / "vendor"


def test_every_vendored_file_matches_the_manifest_and_has_a_licence() -> None:
    manifest = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
    packages = manifest["packages"]
    assert {"htmx.org", "mermaid", "vega", "vega-lite", "vega-embed", "vega-interpreter", "swagger-ui-dist"} <= set(
        packages
    )
    for name, entry in packages.items():
        assert entry["version"][0].isdigit(), f"{name} is not pinned to a version"
        files = entry["files"]
        assert any(f.upper().startswith("LICENSE") for f in files), f"{name} has no licence file"
        on_disk = {p.name for p in (VENDOR / name).iterdir()}
        assert on_disk == set(files), f"{name}: files differ from the manifest"
        for filename, digest in files.items():
            assert hashlib.sha256((VENDOR / name / filename).read_bytes()).hexdigest() == digest, filename


def test_pages_reference_only_local_assets() -> None:
    templates = Path(pilotgate.web.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for marker in ('src="http', "src='http", 'href="http', "//cdn", "unpkg", "jsdelivr"):
            assert marker not in text, f"{template.name} loads something from another host ({marker})"
