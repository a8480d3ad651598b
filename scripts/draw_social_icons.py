"""Draw the footer's social icons: our own simple shapes, no third-party logo copied.

Run ``python scripts/draw_social_icons.py`` to write the PNGs to templates/web/static/social/
(standard library only, so it runs in any checkout: a 4x4-supersampled rasteriser and a small
PNG writer). Each icon is a grey disc with a white letter or shape, 64 px square, shown at
32 px (sharp on 2x screens);
the email links them from the site's base URL (``/static/social/<name>.png``), so no reader's
mail client asks a third party for them.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

SIZE = 64
DISC = (0x52, 0x60, 0x6D)  # the footer's text colour: 5.7:1 on its #eef1f5 background
INK = (0xFF, 0xFF, 0xFF)
Segment = tuple[float, float, float, float]


def _near(x: float, y: float, seg: Segment, width: float) -> bool:
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / ((dx * dx + dy * dy) or 1)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy) <= width / 2


def _arc(cx: float, cy: float, r: float, start: float, end: float) -> list[Segment]:
    steps = 12
    points = [
        (
            cx + r * math.cos(math.radians(start + (end - start) * i / steps)),
            cy - r * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]
    return [(*a, *b) for a, b in zip(points, points[1:], strict=False)]


def strokes(segments: list[Segment], width: float) -> Callable[[float, float], bool]:
    return lambda x, y: any(_near(x, y, s, width) for s in segments)


def _triangle(x: float, y: float) -> bool:
    return 26 <= x <= 42 and abs(y - 32) <= (42 - x) * 0.55


def _camera(x: float, y: float) -> bool:
    inside = 17 <= x <= 47 and 17 <= y <= 47
    edge = inside and not (21 <= x <= 43 and 21 <= y <= 43)
    lens = 4.5 <= math.hypot(x - 32, y - 32) <= 8.5
    return edge or lens or math.hypot(x - 39.5, y - 24.5) <= 2


GLYPHS: dict[str, Callable[[float, float], bool]] = {
    "facebook": strokes([(34, 48, 34, 26), (27, 31, 41, 31), *_arc(40, 24, 6, 180, 60)], 5),
    "x": strokes([(22, 20, 42, 44), (42, 20, 22, 44)], 5),
    "linkedin": lambda x, y: (
        strokes(
            [(23, 30, 23, 44), (32, 30, 32, 44), (41, 36, 41, 44), *_arc(36.5, 36, 4.5, 180, 0)],
            4.5,
        )(x, y)
        or math.hypot(x - 23, y - 22.5) <= 3
    ),
    "instagram": _camera,
    "youtube": _triangle,
    "mastodon": strokes(
        [(20, 44, 20, 22), (20, 22, 32, 36), (32, 36, 44, 22), (44, 22, 44, 44)], 4.5
    ),
    "web": lambda x, y: (
        10.5 <= math.hypot(x - 32, y - 32) <= 14
        or strokes([(19, 32, 45, 32), (32, 19, 32, 45)], 3)(x, y)
    ),
}
GLYPHS["twitter"] = GLYPHS["x"]


def draw(glyph: Callable[[float, float], bool]) -> bytes:
    rows = []
    for py in range(SIZE):
        row = bytearray(b"\x00")  # PNG filter type 0 for the row
        for px in range(SIZE):
            disc = ink = 0
            for sy in range(4):
                for sx in range(4):
                    x, y = px + (sx + 0.5) / 4, py + (sy + 0.5) / 4
                    if math.hypot(x - 32, y - 32) <= 31.5:
                        disc += 1
                        ink += glyph(x, y)
            colour = [
                round((d * (disc - ink) + i * ink) / disc) if disc else 0
                for d, i in zip(DISC, INK, strict=True)
            ]
            row += bytes([*colour, round(255 * disc / 16)])
        rows.append(bytes(row))
    return png(SIZE, SIZE, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1] / "templates" / "web" / "static" / "social"
    for name, glyph in GLYPHS.items():
        (here / f"{name}.png").write_bytes(draw(glyph))
