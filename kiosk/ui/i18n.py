"""Labels that re-translate when the language switches.

``tr`` is the one translator of the screens.  In a .kv file write
``text: tr._("Present your badge")``: Kivy's rule compiler binds the expression
to ``tr._``, which this class maps to its ``lang`` property, so every such label
is computed again when ``tr.switch(lang)`` runs.  Python code calls ``tr._`` and
``tr.ngettext`` the same way (and redraws on ``lang`` itself).
"""

from __future__ import annotations

import gettext
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import StringProperty

from kiosk.i18n import SOURCE_LANGUAGE, supported, translator


class Translator(EventDispatcher):
    lang = StringProperty(SOURCE_LANGUAGE)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._catalog: gettext.NullTranslations = translator(self.lang)

    def switch(self, lang: str) -> None:
        """Show every label in ``lang`` from now on (English if the terminal lacks it)."""
        lang = supported(lang)
        self._catalog = translator(lang)
        self.lang = lang  # dispatches to the .kv bindings only when it changes

    def _(self, msgid: str) -> str:
        return self._catalog.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    # Binding to "_" (what the .kv compiler asks for) means binding to ``lang``.

    def fbind(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        return super().fbind("lang" if name == "_" else name, func, *args, **kwargs)

    def funbind(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        return super().funbind("lang" if name == "_" else name, func, *args, **kwargs)

    def unbind_uid(self, name: str, uid: int) -> Any:
        return super().unbind_uid("lang" if name == "_" else name, uid)


tr = Translator()


def picture_word(kind: str) -> str:
    """'Photo' or 'Drawing' in the current language for a message's kind; '' for text."""
    if kind == "photo":
        return tr._("Photo")
    if kind == "drawing":
        return tr._("Drawing")
    return ""


def with_picture_word(kind: str, text: str) -> str:
    """'Photo · caption' (or the bare word) for a picture message; ``text`` otherwise."""
    word = picture_word(kind)
    if not word:
        return text
    return f"{word} · {text}" if text else word


NAME_CHARS = 18  # a recipient line is one short line


def recipients_line(first: str, count: int, person: bool) -> str:
    """'To: Jordan Smith', or 'To: Amélie +2' however many: ``first`` is the first
    recipient's name (a person's, shortened to the first name, when ``person``)."""
    if count <= 0:
        return ""
    name = first
    if count > 1 or len(name) > NAME_CHARS:
        name = first.split(" ")[0] if person else first
    name = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
    names = f"{name} +{count - 1}" if count > 1 else name
    return tr._("To: {names}").format(names=names)
