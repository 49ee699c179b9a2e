"""Pure queue rules: no I/O, no framework imports (enforced by import-linter)."""
