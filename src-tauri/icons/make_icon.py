#!/usr/bin/env python3
"""Draws the Lanparty source icon: three peers joined directly on a dark rounded tile.

It matches the mark in src/App.tsx and needs only the standard library. The platform icon set
(32x32.png, 128x128.png, icon.ico, ...) is derived from its output by the Tauri CLI:

    python3 src-tauri/icons/make_icon.py /tmp/lanparty-icon.png
    npx tauri icon /tmp/lanparty-icon.png --output src-tauri/icons
    cd src-tauri/icons && rm -r android ios Square*Logo.png StoreLogo.png 64x64.png

The last step drops the mobile and Windows Store sets the CLI also writes: Lanparty is a
desktop app, and tauri.conf.json lists only the desktop icons.

Shapes are signed distance functions in a 64-unit design space (the SVG's viewBox), so edges
are anti-aliased at any output size without supersampling.
"""

import math
import struct
import sys
import zlib

DESIGN_SIZE = 64.0
OUTPUT_SIZE_PX = 1024

TILE_CORNER_RADIUS = 14.0
TILE_RGB = (0x17, 0x1A, 0x21)
BORDER_RGB = (0x26, 0x2A, 0x34)
BORDER_WIDTH = 1.0
ACCENT_RGB = (0x7A, 0xA2, 0xFF)
LINK_ALPHA = 0.35
LINK_WIDTH = 3.0
PEER_RADIUS = 6.0
PEERS = [(32.0, 17.0), (18.0, 43.0), (46.0, 43.0)]
LINKS = [(PEERS[0], PEERS[1]), (PEERS[0], PEERS[2]), (PEERS[1], PEERS[2])]


def rounded_square_distance(x, y):
    """Signed distance to the tile outline: negative inside."""
    half = DESIGN_SIZE / 2
    qx = abs(x - half) - (half - TILE_CORNER_RADIUS)
    qy = abs(y - half) - (half - TILE_CORNER_RADIUS)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - TILE_CORNER_RADIUS


def segment_distance(x, y, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy))


def coverage(distance, pixel):
    """Share of a pixel covered by a shape, from its signed distance in design units."""
    return min(max(0.5 - distance / pixel, 0.0), 1.0)


def over(dst, src_rgb, src_alpha):
    """Composites a straight-alpha colour over a straight-alpha RGBA pixel."""
    r, g, b, a = dst
    out_a = src_alpha + a * (1 - src_alpha)
    if out_a == 0:
        return (0.0, 0.0, 0.0, 0.0)
    mix = [(s * src_alpha + d * a * (1 - src_alpha)) / out_a for s, d in zip(src_rgb, (r, g, b))]
    return (mix[0], mix[1], mix[2], out_a)


def shade(x, y, pixel):
    rgba = (0.0, 0.0, 0.0, 0.0)
    tile = rounded_square_distance(x, y)
    rgba = over(rgba, BORDER_RGB, coverage(tile, pixel))
    rgba = over(rgba, TILE_RGB, coverage(tile + BORDER_WIDTH, pixel))
    link = min(segment_distance(x, y, a, b) for a, b in LINKS) - LINK_WIDTH / 2
    rgba = over(rgba, ACCENT_RGB, LINK_ALPHA * coverage(link, pixel))
    peer = min(math.hypot(x - px, y - py) for px, py in PEERS) - PEER_RADIUS
    rgba = over(rgba, ACCENT_RGB, coverage(peer, pixel))
    return rgba


def render(size):
    pixel = DESIGN_SIZE / size
    rows = []
    for j in range(size):
        row = bytearray([0])  # PNG filter type: none
        y = (j + 0.5) * pixel
        for i in range(size):
            r, g, b, a = shade((i + 0.5) * pixel, y, pixel)
            row += bytes((round(r), round(g), round(b), round(a * 255)))
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw_rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw_rows, 9))
        + chunk(b"IEND", b"")
    )


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTPUT.png")
    with open(sys.argv[1], "wb") as out:
        out.write(png(OUTPUT_SIZE_PX, render(OUTPUT_SIZE_PX)))


if __name__ == "__main__":
    main()
