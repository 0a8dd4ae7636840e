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
    # A message with a context (pgettext) is stored as "context\x04message".
    compiled = {(key[0] if isinstance(key, tuple) else key).split("\x04")[-1] for key in catalogue}
    missing = [msgid for msgid, _ in po_entries() if msgid not in compiled]
    assert missing == [], "run: manage.py compilemessages -l en"


def test_the_catalogue_holds_every_message_the_code_and_templates_use(tmp_path):
    """`makemessages` run afresh on a copy of the sources finds no message the catalogue lacks: a
    new `_()` or `{% translate %}` without its English fails here, not in front of a reader."""
    import shutil
    import subprocess
    import sys

    root = PO_FILE.parents[3]
    sources = (
        "manage.py",
        "crm_archive",
        "accounts",
        "customers",
        "approvals",
        "dossiers",
        "lending",
        "destruction",
        "audit",
        "api",
        "templates",
    )
    for name in sources:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    fresh = PO_FILE
    try:
        globals()["PO_FILE"] = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
        used = {msgid for msgid, _ in po_entries()}
    finally:
        globals()["PO_FILE"] = fresh
    assert len(used) > 400, "makemessages found the messages"
    known = {msgid for msgid, _ in po_entries()}
    assert sorted(used - known) == [], "run: manage.py makemessages -l en, translate, compilemessages -l en"
