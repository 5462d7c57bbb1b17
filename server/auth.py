"""Bearer-token authentication and TLS credentials for the server.

Tokens come from `--auth-token-file` (one per line; blank lines and `#` comments ignored)
and/or the environment variable LACUNA_AUTH_TOKENS (comma-separated). The file is read
again when it changes (its modification time and size are looked at, at most once a
second) and on `reload()` (SIGHUP), so a token can be added or revoked without a restart.
A presented token is compared with every configured one in constant time (HMAC-SHA256
digests compared with `hmac.compare_digest`), so the time taken says nothing about how
much of a token was right.

Every method needs `authorization: Bearer <token>` except the health service, which load
balancers and orchestrators probe without credentials. A refused call answers
UNAUTHENTICATED and is logged (method and peer; never the token).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time

import grpc
import structlog

from lacuna.server.config import ConfigError

log = structlog.get_logger("lacuna.auth")

ENV_TOKENS = "LACUNA_AUTH_TOKENS"
EXEMPT_PREFIX = "/grpc.health.v1.Health/"
#: Longest token accepted (a longer header is refused without being compared).
MAX_TOKEN_CHARS = 4096
#: Seconds between two looks at the token file.
RELOAD_CHECK_S = 1.0


class TokenSet:
    """The tokens a server accepts; `allows(token)` in constant time."""

    def __init__(self, path: str | None = None, env_value: str | None = None):
        self.path = path
        self._env = [t.strip() for t in (env_value or "").split(",") if t.strip()]
        self._key = secrets.token_bytes(32)  # digests are keyed per process
        self._lock = threading.Lock()
        self._digests: list[bytes] = []
        self._stamp: tuple[float, int] | None = None
        self._checked = 0.0
        self.reload()

    @classmethod
    def from_config(cls, path: str | None) -> "TokenSet | None":
        """The configured tokens, or None when authentication is off (no file, no env tokens)."""
        env_value = os.environ.get(ENV_TOKENS, "")
        if not path and not env_value.strip():
            return None
        return cls(path, env_value)

    def _digest(self, token: str) -> bytes:
        return hmac.new(self._key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def reload(self) -> None:
        """Read the token file again; a file that cannot be read or holds no token is refused."""
        tokens = list(self._env)
        stamp = None
        if self.path:
            try:
                stat = os.stat(self.path)
                with open(self.path, encoding="utf-8") as fh:
                    tokens += [line.strip() for line in fh if line.strip() and not line.lstrip().startswith("#")]
                stamp = (stat.st_mtime, stat.st_size)
            except OSError as exc:
                raise ConfigError(f"--auth-token-file {self.path}: cannot read it ({exc.strerror})") from exc
        if not tokens:
            raise ConfigError(f"--auth-token-file {self.path}: no token in it (one per line)")
        with self._lock:
            self._digests = [self._digest(t) for t in tokens]
            self._stamp = stamp
        log.info("auth_tokens_loaded", tokens=len(tokens), path=self.path)

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if not self.path or now - self._checked < RELOAD_CHECK_S:
            return
        self._checked = now
        try:
            stat = os.stat(self.path)
        except OSError:
            return  # keep the tokens we have; the file may be being replaced
        if (stat.st_mtime, stat.st_size) != self._stamp:
            try:
                self.reload()
            except ConfigError as exc:
                log.error("auth_tokens_reload_failed", error=str(exc))

    def allows(self, token: str) -> bool:
        self._maybe_reload()
        if not token or len(token) > MAX_TOKEN_CHARS:
            return False
        presented = self._digest(token)
        with self._lock:
            digests = list(self._digests)
        ok = False
        for digest in digests:  # no early exit: the same work whichever token matches
            ok |= hmac.compare_digest(presented, digest)
        return ok


def bearer_token(metadata) -> str:
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str) and value[:7].lower() == "bearer ":
            return value[7:].strip()
    return ""


class TokenAuthInterceptor(grpc.ServerInterceptor):
    """Refuses calls without a valid bearer token (health exempt) with UNAUTHENTICATED."""

    def __init__(self, tokens: TokenSet):
        self.tokens = tokens

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        if method.startswith(EXEMPT_PREFIX):
            return continuation(handler_call_details)
        if self.tokens.allows(bearer_token(handler_call_details.invocation_metadata)):
            return continuation(handler_call_details)
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        return _refusal(handler, method)


def _refusal(handler, method: str):
    """A handler of the same shape as `handler` that answers UNAUTHENTICATED without reading the request."""
    def refuse(request_or_iterator, context):
        log.warning("unauthenticated", method=method, peer=context.peer())
        context.abort(grpc.StatusCode.UNAUTHENTICATED,
                      "a valid bearer token is required (metadata 'authorization: Bearer <token>')")

    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(refuse)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(refuse)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(refuse)
    return grpc.stream_stream_rpc_method_handler(refuse)


def server_credentials(cert: str, key: str, client_ca: str | None) -> grpc.ServerCredentials:
    """TLS from PEM files; with `client_ca`, clients must present a certificate it signed."""
    def read(flag: str, path: str) -> bytes:
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise ConfigError(f"{flag} {path}: cannot read it ({exc.strerror})") from exc

    chain, private_key = read("--tls-cert", cert), read("--tls-key", key)
    ca = read("--tls-client-ca", client_ca) if client_ca else None
    return grpc.ssl_server_credentials([(private_key, chain)], root_certificates=ca,
                                       require_client_auth=ca is not None)
