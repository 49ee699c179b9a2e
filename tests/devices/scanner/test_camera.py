from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.codes import CodeKind, TokenClaims, TokenKind, classify, sign_token
from devices.scanner import CameraScanner, HoldOff, OpenCvCamera, QueueSink, ScannerError
from devices.scanner.camera import Frame, default_decoder, opencv_decoder, pyzbar_decoder
from tests.devices.scanner.frames import camera_frame, clean_frame, empty_frame

KEY = b"c" * 32
ISSUED = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
TOKEN = sign_token(
    TokenClaims(TokenKind.TICKET, "kanim-jaksel", "A-017", ISSUED, ISSUED + dt.timedelta(hours=8)),
    KEY,
)
WAIT_S = 10.0


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


def scan_all(frames: Iterator[Frame] | list[Frame], **options: object) -> list[str]:
    """Run a camera scanner over ``frames`` until they are used up; the codes it reported."""
    sink = QueueSink()
    scanner = CameraScanner(frames, sink, **options)  # type: ignore[arg-type]
    scanner.start()
    deadline_s = time.monotonic() + WAIT_S
    while scanner.is_running() and time.monotonic() < deadline_s:
        time.sleep(0.01)
    scanner.stop()
    assert scanner.failure is None
    codes: list[str] = []
    while (code := sink.get(timeout_s=0)) is not None:
        codes.append(code.text)
    return codes


def test_a_clean_qr_decodes_with_both_decoders() -> None:
    assert pyzbar_decoder(clean_frame(TOKEN)) == [TOKEN]
    assert opencv_decoder(clean_frame(TOKEN)) == [TOKEN]
    assert default_decoder() is pyzbar_decoder  # libzbar0 is installed here


def test_a_camera_like_frame_decodes_to_a_token_that_verifies() -> None:
    frame = camera_frame(TOKEN)
    assert frame.shape == (720, 1280)
    [text] = pyzbar_decoder(frame)
    assert classify(text, token_key=KEY, now=ISSUED).kind is CodeKind.SIGNED_TOKEN
    assert classify(text, token_key=KEY, now=ISSUED).problem is None
    assert opencv_decoder(frame) == [TOKEN]


def test_a_colour_frame_is_converted_to_grey() -> None:
    colour = cv2.cvtColor(clean_frame("COLOUR-1"), cv2.COLOR_GRAY2BGR)
    assert pyzbar_decoder(colour) == ["COLOUR-1"]
    assert opencv_decoder(colour) == ["COLOUR-1"]


def test_a_frame_without_a_code_decodes_to_nothing() -> None:
    assert pyzbar_decoder(empty_frame()) == []


def test_a_code_held_in_front_of_the_camera_is_reported_once() -> None:
    held = camera_frame("https://antre.example/t/abcdefghijklmnopqrstuvwx", seed=1)
    frames = [held, held, held, empty_frame(), held, clean_frame("MP2026ABC123")]
    assert scan_all(frames) == [
        "https://antre.example/t/abcdefghijklmnopqrstuvwx",
        "MP2026ABC123",
    ]


def test_the_same_code_is_reported_again_after_the_hold_off() -> None:
    clock = FakeClock()
    frame = clean_frame("AGAIN-123")

    def frames() -> Iterator[Frame]:
        for now_s in (0.0, 0.5, 1.0, 5.0, 5.5):
            clock.now_s = now_s
            yield frame

    assert scan_all(frames(), hold_off_s=2.0, clock_s=clock) == ["AGAIN-123", "AGAIN-123"]


def test_noisy_rotated_frames_still_decode_with_pyzbar() -> None:
    for seed, angle_deg in ((2, -35.0), (3, 60.0)):
        frame = camera_frame(TOKEN, angle_deg=angle_deg, noise_sigma=18.0, blur_px=4, seed=seed)
        assert pyzbar_decoder(frame) == [TOKEN]


@settings(max_examples=4, deadline=None, derandomize=True)
@given(
    st.text(st.characters(codec="ascii", categories=["L", "N", "P"]), min_size=1, max_size=60),
    st.floats(-45, 45),
    st.integers(0, 2**16),
)
def test_generated_payloads_survive_the_camera_path(text: str, angle_deg: float, seed: int) -> None:
    assert pyzbar_decoder(camera_frame(text, angle_deg=angle_deg, seed=seed)) == [text]


def test_hold_off_forgets_codes_out_of_sight_long_enough() -> None:
    hold_off = HoldOff(hold_off_s=1.0)
    assert hold_off.admit("A", 0.0)
    assert not hold_off.admit("A", 0.9)
    assert not hold_off.admit("A", 1.8)  # still in sight: every sighting refreshes
    assert hold_off.admit("B", 1.9)
    assert hold_off.admit("A", 3.0)


def test_a_camera_that_cannot_be_opened_is_a_scanner_error() -> None:
    with pytest.raises(ScannerError, match="cannot open camera"):
        OpenCvCamera("/nonexistent/video.mp4")


def test_a_decoder_error_ends_the_scanner_with_the_reason() -> None:
    def broken(frame: Frame) -> list[str]:
        raise ValueError("bad frame")

    sink = QueueSink()
    scanner = CameraScanner([empty_frame()], sink, decoder=broken)
    scanner.start()
    deadline_s = time.monotonic() + WAIT_S
    while scanner.is_running() and time.monotonic() < deadline_s:
        time.sleep(0.01)
    scanner.stop()
    assert isinstance(scanner.failure, ValueError)


def test_frames_from_opencv_video_capture(tmp_path: Path) -> None:
    """The real OpenCV capture path, fed a recorded video instead of a camera."""
    video_path = tmp_path / "scans.avi"
    writer = cv2.VideoWriter(
        str(video_path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (1280, 720), isColor=False
    )
    for frame in [empty_frame(1), camera_frame(TOKEN, seed=4), camera_frame(TOKEN, seed=5)]:
        writer.write(frame)
    writer.release()
    camera = OpenCvCamera(str(video_path))
    assert scan_all(camera, source=f"camera:{video_path}") == [TOKEN]
