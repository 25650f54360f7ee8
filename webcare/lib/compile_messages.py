"""Compile the project's translation catalogues (.po) into .mo files with polib.

Django's own `compilemessages` shells out to GNU gettext's `msgfmt`, which is not installed on every
machine that runs this project. polib is pure Python, so any machine with the venv can compile the
catalogues. The .mo files are committed, so at run time nothing needs compiling at all.

Usage: python -m webcare.lib.compile_messages
"""

from collections.abc import Iterator
from pathlib import Path

import polib

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def find_catalogues(root: Path = PROJECT_ROOT) -> Iterator[Path]:
    """Every `locale/<lang>/LC_MESSAGES/*.po` in the project's own locale folder."""
    yield from sorted((root / "locale").glob("*/LC_MESSAGES/*.po"))


def compile_catalogue(po_path: Path) -> tuple[Path, int]:
    """Write the .mo beside `po_path`, leaving out fuzzy entries; return its path and entry count."""
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.fuzzy_entries():
        catalogue.remove(entry)
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    translated = len(catalogue.translated_entries())
    return mo_path, translated


def main() -> None:
    compiled = 0
    for po_path in find_catalogues():
        mo_path, translated = compile_catalogue(po_path)
        print(f"compiled {po_path.relative_to(PROJECT_ROOT)} -> {mo_path.name} ({translated} messages)")
        compiled += 1
    if not compiled:
        print(f"no .po files found under {PROJECT_ROOT / 'locale'}")


if __name__ == "__main__":
    main()
