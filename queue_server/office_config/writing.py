"""Writing an office file: the stored content back as YAML that ``antre office load`` reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

#: Clock times and dates are written in quotes, as docs/office-config.md asks of a person.
_QUOTED = re.compile(r"\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}")

HEADER = "# Antre office file (exported; `antre office load FILE` or the API reads it back)\n"


class _OfficeDumper(yaml.SafeDumper):
    """Block style, keys in the stored order; strings that YAML would read as another
    type (yes/no, 960) are quoted by the safe dumper itself; times and dates always."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _QUOTED.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_OfficeDumper.add_representer(str, _text)


def dump_office_yaml(settings: Mapping[str, Any]) -> str:
    """``settings`` (a stored office file's content, JSON-safe) as YAML text."""
    body = yaml.dump(
        dict(settings),
        Dumper=_OfficeDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return HEADER + body
