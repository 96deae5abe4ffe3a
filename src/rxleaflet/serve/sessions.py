"""Browser sessions of the counter page: signed cookies, never the token itself.

A browser gets a random session id in a cookie. The CSRF value of its forms is derived from that
id (so a value taken from another browser, or made up, is refused), and signing in with the
token adds a second cookie that proves it: the session id signed with the server's key. Nothing
is stored on the server, so forked workers share the sessions (the key is made before they
fork), and a restart signs everybody out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "rxl_session"
SIGNED_IN_COOKIE = "rxl_signed_in"


class Sessions:
    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(32)

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(24)

    def _sign(self, purpose: str, session: str) -> str:
        message = f"{purpose}:{session}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def csrf(self, session: str) -> str:
        """The value a form of this session must carry."""
        return self._sign("csrf", session)

    def csrf_valid(self, session: str, given: str) -> bool:
        return bool(session) and hmac.compare_digest(self.csrf(session), given)

    def signed_in(self, session: str) -> str:
        """The cookie value that says this session has given the token."""
        return self._sign("signed-in", session)

    def is_signed_in(self, session: str, cookie: str) -> bool:
        return bool(session) and hmac.compare_digest(self.signed_in(session), cookie)
