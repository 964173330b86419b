"""Every setting is described and listed in README.md's Settings table."""

from __future__ import annotations

import re
from pathlib import Path

from gateway.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _settings_section() -> str:
    text = README.read_text()
    start = text.index("\n## Settings\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def test_every_setting_has_a_description() -> None:
    missing = [name for name, field in Settings.model_fields.items()
               if not (field.description or "").strip()]
    assert missing == []


def test_every_setting_is_in_the_readme_settings_table() -> None:
    rows = {match.group(1) for match in
            re.finditer(r"^\| `(GATEWAY_[A-Z0-9_]+)` \|", _settings_section(), re.MULTILINE)}
    expected = {f"GATEWAY_{name.upper()}" for name in Settings.model_fields}
    assert sorted(expected - rows) == [], "settings missing from README.md's Settings table"
    assert sorted(rows - expected) == [], "README.md lists settings that do not exist"


def test_the_defaults_are_the_safe_ones_the_readme_promises() -> None:
    settings = Settings()
    assert (settings.max_document_chars, settings.max_tokens, settings.max_depth,
            settings.max_aliases, settings.max_directives, settings.max_cost) == (
        15_000, 1_000, 6, 15, 50, 5_000)
    assert (settings.cost_object, settings.cost_scalar, settings.cost_depth_factor) == (2, 1, 1.5)
    assert (settings.max_list_size, settings.max_validation_errors, settings.max_body_bytes) == (
        100, 100, 64 * 1024)
