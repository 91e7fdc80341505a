#!/usr/bin/env python3
"""Generates a demo games folder from the bundled catalog: one folder per game, each holding
multi-volume archive files and a root version.ini, so a demo peer has games to share.

The archive volumes hold deterministic filler bytes, not RAR data: they exercise scanning,
hashing and sharing. Existing files are left alone, so a second run hashes nothing new.

usage: make-demo-library.py GAMES_DIR [--games N]
"""

import argparse
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def filler(seed: str, size: int) -> bytes:
    out = bytearray()
    block = hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("games_dir", type=pathlib.Path)
    parser.add_argument("--games", type=int, default=6, help="how many catalog games to create")
    args = parser.parse_args()

    catalog = json.loads((ROOT / "catalog" / "catalog.json").read_text())
    args.games_dir.mkdir(parents=True, exist_ok=True)
    for i, game in enumerate(catalog["games"][: args.games]):
        root = args.games_dir / game["id"]
        root.mkdir(exist_ok=True)
        volumes = 1 + i % 3
        for v in range(volumes):
            name = f"{game['id']}.part{v + 1}.rar" if volumes > 1 else f"{game['id']}.rar"
            path = root / name
            if not path.exists():
                path.write_bytes(filler(f"{game['id']}/{v}", (2 + (i * 7 + v * 3) % 9) * 1024 * 1024))
        version = root / "version.ini"
        if not version.exists():
            version.write_text(game["version"] + "\n")
        print(f"demo game {game['id']} {game['version']}: {volumes} volume(s)")
    print(f"demo library ready in {args.games_dir}")


if __name__ == "__main__":
    main()
