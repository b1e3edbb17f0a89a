"""Extract, update, compile and check the console's gettext catalogs (needs babel, in
the test extra). The terminal's catalogs have their own tool, tools/i18n.py.

    python -m server.console.catalog update    # strings -> locale/console.pot, then each .po
    python -m server.console.catalog compile   # locale/<lang>/LC_MESSAGES/console.mo from .po
    python -m server.console.catalog check     # exit 1: a stale .mo or a French string missing

Strings are ``_("...")`` and ``ngettext(...)`` in templates/**/*.html and in the Python
modules of server/console (where ``_`` is ``web.words(who)``).
"""

from __future__ import annotations

import argparse
import gettext
import io
import sys
from pathlib import Path
from typing import Any

from server.console.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

CONSOLE = Path(__file__).resolve().parent
ROOT = CONSOLE.parents[1]
MUST_TRANSLATE = ("fr",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extract_template() -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract

    template = Catalog(project="kiosk-console", domain=DOMAIN, fuzzy=False)
    sources = [(p, "jinja2.ext:babel_extract") for p in sorted(CONSOLE.glob("templates/**/*.html"))]
    sources += [(p, "python") for p in sorted(CONSOLE.glob("**/*.py"))]
    for path, method in sources:
        with path.open("rb") as fileobj:
            options = {"extensions": "jinja2.ext.i18n"} if method != "python" else {}
            for lineno, message, comments, context in extract(
                    method, fileobj, KEYWORDS, options=options, strip_comment_tags=True):
                template.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                             auto_comments=comments, context=context)
    return template


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Any:
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as fileobj:
        return read_po(fileobj, locale=lang, domain=DOMAIN)


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract_template()
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, template, width=100, omit_header=False, sort_output=True)
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            catalog = read_catalog(lang)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="kiosk-console")
            catalog.update(template)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True, sort_output=True)


def _compiled(lang: str) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, read_catalog(lang))
    return out.getvalue()


def compile_all() -> None:
    for lang in LANGUAGES:
        po_path(lang).with_suffix(".mo").write_bytes(_compiled(lang))


def _parse_mo(data: bytes) -> dict[Any, Any]:
    catalog = dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)  # the header, which holds a creation date
    return catalog


def problems() -> list[str]:
    found = []
    for lang in LANGUAGES:
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or _parse_mo(_compiled(lang)) != _parse_mo(mo.read_bytes()):
            found.append(f"{lang}: {DOMAIN}.mo is not up to date with {DOMAIN}.po (compile)")
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
                found.append(f"{lang}: no translation for {key!r} (update, then translate)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=("update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "compile":
        compile_all()
    else:
        found = problems()
        print("\n".join(found) or "console catalogs: OK")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
