"""Synthetic camera frames holding a QR code: clean, and degraded like a real camera's."""

from __future__ import annotations

import cv2
import numpy as np
import qrcode

from devices.scanner.camera import Frame

FRAME_SHAPE = (720, 1280)  # height, width


def qr_image(text: str, *, module_px: int = 8) -> Frame:
    """The QR code for ``text`` as a grey image, with its quiet zone."""
    image = qrcode.make(text, box_size=module_px, border=4).convert("L")
    return np.asarray(image, dtype=np.uint8)


def clean_frame(text: str) -> Frame:
    """The QR code as it is rendered, nothing else."""
    return qr_image(text)


def camera_frame(
    text: str,
    *,
    qr_px: int = 260,
    angle_deg: float = 17.0,
    noise_sigma: float = 12.0,
    blur_px: int = 3,
    seed: int = 0,
) -> Frame:
    """A 1280x720 grey frame: the QR scaled to ``qr_px``, rotated, blurred and noisy,
    on a mid-grey background with uneven lighting."""
    random = np.random.default_rng(seed)
    code = cv2.resize(qr_image(text), (qr_px, qr_px), interpolation=cv2.INTER_NEAREST)
    height, width = FRAME_SHAPE
    frame = np.full(FRAME_SHAPE, 120, dtype=np.float32)
    frame += np.linspace(-25, 25, width, dtype=np.float32)[None, :]  # light from one side
    top, left = (height - qr_px) // 2, (width - qr_px) // 3
    frame[top : top + qr_px, left : left + qr_px] = code
    centre = (left + qr_px / 2, top + qr_px / 2)
    rotation = cv2.getRotationMatrix2D(centre, angle_deg, 1.0)
    frame = cv2.warpAffine(frame, rotation, (width, height), borderMode=cv2.BORDER_REPLICATE)
    if blur_px:
        frame = cv2.GaussianBlur(frame, (0, 0), blur_px / 3)
    frame += random.normal(0.0, noise_sigma, FRAME_SHAPE).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def empty_frame(seed: int = 0) -> Frame:
    """A frame with noise and no code."""
    random = np.random.default_rng(seed)
    return np.clip(random.normal(120, 12, FRAME_SHAPE), 0, 255).astype(np.uint8)
