"""ASGI guards around the whole application: a request body limit that holds before any route or
form parser runs (so an anonymous client cannot make the server spool an endless upload), and the
security headers of every response."""

from __future__ import annotations

import orjson

#: Headers every answer carries; pages are framed by no one and cached by no one.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
    (b"x-frame-options", b"DENY"),
)
_NO_STORE = (b"cache-control", b"no-store")


class _TooLarge(Exception):
    pass


class Guards:
    """Refuse bodies over `limit` bytes (declared or streamed) with 413; add security headers, and
    no-store caching to HTML pages (they may show what one user may see, or a new token)."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [h for h in SECURITY_HEADERS if h[0] not in {k for k, _ in headers}]
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers.append(_NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = orjson.dumps(
            {
                "error": {
                    "code": "payload-too-large",
                    "limit": self.limit,
                    "message": f"request body larger than {self.limit} bytes; for larger STIX bundles "
                    "use 'liaison import', which streams files of any size",
                }
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
