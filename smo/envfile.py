"""Write a .env file with fresh local secrets, once (used by `make run`).

Run as `python -m smo.envfile`. An existing .env is left alone, so the
encryption key that protects stored credentials never changes under them.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

TEMPLATE = """\
# Local secrets for `make run`, written once by `python -m smo.envfile`.
# Keep this file out of version control; see .env.example for every setting.
SECRET_KEY={secret_key}
SMO_ENCRYPTION_KEYS={encryption_key}
"""


def main(path: str = ".env") -> int:
    target = Path(path)
    if target.exists():
        return 0
    target.write_text(
        TEMPLATE.format(
            secret_key=secrets.token_urlsafe(50),
            encryption_key=Fernet.generate_key().decode(),
        )
    )
    target.chmod(0o600)
    print(f"Wrote {target} with new local secrets.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
