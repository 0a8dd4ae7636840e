"""Every user-facing string has an English translation, and the compiled catalogue is current."""

import gettext
import re
from pathlib import Path

PO_FILE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)', re.M)


def unquote(block: str) -> str:
    return (
        "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def po_entries():
    text = PO_FILE.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#~")) + "\n"
    for match in ENTRY.finditer(text):
        msgid = unquote(match.group(1))
        if msgid:
            yield msgid, unquote(match.group(2))


def test_every_english_message_is_translated():
    entries = list(po_entries())
    assert len(entries) > 40
    untranslated = [msgid for msgid, msgstr in entries if not msgstr.strip()]
    assert untranslated == []


def test_the_compiled_english_catalogue_holds_every_message():
    with open(PO_FILE.with_suffix(".mo"), "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalogue}
    missing = [msgid for msgid, _ in po_entries() if msgid not in compiled]
    assert missing == [], "run: manage.py compilemessages -l en"
