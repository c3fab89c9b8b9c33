"""Key material in settings is base64; operators paste either alphabet, with or without padding."""

from __future__ import annotations

import base64
import binascii


def decode_base64_key(text: str) -> bytes:
    """Decode standard or URL-safe base64, padding optional; ValueError without echoing the key."""
    standard = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except binascii.Error:
        raise ValueError("key material is not valid base64") from None
