"""JSON placed inside a page's ``<script type="application/json">`` element.

Escaping only ``</`` is not enough: an office or counter name holding ``<!--<script``
puts the HTML parser into its "script data double escaped" state, where the element's
own ``</script>`` no longer ends it, and every later script of the page (the board's
code) is swallowed as text. ``<``, ``>`` and ``&`` are written as JSON escapes instead:
``JSON.parse`` reads the same string, and the HTML parser sees no markup at all.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: Any) -> str:
    """``data`` as JSON that cannot end or change the ``<script>`` element it sits in."""
    return json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
