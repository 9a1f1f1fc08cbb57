"""PasswordDigest of the OASIS WS-Security UsernameToken Profile 1.1 (§3.1):
``Base64(SHA-1(nonce + created + password))``, nonce as its decoded bytes and created as the
exact text of the token's ``wsu:Created``.

SHA-1 is what the profile defines; its weakness here is that anyone who sees a token can try
passwords against it offline, which is why the digest is only accepted with a random shared
secret (``core.services.digest_secrets``), never with a person's password, and only over TLS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def password_digest(nonce: bytes, created: str, secret: str) -> str:
    material = nonce + created.encode("utf-8") + secret.encode("utf-8")
    digest = hashlib.sha1(material).digest()  # noqa: S324 - the profile defines SHA-1
    return base64.b64encode(digest).decode("ascii")


def digest_matches(presented: str, nonce: bytes, created: str, secret: str) -> bool:
    return hmac.compare_digest(presented.strip().encode("ascii", "replace"),
                               password_digest(nonce, created, secret).encode("ascii"))
