"""Camera scanning: frames from OpenCV, decoded with pyzbar (fallback: OpenCV's QR detector).

A code held in front of the camera is in many consecutive frames; :class:`HoldOff`
reports it once, and again only after it has been out of sight for ``hold_off_s``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from devices.errors import MissingDependency, require
from devices.scanner.base import CodeSink, ScannerError, ThreadedScanner

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: A camera frame: grey (height x width) or BGR (height x width x 3), 8-bit.
Frame: TypeAlias = "npt.NDArray[np.uint8]"
FrameDecoder: TypeAlias = Callable[[Frame], list[str]]
DEFAULT_HOLD_OFF_S = 2.0
MAX_FAILED_READS = 50
SMOOTHING_SIGMA_PX = 1.0


class HoldOff:
    """Suppresses a code seen again within ``hold_off_s`` of its previous sighting."""

    def __init__(self, hold_off_s: float = DEFAULT_HOLD_OFF_S) -> None:
        self._hold_off_s = hold_off_s
        self._last_seen_s: dict[str, float] = {}

    def admit(self, text: str, now_s: float) -> bool:
        """Record a sighting; true when it is new enough to report."""
        self._last_seen_s = {
            code: seen_s
            for code, seen_s in self._last_seen_s.items()
            if now_s - seen_s <= self._hold_off_s
        }
        is_new = text not in self._last_seen_s
        self._last_seen_s[text] = now_s
        return is_new


def _grey(frame: Frame) -> Frame:
    if frame.ndim == 2:
        return frame
    cv2 = _cv2()
    grey: Frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return grey


def pyzbar_decoder(frame: Frame) -> list[str]:
    """Every QR code and barcode in ``frame`` (needs pyzbar and Debian ``libzbar0``).

    A frame with nothing found is tried once more slightly smoothed: sensor noise on a
    small or distant code defeats zbar's binariser, and a 1-pixel Gaussian blur removes
    most of it. This doubles the work on empty frames, which only costs frame rate.
    """
    pyzbar = require(
        "pyzbar.pyzbar",
        "pip install pyzbar and apt-get install libzbar0",
        "the OpenCV decoder or the virtual scanner",
    )
    grey = _grey(frame)
    symbols = pyzbar.decode(grey) or pyzbar.decode(_smoothed(grey))
    return [symbol.data.decode("utf-8", errors="replace") for symbol in symbols]


def _smoothed(grey: Frame) -> Frame:
    smoothed: Frame = _cv2().GaussianBlur(grey, (0, 0), SMOOTHING_SIGMA_PX)
    return smoothed


def opencv_decoder(frame: Frame) -> list[str]:
    """QR codes only, with ``cv2.QRCodeDetector`` (slower than pyzbar, no barcodes)."""
    detector = _cv2().QRCodeDetector()
    text, _points, _straight = detector.detectAndDecode(_grey(frame))
    return [text] if text else []


def default_decoder() -> FrameDecoder:
    """pyzbar when it can be loaded, else OpenCV."""
    try:
        require("pyzbar.pyzbar", "pyzbar", "OpenCV")
    except MissingDependency:
        _cv2()
        return opencv_decoder
    return pyzbar_decoder


def _cv2() -> Any:
    return require("cv2", "pip install opencv-python-headless", "the virtual scanner")


class OpenCvCamera:
    """Frames from a camera (index, e.g. ``0`` for /dev/video0), a stream URL or a video
    file (recorded scans for demos and tests; the frames end with the file).

    Raises:
        ScannerError: the camera cannot be opened, or stops delivering frames.
    """

    def __init__(self, device: int | str, *, width: int = 1280, height: int = 720) -> None:
        cv2 = _cv2()
        self._capture = cv2.VideoCapture(device)
        if not self._capture.isOpened():
            raise ScannerError(f"cannot open camera {device}")
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        # Decoding is slower than the frame rate: always take the newest frame.
        self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._device = device
        self._is_file = isinstance(device, str) and Path(device).is_file()

    def __iter__(self) -> Iterator[Frame]:
        failed_reads = 0
        while failed_reads < MAX_FAILED_READS:
            ok, frame = self._capture.read()
            if ok:
                failed_reads = 0
                yield frame
            elif self._is_file:
                return
            else:
                failed_reads += 1
        raise ScannerError(f"camera {self._device} stopped delivering frames")

    def close(self) -> None:
        self._capture.release()


class CameraScanner(ThreadedScanner):
    """Decodes codes from a stream of frames.

    Args:
        frames: the frames (an :class:`OpenCvCamera`, or any iterable of arrays in tests);
            the scanner ends when it is exhausted.
        on_code: receives each new code, on the camera thread.
        decoder: frame to texts (default: :func:`default_decoder`).
        hold_off_s: see :class:`HoldOff`.
        clock_s: monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        frames: Iterable[Frame],
        on_code: CodeSink,
        *,
        source: str = "camera",
        decoder: FrameDecoder | None = None,
        hold_off_s: float = DEFAULT_HOLD_OFF_S,
        clock_s: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(source, on_code)
        self._frames = frames
        self._decoder = decoder
        self._hold_off = HoldOff(hold_off_s)
        self._clock_s = clock_s

    def _open(self) -> None:
        if self._decoder is None:
            self._decoder = default_decoder()

    def _read_loop(self) -> None:
        assert self._decoder is not None  # set by _open
        for frame in self._frames:
            if self._stopping.is_set():
                return
            for text in self._decoder(frame):
                if self._hold_off.admit(text, self._clock_s()):
                    self._emit(text)

    def _close(self) -> None:
        close = getattr(self._frames, "close", None)
        if callable(close):
            close()
