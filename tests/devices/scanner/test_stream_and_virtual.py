from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.scanner import QueueSink, ScannedCode, ScannerError, StreamScanner, VirtualScanner

WAIT_S = 5.0


def wait_until_stopped(scanner: StreamScanner | VirtualScanner) -> None:
    deadline_s = time.monotonic() + WAIT_S
    while scanner.is_running() and time.monotonic() < deadline_s:
        time.sleep(0.01)
    assert not scanner.is_running()


def received(sink: QueueSink, count: int) -> list[str]:
    codes = [sink.get(timeout_s=WAIT_S) for _ in range(count)]
    return [code.text for code in codes if code is not None]


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        with contextlib.suppress(OSError):  # a test may have closed it
            os.close(fd)


def test_the_line_reader_reads_codes_from_a_pipe(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    sink = QueueSink()
    scanner = StreamScanner(read_fd, sink, source="pipe")
    scanner.start()
    try:
        os.write(write_fd, b"MP2026ABC123\r\nhttps://antre.example/t/")
        os.write(write_fd, b"abcdefghijklmnopqrstuvwx\n")
        codes = [sink.get(timeout_s=WAIT_S), sink.get(timeout_s=WAIT_S)]
        assert [code.text for code in codes if code] == [
            "MP2026ABC123",
            "https://antre.example/t/abcdefghijklmnopqrstuvwx",
        ]
        assert all(code and code.source == "pipe" and code.at.tzinfo for code in codes)
        assert scanner.is_running()
        os.write(write_fd, b"LAST-WITHOUT-NEWLINE")
        os.close(write_fd)
        assert received(sink, 1) == ["LAST-WITHOUT-NEWLINE"]
        wait_until_stopped(scanner)
        assert scanner.failure is None
    finally:
        scanner.stop()


def test_stop_returns_while_the_pipe_is_idle(pipe: tuple[int, int]) -> None:
    scanner = StreamScanner(pipe[0], QueueSink())
    scanner.start()
    assert scanner.is_running()
    scanner.stop()
    assert not scanner.is_running()
    scanner.stop()  # twice is fine


def test_a_scanner_starts_once(pipe: tuple[int, int]) -> None:
    scanner = StreamScanner(pipe[0], QueueSink())
    scanner.start()
    try:
        with pytest.raises(ScannerError, match="already started"):
            scanner.start()
    finally:
        scanner.stop()


def test_a_failing_callback_ends_the_scanner_with_the_reason(pipe: tuple[int, int]) -> None:
    def broken(code: ScannedCode) -> None:
        raise RuntimeError("ui bug")

    scanner = StreamScanner(pipe[0], broken)
    scanner.start()
    os.write(pipe[1], b"CODE1\n")
    wait_until_stopped(scanner)
    assert isinstance(scanner.failure, RuntimeError)
    scanner.stop()


def test_the_queue_sink_is_bounded_and_keeps_the_newest() -> None:
    sink = QueueSink(max_codes=2)
    for index in range(5):
        sink(ScannedCode(f"C{index}", "test", time_now()))
    assert received(sink, 2) == ["C3", "C4"]
    assert sink.dropped == 3
    assert sink.get(timeout_s=0.01) is None


def time_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_the_virtual_scanner_delivers_pushed_codes() -> None:
    sink = QueueSink()
    scanner = VirtualScanner(sink)
    with pytest.raises(ScannerError, match="not started"):
        scanner.push("EARLY")
    scanner.start()
    scanner.push("3174011701900123")
    code = sink.get(timeout_s=0)
    assert code is not None and (code.text, code.source) == ("3174011701900123", "virtual")
    scanner.stop()
    assert not scanner.is_running()
    with pytest.raises(ScannerError):
        scanner.push("LATE")


def test_the_virtual_scanner_listens_on_a_fifo_across_writers(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.fifo"
    os.mkfifo(fifo)
    sink = QueueSink()
    scanner = VirtualScanner(sink, feed_path=fifo)
    scanner.start()
    try:
        for text in ("FIRST1", "SECOND2"):  # like two `echo CODE > scan.fifo`
            writer = os.open(fifo, os.O_WRONLY)
            os.write(writer, text.encode() + b"\n")
            os.close(writer)
            assert received(sink, 1) == [text]
        assert scanner.is_running()
        scanner.push("PUSHED3")
        assert received(sink, 1) == ["PUSHED3"]
    finally:
        scanner.stop()
    assert not scanner.is_running()


def test_the_virtual_scanner_replays_a_file_once(tmp_path: Path) -> None:
    feed = tmp_path / "codes.txt"
    feed.write_text("ONE111\nTWO222\r\nTHREE333")
    sink = QueueSink()
    scanner = VirtualScanner(sink, feed_path=feed)
    scanner.start()
    try:
        assert received(sink, 3) == ["ONE111", "TWO222", "THREE333"]
        wait_until_stopped(scanner)
    finally:
        scanner.stop()


def test_a_missing_feed_file_is_a_scanner_error(tmp_path: Path) -> None:
    scanner = VirtualScanner(QueueSink(), feed_path=tmp_path / "missing")
    with pytest.raises(ScannerError, match="cannot open scan feed"):
        scanner.start()


def test_a_scanned_code_keeps_its_text_out_of_repr() -> None:
    code = ScannedCode("3174011701900123", "virtual", time_now())
    assert "3174011701900123" not in repr(code) and "<16 chars>" in repr(code)
