"""Every error leaves as JSON: {"error": {"code", "message", ...details}} with its HTTP status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
import orjson
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from liaison.errors import LiaisonError
from liaison.taxii import MEDIA_TYPE as TAXII_MEDIA


def error_response(status: int, code: str, message: str, request: Request | None = None, **details) -> Response:
    """The error document: TAXII's error message under /taxii2, Liaison's own elsewhere."""
    headers = {"WWW-Authenticate": 'Bearer realm="liaison", Basic realm="liaison"'} if status == 401 else None
    if status == 429 and "retry_after" in details:
        headers = {"Retry-After": str(details["retry_after"])}
    if request is not None and request.url.path.startswith("/taxii2"):
        body = {"title": code.replace("-", " "), "description": message, "http_status": str(status),
                "error_code": code}
        if details:
            body["details"] = details
        return Response(orjson.dumps(body), status_code=status, media_type=TAXII_MEDIA, headers=headers)
    body = orjson.dumps({"error": {"code": code, "message": message, **details}})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into error documents."""

    @app.exception_handler(LiaisonError)
    async def domain_error(request: Request, exc: LiaisonError):
        return error_response(exc.status, exc.code, exc.message, request, **exc.details)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError):
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        return error_response(422, "invalid-request", "; ".join(problems), request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        code = "unauthorized" if exc.status_code == 401 else "http-error"
        return error_response(exc.status_code, code, str(exc.detail), request)
