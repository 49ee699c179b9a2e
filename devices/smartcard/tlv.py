"""The small part of BER-TLV (ISO/IEC 7816-4) that passports and secure messaging use."""

from __future__ import annotations

from devices.smartcard.errors import DocumentDataError


def encode_length(length: int) -> bytes:
    """DER length: one byte below 128, else ``81 xx`` or ``82 xx xx``."""
    if length < 0x80:
        return bytes([length])
    if length <= 0xFF:
        return bytes([0x81, length])
    if length <= 0xFFFF:
        return bytes([0x82]) + length.to_bytes(2, "big")
    raise ValueError(f"length {length} is too long for this TLV encoder")


def encode(tag: int, value: bytes) -> bytes:
    """One TLV: ``tag`` (one or two bytes, as an int), length, value."""
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    return tag_bytes + encode_length(len(value)) + value


def _read_tag(data: bytes, offset: int) -> tuple[int, int]:
    tag = data[offset]
    offset += 1
    if tag & 0x1F == 0x1F:  # multi-byte tag: continuation bytes have bit 8 set
        for _ in range(3):
            tag = (tag << 8) | data[offset]
            offset += 1
            if not data[offset - 1] & 0x80:
                break
    return tag, offset


def _read_length(data: bytes, offset: int) -> tuple[int, int]:
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if count not in (1, 2, 3):
        raise DocumentDataError(f"unsupported TLV length form 0x{first:02X}")
    return int.from_bytes(data[offset + 1 : offset + 1 + count], "big"), offset + 1 + count


def read_header(data: bytes, offset: int = 0) -> tuple[int, int, int]:
    """Tag, value length and the offset where the value starts.

    Raises:
        DocumentDataError: the header is cut off or uses an unsupported form.
    """
    try:
        tag, offset = _read_tag(data, offset)
        length, offset = _read_length(data, offset)
    except IndexError as err:
        raise DocumentDataError("TLV header is cut off") from err
    return tag, length, offset


def parse(data: bytes) -> list[tuple[int, bytes]]:
    """All top-level TLVs in ``data``, in order.

    Raises:
        DocumentDataError: a header is malformed or a value runs past the end.
    """
    objects: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(data):
        tag, length, start = read_header(data, offset)
        if start + length > len(data):
            raise DocumentDataError(f"TLV 0x{tag:X} runs past the end of the data")
        objects.append((tag, data[start : start + length]))
        offset = start + length
    return objects


def find(data: bytes, tag: int) -> bytes:
    """The value of the first top-level TLV with ``tag``.

    Raises:
        DocumentDataError: there is no such TLV.
    """
    for found_tag, value in parse(data):
        if found_tag == tag:
            return value
    raise DocumentDataError(f"TLV 0x{tag:X} is missing")
