"""Sealing secrets kept in the database: authenticated encryption keyed by OPED_BOT_SECRET.

Apart from the store contract so that importing the contract does not load `cryptography`.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Distinct from the voter-hash key, which OPED_BOT_SECRET also keys: one secret, two keys.
SEAL_SALT = b"oped-bot installations"
SEAL_INFO = b"oped-bot sealed tokens v1"


class SealError(Exception):
    """Sealed tokens cannot be opened with this secret; the message says what to change."""


class Sealer:
    """Authenticated encryption (Fernet) with a key derived from OPED_BOT_SECRET by HKDF."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise SealError("Set OPED_BOT_SECRET: it encrypts the installed workspaces' tokens.")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SEAL_SALT, info=SEAL_INFO).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def __repr__(self) -> str:  # the key must not show in logs or tracebacks
        return "Sealer(...)"

    def seal(self, plain: str) -> str:
        """`plain` encrypted and authenticated, as text to store."""
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        """What `seal` sealed; SealError if another secret sealed it or it was altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise SealError(
                "The stored workspace tokens were encrypted with another OPED_BOT_SECRET. Set "
                "OPED_BOT_SECRET back to the value used when the workspaces installed the app, "
                "or install the app in each workspace again."
            ) from None
