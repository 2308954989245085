#!/bin/bash
# Renders the application icon's PNG sizes from the SVG (run after editing the SVG; the PNGs are
# committed so that builds need no SVG tools). Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
svg=in.strikeline.Strikeline.svg
for size in 16 24 32 48 64 128 256 512; do
    mkdir -p "png/${size}"
    rsvg-convert --width "$size" --height "$size" --output "png/${size}/in.strikeline.Strikeline.png" "$svg"
done

# Windows .ico and macOS .icns for the installers: both formats hold PNGs as they are.
python3 - <<'PY'
import struct
name = "in.strikeline.Strikeline"
png = lambda size: open(f"png/{size}/{name}.png", "rb").read()

sizes = [16, 24, 32, 48, 64, 128, 256]
images = [png(s) for s in sizes]
offset = 6 + 16 * len(sizes)
ico = struct.pack("<HHH", 0, 1, len(sizes))
for size, data in zip(sizes, images):
    dim = 0 if size == 256 else size
    ico += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
open(f"{name}.ico", "wb").write(ico + b"".join(images))

entries = [("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
           ("ic09", 512), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512)]
body = b"".join(t.encode() + struct.pack(">I", 8 + len(png(s))) + png(s) for t, s in entries)
open(f"{name}.icns", "wb").write(b"icns" + struct.pack(">I", 8 + len(body)) + body)
PY
