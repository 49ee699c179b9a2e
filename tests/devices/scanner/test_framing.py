from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devices.scanner.framing import LineFramer


def test_cr_lf_and_crlf_all_end_a_code() -> None:
    framer = LineFramer()
    assert framer.feed(b"ONE\rTWO\nTHREE\r\nFOUR\n\r") == ["ONE", "TWO", "THREE", "FOUR"]


def test_a_code_split_across_reads() -> None:
    framer = LineFramer()
    assert framer.feed(b"MP20") == []
    assert framer.feed(b"26ABC\r") == ["MP2026ABC"]
    assert framer.feed(b"\n") == []


def test_an_overlong_line_is_dropped_up_to_its_terminator() -> None:
    framer = LineFramer(max_code_bytes=8)
    assert framer.feed(b"123456789\r\nOK12\r\n") == ["OK12"]
    assert framer.dropped_lines == 1


def test_the_last_line_without_terminator_is_flushed() -> None:
    framer = LineFramer()
    framer.feed(b"A\nLAST")
    assert framer.flush() == "LAST"
    assert framer.flush() is None


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert LineFramer().feed(b"AB\xffCD\n") == ["AB\ufffdCD"]


lines = st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=30))


@given(lines, st.sampled_from([b"\r", b"\n", b"\r\n"]), st.data())
def test_codes_survive_any_chunking(
    codes: list[str], terminator: bytes, data: st.DataObject
) -> None:
    stream = b"".join(code.encode() + terminator for code in codes)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    framer = LineFramer()
    found: list[str] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        found += framer.feed(stream[start:end])
    assert found == [code.strip() for code in codes if code.strip()]
