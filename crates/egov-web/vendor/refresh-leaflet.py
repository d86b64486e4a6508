#!/usr/bin/env python3
"""Vendors Leaflet (npm `leaflet`, BSD-2-Clause) into egov-web's assets, for the map on a
report's location page.

Fetches the pinned package from the npm registry (`npm pack`), checks its SHA-256, and writes
into `crates/egov-web/assets/leaflet/`: `leaflet.js` and `leaflet.css` (without their source
map comments: the maps are not shipped), the marker images the stylesheet refers to, `LICENSE`
and `SOURCE.toml` (what was taken, from where, with which checksum).

Run it again after changing VERSION/SHA256; commit the result. Nothing is fetched at build or
run time, and no tile is: the tile server is the deployment's (`[web.map] tiles`).
"""

import hashlib
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "leaflet"
VERSION = "1.9.4"
SHA256 = "84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77"
IMAGES = ["marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"]

OUT = pathlib.Path(__file__).resolve().parent.parent / "assets" / "leaflet"


def without_source_map(text: str) -> str:
    return "\n".join(
        line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")
    ) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
            stdout=subprocess.DEVNULL,
        )
        tgz = pathlib.Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
        if digest != SHA256:
            print(f"{tgz.name}: sha256 {digest}, expected {SHA256}", file=sys.stderr)
            return 1
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        pkg = pathlib.Path(tmp) / "package"
        if OUT.exists():
            shutil.rmtree(OUT)
        (OUT / "images").mkdir(parents=True)
        for name in ["leaflet.js", "leaflet.css"]:
            text = (pkg / "dist" / name).read_text(encoding="utf-8")
            (OUT / name).write_text(without_source_map(text), encoding="utf-8")
        for name in IMAGES:
            shutil.copy(pkg / "dist" / "images" / name, OUT / "images" / name)
        shutil.copy(pkg / "LICENSE", OUT / "LICENSE")
        (OUT / "SOURCE.toml").write_text(
            f'package = "{PACKAGE}"\nversion = "{VERSION}"\n'
            f'tarball = "https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"\n'
            f'sha256 = "{SHA256}"\nlicense = "BSD-2-Clause"\n'
            f'taken = ["dist/leaflet.js", "dist/leaflet.css", '
            + ", ".join(f'"dist/images/{i}"' for i in IMAGES)
            + ', "LICENSE"]\n',
            encoding="utf-8",
        )
    print(f"vendored {PACKAGE} {VERSION} into {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
