#!/usr/bin/env python3
"""Vendors the PDF font egov ships into egov-pdf: Pretendard Regular (npm `pretendard`,
SIL Open Font License 1.1).

Fetches the pinned package from the npm registry (`npm pack`), checks its SHA-256, and writes
into `crates/egov-pdf/fonts/`:

- `Pretendard-Regular.otf`: the font (Hangul syllables in full, Latin with the letters of
  Spanish and Guaraní, the won sign), compiled into the `egov` binary as the last PDF font;
- `LICENSE-OFL.txt`: the package's licence text;
- `SOURCE.toml`: what was taken, from where, with which checksum.

Run it again after changing VERSION/SHA256; commit the result. Nothing is fetched at build or
run time.
"""

import hashlib
import pathlib
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "pretendard"
VERSION = "1.3.9"
SHA256 = "0ffc240cee83be02520fb4ac1b2a0a51052b9d13506ade0ba90c591dbbb3bd53"
FONT = "package/dist/public/static/Pretendard-Regular.otf"
LICENSE = "package/dist/LICENSE.txt"

OUT = pathlib.Path(__file__).resolve().parent.parent / "fonts"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tgz = pathlib.Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
        if digest != SHA256:
            print(f"{tgz.name}: sha256 {digest}, expected {SHA256}", file=sys.stderr)
            return 1
        OUT.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as t:
            (OUT / "Pretendard-Regular.otf").write_bytes(t.extractfile(FONT).read())
            (OUT / "LICENSE-OFL.txt").write_bytes(t.extractfile(LICENSE).read())
        font_sha = hashlib.sha256((OUT / "Pretendard-Regular.otf").read_bytes()).hexdigest()
        (OUT / "SOURCE.toml").write_text(
            f'package = "{PACKAGE}"\nversion = "{VERSION}"\n'
            f'registry = "https://registry.npmjs.org/"\nsha256 = "{SHA256}"\n'
            f'file = "{FONT}"\nfile_sha256 = "{font_sha}"\nlicense = "OFL-1.1"\n'
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
