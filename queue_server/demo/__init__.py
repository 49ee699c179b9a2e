"""The demo office shipped for `antre serve --demo` and for trying Antre out."""
