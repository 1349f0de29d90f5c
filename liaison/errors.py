"""Domain errors shared by services and adapters; each carries the HTTP status it maps to."""

from __future__ import annotations


class LiaisonError(Exception):
    """Base of errors shown to callers: a status, a short code and a clear message."""

    status = 400
    code = "bad-request"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}


class InvalidInput(LiaisonError):
    status = 422
    code = "invalid-input"


class NotAcceptable(LiaisonError):
    status = 406
    code = "not-acceptable"


class UnsupportedMediaType(LiaisonError):
    status = 415
    code = "unsupported-media-type"


class NotFound(LiaisonError):
    status = 404
    code = "not-found"


class Conflict(LiaisonError):
    status = 409
    code = "conflict"


class Gone(LiaisonError):
    status = 410
    code = "gone"


class Forbidden(LiaisonError):
    status = 403
    code = "forbidden"


class Unauthorized(LiaisonError):
    status = 401
    code = "unauthorized"


class PayloadTooLarge(LiaisonError):
    status = 413
    code = "payload-too-large"


class TooManyAttempts(LiaisonError):
    status = 429
    code = "too-many-attempts"


class RateLimited(TooManyAttempts):
    """An organisation asked more hit queries than the instance allows in the window."""

    code = "rate-limited"


class PasswordChangeRequired(Forbidden):
    """The password is right but was chosen by an administrator: its owner must replace it."""

    code = "password-change-required"


class LoginRequired(Exception):
    """No live web session: the browser must log in, then come back to `next_url`. Not a
    LiaisonError: it is answered with a redirect, never shown."""

    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url
