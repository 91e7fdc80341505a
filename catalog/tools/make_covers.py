#!/usr/bin/env python3
"""Generate one SVG cover per game in catalog/catalog.json.

Each cover is a self-contained 600x900 (2:3, library-style) SVG: a dark gradient,
a genre-specific geometric motif whose layout is seeded from the game's id, and the
title set large near the bottom with the genre in small caps above it. No fonts,
images or links are referenced, so the files render the same everywhere.

Usage (from the repository root):

    python3 catalog/tools/make_covers.py            # every game in catalog/catalog.json
    python3 catalog/tools/make_covers.py --catalog other.json --out some/covers
    python3 catalog/tools/make_covers.py --only xonotic

Standard library only. The output is deterministic: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import colorsys
import hashlib
from itertools import combinations
import json
import math
import random
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

W, H = 600, 900
MARGIN = 48
TEXT_WIDTH = W - 2 * MARGIN
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
SIZE_BUDGET = 6 * 1024


# --------------------------------------------------------------------------- colour


def hsl(h: float, s: float, l: float) -> str:
    """CSS-free hex colour from hue in degrees, saturation and lightness in 0..1."""
    r, g, b = colorsys.hls_to_rgb((h % 360) / 360, max(0, min(1, l)), max(0, min(1, s)))
    return "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))


# Genre keyword -> (motif variants, (base hue, accent hue) palettes); first match wins.
# The game's id picks one variant and one palette, so games of one genre still differ.
GENRES = [
    ("turn-based", ["hex"], [(262, 44), (222, 40), (16, 196)]),
    ("artillery", ["arcs"], [(318, 52), (200, 40)]),
    ("shooter", ["shards", "slashes", "rings"], [(356, 24), (16, 46), (222, 188), (282, 330), (166, 54)]),
    ("racing", ["speed"], [(282, 32), (250, 190)]),
    ("sandbox", ["cubes"], [(146, 86), (200, 150)]),
    ("voxel", ["cubes"], [(146, 86), (200, 150)]),
    ("simulation", ["tracks"], [(178, 48), (212, 28)]),
    ("strategy", ["contours", "radar"], [(208, 42), (28, 192), (146, 46), (352, 36)]),
    ("arcade", ["grid"], [(212, 188), (262, 320)]),
]
FALLBACK = (["contours", "rings"], [(h, h + 150) for h in range(0, 360, 30)])


def style_for(genre: str, rng: random.Random) -> tuple[str, float, float]:
    g = genre.lower()
    motifs, palettes = next(((m, p) for word, m, p in GENRES if word in g), FALLBACK)
    motif = rng.choice(motifs)
    base, accent = rng.choice(palettes)
    jitter = rng.uniform(-8, 8)
    return motif, base + jitter, accent + jitter / 2


# --------------------------------------------------------------------------- helpers


def n(v: float) -> str:
    """A coordinate, rounded to keep files small."""
    return str(int(round(v)))


def pts(points) -> str:
    return " ".join(f"{n(x)},{n(y)}" for x, y in points)


def smooth_closed(points) -> str:
    """Closed Catmull-Rom spline through points, as cubic Bezier path data."""
    k = len(points)
    d = [f"M{n(points[0][0])} {n(points[0][1])}"]
    for i in range(k):
        p0, p1, p2, p3 = (points[(i + j) % k] for j in (-1, 0, 1, 2))
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        d.append(f"C{n(c1[0])} {n(c1[1])} {n(c2[0])} {n(c2[1])} {n(p2[0])} {n(p2[1])}")
    return "".join(d) + "Z"


# --------------------------------------------------------------------------- motifs
# Each motif returns (defs, body) SVG fragments drawn over the background and under
# the text scrim. `a` is the accent colour, `b` a light tint of the base hue.


def motif_shards(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.58), hsl(base, 0.9, 0.62)
    fx, fy = rng.uniform(200, 400), rng.uniform(260, 400)
    out = []
    angle = rng.uniform(0, 360)
    for i in range(rng.randint(10, 13)):
        angle += rng.uniform(18, 40)
        spread = rng.uniform(6, 16)
        r1, r2 = rng.uniform(40, 120), rng.uniform(300, 620)
        p = [
            (fx + r1 * math.cos(math.radians(angle)), fy + r1 * math.sin(math.radians(angle))),
            (fx + r2 * math.cos(math.radians(angle - spread)), fy + r2 * math.sin(math.radians(angle - spread))),
            (fx + r2 * 0.8 * math.cos(math.radians(angle + spread)), fy + r2 * 0.8 * math.sin(math.radians(angle + spread))),
        ]
        colour = a if i % 3 == 0 else b
        out.append(f'<polygon points="{pts(p)}" fill="{colour}" opacity="{rng.uniform(0.08, 0.3):.2f}"/>')
    r = rng.uniform(70, 100)
    out.append(f'<circle cx="{n(fx)}" cy="{n(fy)}" r="{n(r)}" fill="none" stroke="{a}" stroke-width="3" opacity=".8"/>')
    out.append(
        f'<circle cx="{n(fx)}" cy="{n(fy)}" r="{n(r * 1.7)}" fill="none" stroke="{b}" stroke-width="2" '
        f'stroke-dasharray="4 14" opacity=".6"/>'
    )
    ticks = "".join(
        f"M{n(fx + dx * r * 0.55)} {n(fy + dy * r * 0.55)}L{n(fx + dx * r * 1.35)} {n(fy + dy * r * 1.35)}"
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1))
    )
    out.append(f'<path d="{ticks}" stroke="{a}" stroke-width="3"/>')
    out.append(f'<circle cx="{n(fx)}" cy="{n(fy)}" r="5" fill="{a}"/>')
    return "", "".join(out)


def motif_hex(rng, base, accent):
    a, b = hsl(accent, 0.9, 0.6), hsl(base + 30, 0.6, 0.7)
    s = rng.choice((34, 40, 46))
    w = math.sqrt(3) * s
    tile = (
        f"M0 {n(s / 2)}L{n(w / 2)} 0L{n(w)} {n(s / 2)}L{n(w)} {n(1.5 * s)}L{n(w / 2)} {n(2 * s)}"
        f"L0 {n(1.5 * s)}ZM{n(w / 2)} {n(2 * s)}V{n(3 * s)}"
    )
    cx, cy = rng.uniform(180, 420), rng.uniform(260, 400)
    defs = (
        f'<pattern id="p" width="{w:.2f}" height="{3 * s}" patternUnits="userSpaceOnUse">'
        f'<path d="{tile}" fill="none" stroke="{b}" stroke-width="1.5"/></pattern>'
        f'<radialGradient id="f"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#fff" stop-opacity="0"/>'
        f'</radialGradient><mask id="m"><circle cx="{n(cx)}" cy="{n(cy)}" r="420" fill="url(#f)"/></mask>'
    )
    out = [f'<rect width="{W}" height="{H}" fill="url(#p)" mask="url(#m)" opacity=".55"/>']

    def cell(col, row):
        x = col * w + (w / 2 if row % 2 == 0 else 0)
        y = s + row * 1.5 * s
        return [(x + s * math.cos(math.radians(60 * k - 30)), y + s * math.sin(math.radians(60 * k - 30))) for k in range(6)]

    c0, r0 = int(cx / w), int((cy - s) / (1.5 * s))
    sides = (a, hsl(base + 170, 0.7, 0.58))
    for i in range(rng.randint(7, 10)):
        col, row = c0 + rng.randint(-3, 3), r0 + rng.randint(-3, 3)
        out.append(f'<polygon points="{pts(cell(col, row))}" fill="{sides[i % 2]}" opacity="{rng.uniform(0.18, 0.5):.2f}"/>')
    out.append(f'<polygon points="{pts(cell(c0, r0))}" fill="none" stroke="{a}" stroke-width="4"/>')
    return defs, "".join(out)


def motif_contours(rng, base, accent):
    a, b = hsl(accent, 0.9, 0.6), hsl(base, 0.55, 0.68)
    cx, cy = rng.uniform(200, 400), rng.uniform(250, 380)
    waves = [(k, rng.uniform(0.04, 0.12), rng.uniform(0, math.tau)) for k in (2, 3, 5)]
    out = []
    rings = 7
    for i in range(rings):
        radius = 40 + i * rng.uniform(34, 42)
        p = []
        for j in range(16):
            t = math.tau * j / 16
            wob = 1 + sum(amp * math.sin(k * t + ph + i * 0.25) for k, amp, ph in waves)
            p.append((cx + radius * wob * math.cos(t), cy + radius * wob * 1.1 * math.sin(t)))
        colour, width = (a, 3) if i == 2 else (b, 1.5)
        out.append(
            f'<path d="{smooth_closed(p)}" fill="none" stroke="{colour}" stroke-width="{width}" '
            f'opacity="{max(0.15, 0.75 - i * 0.07):.2f}"/>'
        )
    for _ in range(4):
        x, y = rng.uniform(60, 540), rng.uniform(90, 560)
        out.append(f'<path d="M{n(x - 9)} {n(y)}H{n(x + 9)}M{n(x)} {n(y - 9)}V{n(y + 9)}" stroke="{b}" stroke-width="2" opacity=".6"/>')
    for i in range(rng.randint(3, 5)):
        ang, dist = rng.uniform(0, math.tau), rng.uniform(60, 220)
        x, y = cx + dist * math.cos(ang), cy + dist * math.sin(ang)
        colour = a if i % 2 == 0 else hsl(base + 180, 0.8, 0.62)
        out.append(f'<polygon points="{pts([(x, y - 11), (x + 10, y + 7), (x - 10, y + 7)])}" fill="{colour}"/>')
    return "", "".join(out)


def motif_speed(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.58), hsl(base + 20, 0.8, 0.66)
    cx, cy, r = rng.uniform(220, 380), rng.uniform(250, 330), rng.uniform(120, 150)
    defs = (
        f'<linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{hsl(accent + 18, 1, 0.62)}"/>'
        f'<stop offset="1" stop-color="{hsl(base + 40, 0.9, 0.5)}"/></linearGradient>'
    )
    out = [f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{n(r)}" fill="url(#s)"/>']
    bg = hsl(base, 0.5, 0.1)
    for i in range(5):  # retro cut-outs across the lower half of the sun
        y = cy + r * (0.15 + i * 0.17)
        out.append(f'<rect x="{n(cx - r)}" y="{n(y)}" width="{n(2 * r)}" height="{3 + i * 2}" fill="{bg}"/>')
    horizon = cy + r * 0.95
    out.append(f'<path d="M0 {n(horizon)}H{W}" stroke="{a}" stroke-width="2" opacity=".8"/>')
    road = "".join(f"M{n(W / 2 + dx * 12)} {n(horizon)}L{n(W / 2 + dx * 260)} {H}" for dx in (-3, -1, 1, 3))
    out.append(f'<path d="{road}" stroke="{b}" stroke-width="2" opacity=".35"/>')
    for _ in range(rng.randint(9, 12)):
        x, y = rng.uniform(-120, 520), rng.uniform(80, 620)
        length, th = rng.uniform(120, 320), rng.choice((3, 4, 6, 8))
        colour = a if rng.random() < 0.4 else b
        out.append(
            f'<rect x="{n(x)}" y="{n(y)}" width="{n(length)}" height="{th}" rx="{th / 2:g}" fill="{colour}" '
            f'opacity="{rng.uniform(0.25, 0.75):.2f}" transform="rotate(-18 {n(x)} {n(y)})"/>'
        )
    return defs, "".join(out)


def motif_cubes(rng, base, accent):
    top, left, right = hsl(accent, 0.75, 0.62), hsl(base, 0.6, 0.42), hsl(base, 0.6, 0.3)
    size = rng.choice((44, 50, 56))
    dx, dy = size * math.sqrt(3) / 2, size / 2
    ox, oy = rng.uniform(270, 330), rng.uniform(330, 400)
    cells = set()
    for x in range(-2, 3):
        for y in range(-2, 3):
            hmax = 3 - max(abs(x), abs(y)) + rng.randint(-1, 1)
            for z in range(max(0, hmax)):
                cells.add((x, y, z))
    out = []
    for x, y, z in sorted(cells, key=lambda c: (c[0] + c[1], c[2])):
        cx, cy = ox + (x - y) * dx, oy + (x + y) * dy - z * size
        faces = (  # each face is skipped when the neighbouring cube covers it
            ((x, y, z + 1), top, [(cx, cy - size), (cx + dx, cy - size + dy), (cx, cy - size + 2 * dy), (cx - dx, cy - size + dy)]),
            ((x, y + 1, z), left, [(cx - dx, cy - size + dy), (cx, cy - size + 2 * dy), (cx, cy + 2 * dy), (cx - dx, cy + dy)]),
            ((x + 1, y, z), right, [(cx + dx, cy - size + dy), (cx, cy - size + 2 * dy), (cx, cy + 2 * dy), (cx + dx, cy + dy)]),
        )
        out.extend(f'<polygon points="{pts(p)}" fill="{c}"/>' for cover, c, p in faces if cover not in cells)
    return "", f'<g opacity=".9" stroke="#000" stroke-opacity=".25" stroke-width="1">{"".join(out)}</g>'


def motif_tracks(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.6), hsl(base, 0.6, 0.66)
    out = []
    for i in range(rng.randint(3, 4)):
        y0, y1 = rng.uniform(60, 600), rng.uniform(60, 600)
        c1 = (rng.uniform(150, 300), rng.uniform(0, 700))
        c2 = (rng.uniform(300, 450), rng.uniform(0, 700))
        d = f"M-20 {n(y0)}C{n(c1[0])} {n(c1[1])} {n(c2[0])} {n(c2[1])} {W + 20} {n(y1)}"
        colour = a if i == 0 else b
        out.append(f'<path d="{d}" stroke="{colour}" stroke-width="18" stroke-dasharray="3 9" opacity=".45"/>')
        out.append(f'<path d="{d}" stroke="{colour}" stroke-width="3" opacity=".85"/>')
    for _ in range(rng.randint(4, 6)):
        x, y = rng.uniform(60, 540), rng.uniform(80, 580)
        out.append(f'<rect x="{n(x - 9)}" y="{n(y - 9)}" width="18" height="18" rx="4" fill="{a}" stroke="#fff" stroke-width="2"/>')
    return "", f'<g fill="none">{"".join(out)}</g>'


def motif_arcs(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.6), hsl(base, 0.7, 0.62)
    ground = rng.uniform(470, 540)
    hills = [(x, ground + 45 * math.sin(x / 70 + rng.uniform(0, 0.4)) + rng.uniform(-15, 15)) for x in range(-60, W + 90, 60)]
    d = "M" + "L".join(f"{n(x)} {n(y)}" for x, y in hills) + f"V{H}H-60Z"
    out = [f'<path d="{d}" fill="{hsl(base, 0.45, 0.2)}" stroke="{b}" stroke-width="3"/>']
    for i in range(3):
        x0, x1 = rng.uniform(40, 200), rng.uniform(400, 560)
        peak = rng.uniform(90, 260)
        y0, y1 = ground - 20, ground - rng.uniform(0, 60)
        out.append(
            f'<path d="M{n(x0)} {n(y0)}Q{n((x0 + x1) / 2)} {n(2 * peak - (y0 + y1) / 2)} {n(x1)} {n(y1)}" fill="none" '
            f'stroke="{a if i == 0 else b}" stroke-width="3" stroke-dasharray="2 12" stroke-linecap="round"/>'
        )
        if i == 0:
            for k in range(8):  # burst where the shot lands
                t = math.tau * k / 8
                out.append(
                    f'<path d="M{n(x1 + 14 * math.cos(t))} {n(y1 + 14 * math.sin(t))}L{n(x1 + 40 * math.cos(t))} '
                    f'{n(y1 + 40 * math.sin(t))}" stroke="{a}" stroke-width="4" stroke-linecap="round"/>'
                )
            out.append(f'<circle cx="{n(x1)}" cy="{n(y1)}" r="9" fill="{a}"/>')
    for _ in range(5):
        out.append(f'<circle cx="{n(rng.uniform(30, 570))}" cy="{n(rng.uniform(70, 380))}" r="{n(rng.uniform(3, 7))}" fill="{b}" opacity=".6"/>')
    return "", "".join(out)


def motif_grid(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.6), hsl(accent + 200, 0.95, 0.6)
    line = hsl(accent, 0.8, 0.55)
    horizon = rng.uniform(330, 390)
    vx = W / 2 + rng.uniform(-60, 60)
    d = "".join(f"M{n(vx)} {n(horizon)}L{n(vx + k * 90)} {H}" for k in range(-9, 10))
    y, step = horizon, 6.0
    while y < H:
        y += step
        step *= 1.32
        d += f"M0 {n(y)}H{W}"
    defs = (
        f'<linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{line}" stop-opacity="0"/>'
        f'<stop offset=".35" stop-color="{line}"/></linearGradient>'
        f'<radialGradient id="h"><stop offset="0" stop-color="{a}" stop-opacity=".5"/>'
        f'<stop offset="1" stop-color="{a}" stop-opacity="0"/></radialGradient>'
    )
    out = [
        f'<ellipse cx="{n(vx)}" cy="{n(horizon)}" rx="380" ry="90" fill="url(#h)"/>',
        f'<path d="M0 {n(horizon)}H{W}" stroke="{a}" stroke-width="3"/>',
        f'<path d="{d}" stroke="url(#g)" stroke-width="1.5" opacity=".7"/>',
    ]
    for i, colour in enumerate((a, b)):
        heading = 1 if i == 0 else -1
        x, yy = (rng.uniform(40, 200) if heading > 0 else rng.uniform(400, 560)), rng.uniform(horizon + 50, 560)
        trail = [(x, yy)]
        for k in range(rng.randint(4, 6)):
            if k % 2 == 0:
                x = min(560, max(40, x + heading * rng.uniform(90, 200)))
            else:
                yy = min(580, max(horizon + 30, yy + rng.choice((-1, 1)) * rng.uniform(50, 140)))
            trail.append((x, yy))
        out.append(f'<polyline points="{pts(trail)}" fill="none" stroke="{colour}" stroke-width="12" opacity=".25"/>')
        out.append(f'<polyline points="{pts(trail)}" fill="none" stroke="{colour}" stroke-width="4"/>')
        out.append(f'<circle cx="{n(x)}" cy="{n(yy)}" r="7" fill="#fff"/>')
    return defs, "".join(out)


def motif_slashes(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.58), hsl(base, 0.85, 0.6)
    tilt = rng.uniform(24, 36)
    out = []
    x = rng.uniform(-260, -120)
    while x < W + 200:
        width = rng.choice((10, 18, 34, 60, 90))
        colour = a if rng.random() < 0.3 else b
        out.append(
            f'<rect x="{n(x)}" y="-200" width="{width}" height="1400" fill="{colour}" '
            f'opacity="{rng.uniform(0.08, 0.32):.2f}"/>'
        )
        x += width + rng.uniform(20, 90)
    cx, cy = rng.uniform(200, 400), rng.uniform(280, 380)
    chevron = f"M{n(cx - 90)} {n(cy - 60)}L{n(cx)} {n(cy + 20)}L{n(cx + 90)} {n(cy - 60)}"
    return "", (
        f'<g transform="rotate({tilt:.0f} 300 450)">{"".join(out)}</g>'
        f'<path d="{chevron}" fill="none" stroke="{a}" stroke-width="12" stroke-linejoin="miter"/>'
        f'<path d="{chevron}" fill="none" stroke="{b}" stroke-width="3" transform="translate(0 -40)" opacity=".8"/>'
    )


def motif_rings(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.6), hsl(base, 0.8, 0.64)
    cx, cy = rng.uniform(320, 520), rng.uniform(220, 360)
    out = []
    r = 30
    for i in range(9):
        r += rng.uniform(22, 46)
        width = rng.choice((1.5, 2, 3, 6, 10))
        dash = rng.choice(("", "", f' stroke-dasharray="{rng.randint(20, 120)} {rng.randint(8, 40)}"'))
        colour = a if i % 4 == 1 else b
        out.append(
            f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{n(r)}" stroke="{colour}" stroke-width="{width:g}"{dash} '
            f'opacity="{rng.uniform(0.3, 0.85):.2f}" transform="rotate({rng.randint(0, 359)} {n(cx)} {n(cy)})"/>'
        )
    out.append(f'<circle cx="{n(cx)}" cy="{n(cy)}" r="14" fill="{a}" stroke="none"/>')
    return "", f'<g fill="none">{"".join(out)}</g>'


def motif_radar(rng, base, accent):
    a, b = hsl(accent, 0.95, 0.6), hsl(base, 0.6, 0.66)
    cx, cy = rng.uniform(230, 370), rng.uniform(290, 360)
    out = [
        f'<circle cx="{n(cx)}" cy="{n(cy)}" r="{r}" stroke="{b}" stroke-width="{2 if r % 120 else 1}" opacity=".5"/>'
        for r in range(60, 420, 60)
    ]
    out.append(f'<path d="M{n(cx - 400)} {n(cy)}H{n(cx + 400)}M{n(cx)} {n(cy - 400)}V{n(cy + 400)}" stroke="{b}" opacity=".35"/>')
    sweep = rng.uniform(0, 360)
    r = 330
    p1 = (cx + r * math.cos(math.radians(sweep)), cy + r * math.sin(math.radians(sweep)))
    p2 = (cx + r * math.cos(math.radians(sweep + 50)), cy + r * math.sin(math.radians(sweep + 50)))
    defs = (
        f'<linearGradient id="w" x1="{0.5 + 0.5 * math.cos(math.radians(sweep + 60)):.2f}" '
        f'y1="{0.5 + 0.5 * math.sin(math.radians(sweep + 60)):.2f}" x2="{0.5 + 0.5 * math.cos(math.radians(sweep - 20)):.2f}" '
        f'y2="{0.5 + 0.5 * math.sin(math.radians(sweep - 20)):.2f}"><stop offset="0" stop-color="{a}" stop-opacity=".55"/>'
        f'<stop offset="1" stop-color="{a}" stop-opacity="0"/></linearGradient>'
    )
    out.append(f'<path d="M{n(cx)} {n(cy)}L{n(p1[0])} {n(p1[1])}A{r} {r} 0 0 1 {n(p2[0])} {n(p2[1])}Z" fill="url(#w)" stroke="none"/>')
    out.append(f'<path d="M{n(cx)} {n(cy)}L{n(p2[0])} {n(p2[1])}" stroke="{a}" stroke-width="3"/>')
    for i in range(rng.randint(5, 8)):
        ang, dist = rng.uniform(0, math.tau), rng.uniform(50, 300)
        x, y = cx + dist * math.cos(ang), cy + dist * math.sin(ang)
        colour = a if i % 3 else hsl(base + 180, 0.9, 0.62)
        out.append(f'<circle cx="{n(x)}" cy="{n(y)}" r="12" fill="{colour}" opacity=".25" stroke="none"/>')
        out.append(f'<circle cx="{n(x)}" cy="{n(y)}" r="5" fill="{colour}" stroke="none"/>')
    return defs, f'<g fill="none">{"".join(out)}</g>'


MOTIFS = {
    "shards": motif_shards,
    "slashes": motif_slashes,
    "rings": motif_rings,
    "radar": motif_radar,
    "hex": motif_hex,
    "contours": motif_contours,
    "speed": motif_speed,
    "cubes": motif_cubes,
    "tracks": motif_tracks,
    "arcs": motif_arcs,
    "grid": motif_grid,
}


# --------------------------------------------------------------------------- text

# Advance widths (1/1000 em) of Helvetica Bold, the metric twin of Arial Bold; Inter and
# Segoe UI run a little wider, which FONT_SLACK covers.
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278)
        + (556,) * 10
        + (333, 333, 584, 584, 584, 611, 975)
        + (722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833)
        + (722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)
        + (333, 278, 333, 584, 556, 333)
        + (556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889)
        + (611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500)
        + (389, 280, 389, 584),
    )
)
FONT_SLACK = 1.06


def text_width(text: str, size: float, spacing: float = 0) -> float:
    """Approximate advance width of bold sans-serif text, in px."""
    em = sum(_WIDTHS.get(ch, 722) for ch in text) / 1000
    return em * size * FONT_SLACK + spacing * len(text)


def fit_line(text: str, size: float, spacing: float = 0) -> str:
    """`text`, cut short with an ellipsis if it is still wider than the text column."""
    if text_width(text, size, spacing) <= TEXT_WIDTH:
        return text
    while text and text_width(text + "\u2026", size, spacing) > TEXT_WIDTH:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def layout_title(title: str) -> tuple[list[str], int]:
    """Lines (one to three) and font size so the title fits the text column."""
    words = title.split()
    # (most lines, largest size, smallest size at which this many lines is preferred)
    for count, cap, floor in ((1, 104, 74), (2, 92, 44), (3, 64, 0)):
        if count > len(words):
            break
        best = None
        for cuts in combinations(range(1, len(words)), count - 1):
            bounds = (0, *cuts, len(words))
            lines = [" ".join(words[i:j]) for i, j in zip(bounds, bounds[1:])]
            widest = max(text_width(line, 1) for line in lines)
            if best is None or widest < best[0]:
                best = (widest, lines)
        widest, lines = best
        size = min(cap, TEXT_WIDTH / widest)
        if size >= floor:
            break
    size = int(max(24, size))
    return [fit_line(line, size) for line in lines], size


# --------------------------------------------------------------------------- cover


def cover_svg(game: dict) -> str:
    gid = game["id"]
    rng = random.Random(int(hashlib.sha256(gid.encode()).hexdigest()[:16], 16))
    motif, base, accent = style_for(game["genre"], rng)

    top, bottom = hsl(base, 0.5, 0.17), hsl(base + 28, 0.55, 0.05)
    glow = hsl(base, 0.85, 0.5)
    angle = rng.uniform(-0.25, 0.25)
    gx, gy = rng.uniform(0.3, 0.7), rng.uniform(0.22, 0.42)

    motif_defs, motif_body = MOTIFS[motif](rng, base, accent)

    lines, size = layout_title(game["title"])
    line_gap = round(size * 1.02)
    last_y = H - 84
    first_y = last_y - line_gap * (len(lines) - 1)
    genre_y = first_y - round(size * 0.82) - 18
    bar_y = genre_y - 40
    accent_colour = hsl(accent, 0.95, 0.64)
    genre = game["genre"].upper()
    genre_size = 22
    while genre_size > 14 and text_width(genre, genre_size, 4) > TEXT_WIDTH:
        genre_size -= 1
    genre = fit_line(genre, genre_size, 4)

    title_tspans = "".join(
        f'<tspan x="{MARGIN}" y="{first_y + i * line_gap}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        f'role="img" aria-label="{escape(game["title"], {chr(34): "&quot;"})}">'
        f"<defs>"
        f'<linearGradient id="bg" x1="{0.5 - angle:.2f}" y1="0" x2="{0.5 + angle:.2f}" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient>'
        f'<radialGradient id="gl" cx="{gx:.2f}" cy="{gy:.2f}" r=".6">'
        f'<stop offset="0" stop-color="{glow}" stop-opacity=".55"/><stop offset="1" stop-color="{glow}" stop-opacity="0"/>'
        f"</radialGradient>"
        f'<linearGradient id="sc" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="#05060a" stop-opacity="0"/><stop offset=".55" stop-color="#05060a" stop-opacity=".82"/>'
        f'<stop offset="1" stop-color="#05060a" stop-opacity=".96"/></linearGradient>'
        f"{motif_defs}</defs>"
        f'<rect width="{W}" height="{H}" fill="url(#bg)"/>'
        f'<rect width="{W}" height="{H}" fill="url(#gl)"/>'
        f"{motif_body}"
        f'<rect y="{H - 480}" width="{W}" height="480" fill="url(#sc)"/>'
        f'<rect x="14" y="14" width="{W - 28}" height="{H - 28}" rx="10" fill="none" stroke="#fff" stroke-opacity=".1" stroke-width="2"/>'
        f'<g font-family="{FONT}">'
        f'<rect x="{MARGIN}" y="{bar_y}" width="44" height="5" rx="2.5" fill="{accent_colour}"/>'
        f'<text x="{MARGIN}" y="{genre_y}" font-size="{genre_size}" font-weight="600" letter-spacing="4" fill="{accent_colour}">'
        f"{escape(genre)}</text>"
        f'<text font-size="{size}" font-weight="800" letter-spacing="{-round(size / 40)}" fill="#f5f6fa">{title_tspans}</text>'
        f"</g></svg>\n"
    )
    return scope_ids(svg, f"c-{gid}-")


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and its url(#...) uses) so covers inlined into one page never clash."""
    for ident in re.findall(r' id="([^"]+)"', svg):
        svg = svg.replace(f' id="{ident}"', f' id="{prefix}{ident}"').replace(f"url(#{ident})", f"url(#{prefix}{ident})")
    return svg


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=here / "catalog.json", help="catalog JSON to read")
    parser.add_argument("--out", type=Path, help="folder for the SVGs (default: covers/ beside the catalog)")
    parser.add_argument("--only", action="append", metavar="ID", help="write only this game's cover (repeatable)")
    args = parser.parse_args(argv)

    with open(args.catalog, encoding="utf-8") as f:
        games = json.load(f)["games"]
    out_dir = args.out or args.catalog.resolve().parent / "covers"
    out_dir.mkdir(parents=True, exist_ok=True)

    wanted = set(args.only or ())
    unknown = wanted - {g["id"] for g in games}
    if unknown:
        print(f"unknown game id(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    for game in games:
        if wanted and game["id"] not in wanted:
            continue
        svg = cover_svg(game)
        path = out_dir / f"{game['id']}.svg"
        path.write_text(svg, encoding="utf-8")
        size = len(svg.encode("utf-8"))
        note = "  (over the ~6 KB budget)" if size > SIZE_BUDGET else ""
        print(f"{path}  {size} bytes{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
