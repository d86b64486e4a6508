#!/usr/bin/env python3
"""Vendors the Korea Responsive Design System (npm `krds-uiux`, ISC) into egov-web's assets.

Fetches the pinned package from the npm registry (`npm pack`), checks its SHA-256, and writes
into `crates/egov-web/assets/krds/`:

- `krds.css`: the design tokens, the common styles and only the component sections the pages
  use (see SECTIONS), with icon URLs pointing at `icons/`;
- `fonts/`: Pretendard GOV (Regular, Medium, Bold) as subset woff2;
- `icons/`: the SVG icons the kept CSS refers to;
- `LICENSE` and `SOURCE.toml` (what was taken, from where, with which checksum).

Run it again after changing VERSION/SHA256 or SECTIONS; commit the result. Nothing is fetched
at build or run time.
"""

import hashlib
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "krds-uiux"
VERSION = "1.1.0"
SHA256 = "2958eee582fabe3a3319a1032880f0f838c79647a311497d0d2045686c35dba8"

# Component sections of resources/css/component/component.css (by their header comment), in
# file order. The rest (carousels, modals, coach marks, the mega menu, …) is not used.
SECTIONS = [
    "버튼 / 링크",
    "icon 버튼 사이즈",
    "**** button area ****",
    "탭",
    "표",
    "텍스트 목록",
    "건너뛰기 링크",
    "공식 배너",
    "헤더",
    "푸터",
    "운영기관 식별자",
    "구조화 목록",
    "긴급 공지",
    "페이지네이션",
    "브레드크럼",
    "단계 표시기",
    "배지",
    "form 레이아웃",
    "검색 폼",
    "입력 필드 / 텍스트 영역",
    "날짜선택",
    "셀렉트",
    "라디오 버튼 / 체크박스",
    "파일 업로드",
    "언어 변경",
]

FONTS = {
    "PretendardGOV-Regular.subset.woff2": 400,
    "PretendardGOV-Medium.subset.woff2": 500,
    "PretendardGOV-Bold.subset.woff2": 700,
}

ISC = """ISC License

Copyright (c) krds (the Korea Responsive Design System, npm package krds-uiux)

Permission to use, copy, modify, and/or distribute this software for any purpose with or
without fee is hereby granted, provided that the above copyright notice and this permission
notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR
PERFORMANCE OF THIS SOFTWARE.

The package declares this licence in its package.json ("license": "ISC") and ships no licence
file; the text above is the ISC licence it names. Pretendard GOV is distributed in the package
under the same terms (Pretendard itself is licensed under the SIL Open Font License 1.1).
"""


def sections(css: str) -> list[tuple[str, str]]:
    """The component CSS cut at its top-level header comments."""
    marks = [(m.start(), m.group(1).strip()) for m in re.finditer(r"^/\* (.+?) \*/$", css, re.M)]
    out = []
    for i, (start, name) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(css)
        out.append((name, css[start:end]))
    return out


def main() -> int:
    root = pathlib.Path(__file__).resolve().parents[1]
    dest = root / "assets" / "krds"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        fetched = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(tmp)],
            capture_output=True,
            text=True,
        )
        if fetched.returncode != 0:
            print(fetched.stderr, file=sys.stderr)
            return 1
        tgz = tmp / f"{PACKAGE}-{VERSION}.tgz"
        digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
        if digest != SHA256:
            print(f"{tgz.name}: sha256 {digest}, expected {SHA256}", file=sys.stderr)
            return 1
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        pkg = tmp / "package" / "resources"
        tokens = (pkg / "css/token/krds_tokens.css").read_text(encoding="utf-8")
        common = (pkg / "css/common/common.css").read_text(encoding="utf-8")
        common = re.sub(r'^@import[^\n]*\n', "", common, flags=re.M)
        component = (pkg / "css/component/component.css").read_text(encoding="utf-8")
        found = dict(sections(component))
        missing = [s for s in SECTIONS if s not in found]
        if missing:
            print(f"sections not found: {missing}", file=sys.stderr)
            return 1
        kept = "".join(found[s] for s in SECTIONS)
        faces = "".join(
            "@font-face{font-family:'Pretendard GOV';font-style:normal;"
            f"font-weight:{w};font-display:swap;src:url(fonts/{f}) format('woff2')}}\n"
            for f, w in FONTS.items()
        )
        css = (
            f"/* {PACKAGE} {VERSION} (ISC): tokens, common and the components egov uses. */\n"
            + faces
            + re.sub(r"^@charset[^\n]*\n", "", tokens, flags=re.M)
            + re.sub(r"^@charset[^\n]*\n", "", common, flags=re.M)
            + kept
        )
        css = re.sub(r"url\((?:\.\./)+img/(?:img/)?component/icon/([\w.-]+)\)", r"url(icons/\1)", css)
        icons = sorted(set(re.findall(r"url\(icons/([\w.-]+)\)", css)))
        if dest.exists():
            shutil.rmtree(dest)
        (dest / "fonts").mkdir(parents=True)
        (dest / "icons").mkdir()
        (dest / "krds.css").write_text(css, encoding="utf-8")
        for f in FONTS:
            shutil.copy(pkg / "fonts" / f, dest / "fonts" / f)
        for i in icons:
            src = pkg / "img/component/icon" / i
            if src.exists():
                shutil.copy(src, dest / "icons" / i)
            else:
                print(f"warning: icon {i} is not in the package", file=sys.stderr)
        (dest / "LICENSE").write_text(ISC, encoding="utf-8")
        (dest / "SOURCE.toml").write_text(
            f'package = "{PACKAGE}"\nversion = "{VERSION}"\nregistry = "https://registry.npmjs.org/"\n'
            f'sha256 = "{SHA256}"\nsections = {SECTIONS!r}\nfonts = {list(FONTS)!r}\n'.replace("'", '"'),
            encoding="utf-8",
        )
        print(f"krds.css {len(css.encode())} bytes, {len(icons)} icons, {len(FONTS)} fonts -> {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
