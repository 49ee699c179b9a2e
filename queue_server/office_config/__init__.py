"""The office file: a readable YAML document describing one office, validated here.

``parse_office_config(data)`` turns the file's content into domain objects or raises
:class:`OfficeConfigError` listing every problem with its path (``services[2].prefix``).
Nothing is written anywhere by this module; ``antre office load`` stores the content
only after it parsed cleanly. The format is documented in ``docs/office-config.md``.
"""

from queue_server.office_config.definition import (
    Bilingual,
    Branding,
    OfficeDefinition,
    PriorityCategory,
)
from queue_server.office_config.reading import (
    load_office_file,
    parse_office_config,
    read_office_yaml,
)
from queue_server.office_config.schema import OfficeConfigError, OfficeFile
from queue_server.office_config.writing import dump_office_yaml

__all__ = [
    "Bilingual",
    "Branding",
    "OfficeConfigError",
    "OfficeDefinition",
    "OfficeFile",
    "PriorityCategory",
    "dump_office_yaml",
    "load_office_file",
    "parse_office_config",
    "read_office_yaml",
]
