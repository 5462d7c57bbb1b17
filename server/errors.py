"""How the service says no: one exception carrying a gRPC status, and the status it becomes.

Servicer code raises `Abort(code, message, field)`; the interceptor
(`lacuna.server.interceptor`) turns it into the call's status. The status details carry a
`google.rpc.BadRequest` naming the field at fault and, for a refusal the client may retry
later (a full queue), a `google.rpc.RetryInfo` with the delay (also sent as the
`retry-after-ms` trailing metadata, for clients that do not read details).
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

#: Trailing metadata key of the retry hint, in milliseconds.
RETRY_AFTER_KEY = "retry-after-ms"


class Abort(Exception):
    """Ends a call with `code` and `message`; `field` names the request field at fault."""

    def __init__(self, code: grpc.StatusCode, message: str, field: str = "", retry_after_s: float | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        self.retry_after_s = retry_after_s


def status_of(exc: Abort) -> grpc.Status:
    """The rich status for `exc` (BadRequest with the field, RetryInfo with the delay)."""
    status = status_pb2.Status(code=exc.code.value[0], message=exc.message)
    if exc.field:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=exc.field, description=exc.message)]))
        status.details.append(detail)
    if exc.retry_after_s is not None:
        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(exc.retry_after_s * 1000))
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        status.details.append(detail)
    converted = rpc_status.to_status(status)
    if exc.retry_after_s is not None:
        metadata = tuple(converted.trailing_metadata) + ((RETRY_AFTER_KEY, str(int(exc.retry_after_s * 1000))),)
        converted = _Status(converted.code, converted.details, metadata)
    return converted


class _Status(grpc.Status):
    def __init__(self, code, details, trailing_metadata):
        self.code, self.details, self.trailing_metadata = code, details, trailing_metadata


def quote_prefix(text: str, limit: int = 40) -> str:
    """`text` quoted for an error message: at most `limit` characters, then an ellipsis and the
    full length (a 10 MB id must not become a 10 MB message or log line)."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text)} characters)"
