"""Give the .env file local secrets where it has none (used by `make run`).

Run as `python -m smo.envfile`. A secret already set is never changed, so the
encryption key that protects stored credentials never changes under them; an
empty or missing SECRET_KEY or SMO_ENCRYPTION_KEYS (a .env copied from
.env.example, say) gets a fresh value.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

HEADER = """\
# Local settings for `make run`. The secrets below were generated once by
# `python -m smo.envfile`; keep this file out of version control.
# .env.example lists every setting.
"""

GENERATORS: dict[str, Callable[[], str]] = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "SMO_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
}


def main(path: str = ".env") -> int:
    target = Path(path)
    text = target.read_text() if target.exists() else HEADER
    added = []
    for name, generate in GENERATORS.items():
        line = re.compile(rf"^{name}=(.*)$", re.MULTILINE)
        found = line.search(text)
        if found and found.group(1).strip():
            continue
        value = f"{name}={generate()}"
        if found:
            text = text[: found.start()] + value + text[found.end() :]
        else:
            text = text.rstrip("\n") + "\n" + value + "\n"
        added.append(name)
    if added:
        target.write_text(text)
        target.chmod(0o600)
        print(f"Wrote new local {' and '.join(added)} to {target}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
