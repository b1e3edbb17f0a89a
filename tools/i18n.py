"""Extract, update, compile and check the gettext catalogs of the screens (needs babel).

    python tools/i18n.py update    # extract kiosk/ui/ strings to locale/kiosk.pot, merge in .po
    python tools/i18n.py compile   # write each locale/<lang>/LC_MESSAGES/kiosk.mo from its .po
    python tools/i18n.py check     # exit 1 if a .mo is stale or a French translation is missing

Strings are marked ``tr._("...")`` / ``tr.ngettext("...", "...", n)`` in ui/*.py
and ui/*.kv (one call per line in .kv files), and ``gettext("...")`` in kiosk/i18n.py.
"""

from __future__ import annotations

import argparse
import gettext
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
DOMAIN = "kiosk"
LANGUAGES = ("fr", "en")
MUST_TRANSLATE = ("fr",)
SOURCES = ("kiosk/ui/**/*.py", "kiosk/ui/**/*.kv", "kiosk/i18n.py")


def _extract_kv(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A .kv file line by line: each rule value is a Python expression."""
    for lineno, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#") or "_(" not in line and "ngettext(" not in line:
            continue
        line = line.split(":", 1)[1] if ":" in line.split("(", 1)[0] else line
        found = extract_python(io.BytesIO(line.encode()), keywords, comment_tags, options)
        for _, funcname, messages, comments in found:
            yield lineno, funcname, messages, comments


def extract_template() -> Catalog:
    template = Catalog(project="kiosk-terminal", domain=DOMAIN, fuzzy=False)
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            method = _extract_kv if path.suffix == ".kv" else "python"
            with path.open("rb") as fileobj:
                for lineno, message, comments, context in extract(
                    method, fileobj, DEFAULT_KEYWORDS, strip_comment_tags=True
                ):
                    template.add(
                        message, None, [(str(path.relative_to(ROOT)), lineno)],
                        auto_comments=comments, context=context,
                    )
    return template


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fileobj:
        return read_po(fileobj, locale=lang, domain=DOMAIN)


def update() -> None:
    template = extract_template()
    with (LOCALE / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, template, width=100, omit_header=False, sort_output=True)
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            catalog = read_catalog(lang)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="kiosk-terminal")
            catalog.update(template)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True, sort_output=True)
        print(f"updated {path.relative_to(ROOT)}")


def compile_all() -> None:
    for lang in LANGUAGES:
        catalog = read_catalog(lang)
        with po_path(lang).with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog)
        print(f"compiled {po_path(lang).with_suffix('.mo').relative_to(ROOT)}")


def _parse_mo(data: bytes) -> dict[Any, Any]:
    catalog = dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header, which holds a creation date
    return catalog


def compiled_po(lang: str) -> dict[Any, Any]:
    """What the .mo must hold: the .po compiled now."""
    out = io.BytesIO()
    write_mo(out, read_catalog(lang))
    return _parse_mo(out.getvalue())


def compiled_mo(lang: str) -> dict[Any, Any]:
    return _parse_mo(po_path(lang).with_suffix(".mo").read_bytes())


def problems() -> list[str]:
    found = []
    for lang in LANGUAGES:
        if compiled_po(lang) != compiled_mo(lang):
            found.append(f"{lang}: kiosk.mo is not up to date with kiosk.po (run compile)")
    used = [m.id for m in extract_template() if m.id]
    for lang in MUST_TRANSLATE:
        catalog = read_catalog(lang)
        for msgid in used:
            entry = catalog.get(msgid)
            strings = entry.string if entry is not None else None
            if isinstance(strings, tuple):
                strings = all(strings) and strings
            if entry is None or entry.fuzzy or not strings:
                key = msgid[0] if isinstance(msgid, tuple) else msgid
                found.append(f"{lang}: no translation for {key!r} (run update, then translate)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "compile":
        compile_all()
    else:
        issues = problems()
        for issue in issues:
            print(issue, file=sys.stderr)
        return 1 if issues else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
