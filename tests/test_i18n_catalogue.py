"""The Swedish catalogue: complete, no fuzzy guesses, placeholders kept, and compiled.

The .mo is what runs (a fresh machine may lack msgfmt to compile it), so it must say
exactly what the .po says.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "sv" / "LC_MESSAGES" / "django.mo"
LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) (".*")$')


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file (the header and obsolete #~ entries left out)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(), None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.fuzzy = "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif match := LINE.match(line):
                keyword, index, text = match.groups()
                target = {"msgctxt": "msgctxt", "msgid": "msgid", "msgid_plural": "plural"}.get(
                    keyword, int(index or 0)
                )
                entry = _add(entry, target, ast.literal_eval(text), start=True)
            elif line.startswith('"'):
                entry = _add(entry, target, ast.literal_eval(line), start=False)
        if entry.msgid:
            entries.append(entry)
    return entries


def _add(entry: Entry, target: str | int | None, text: str, start: bool) -> Entry:
    if isinstance(target, int):
        entry.msgstr[target] = ("" if start else entry.msgstr[target]) + text
    elif target is not None:
        setattr(entry, target, ("" if start else getattr(entry, target) or "") + text)
    return entry


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po(PO)


def test_swedish_is_offered(entries: list[Entry]) -> None:
    assert settings.LANGUAGES == [("en", "English"), ("sv", "Svenska")]
    assert settings.LANGUAGE_CODE == "en"
    assert len(entries) > 400


def test_every_string_has_a_swedish_translation_and_none_is_fuzzy(entries: list[Entry]) -> None:
    assert [e.msgid for e in entries if e.fuzzy] == []
    assert [e.msgid for e in entries if not all(e.msgstr.values())] == []
    # nplurals=2: every plural entry has both forms.
    assert [e.msgid for e in entries if e.plural and sorted(e.msgstr) != [0, 1]] == []


def test_translations_keep_every_placeholder(entries: list[Entry]) -> None:
    def names(text: str) -> list[str]:
        return sorted(re.findall(r"%\(\w+\)[sd]|%[sd]", text))

    wrong = [
        (e.msgid, text)
        for e in entries
        for n, text in e.msgstr.items()
        # Singular forms may drop the count ("1 bilaga" is still %(n)s here, but some
        # languages say "one"); Swedish keeps it, so check both forms against msgid_plural.
        if names(text) != names(e.plural if e.plural and n else e.msgid)
    ]
    assert wrong == []


def test_the_compiled_catalogue_says_what_the_po_says(entries: list[Entry]) -> None:
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for e in entries:
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.plural:
            got = {0: mo.ngettext(key, e.plural, 1), 1: mo.ngettext(key, e.plural, 2)}
        else:
            got = {0: mo.gettext(key)}
        if got != e.msgstr:
            stale.append(e.msgid)
    assert stale == [], "run `manage.py compilemessages` (the .mo is older than the .po)"
    assert mo.info()["language"] == "sv"
    assert mo.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"


# Where the project's translatable strings live; makemessages reads them all.
SOURCES = ("manage.py", "smo", "scheduler", "channels", "templates")


def test_every_marked_string_in_the_code_is_in_the_catalogue(
    entries: list[Entry], tmp_path: Path
) -> None:
    """Run makemessages on a copy of the code: it must find nothing the .po lacks.

    This is what keeps new text (a template's, a view's, an adapter's `words()`)
    from reaching Swedish readers in English.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("SMO_REQUIRE_GETTEXT"):
            pytest.fail("xgettext is missing (apt-get install gettext)")
        pytest.skip("xgettext (GNU gettext) is not installed")
    root = Path(settings.BASE_DIR)
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "sv" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true"},
        check=True,
        capture_output=True,
    )
    found = read_po(tmp_path / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    known = {(e.msgctxt, e.msgid) for e in entries}
    new = sorted(e.msgid for e in found if (e.msgctxt, e.msgid) not in known)
    gone = sorted(known - {(e.msgctxt, e.msgid) for e in found})
    assert new == [], "run `manage.py makemessages -l sv`, then translate the new strings"
    assert gone == [], "the .po holds strings the code no longer uses"
