"""The service without the network: the servicer's own ScoreStream, called in this process.

A batch engine (a Ray actor) builds the same pipeline as `lacuna-server` from the same
flags and sends each block of segments through `LacunaService.ScoreStream` with a local
call context, so validation, per-segment errors, thresholds, flags and the result
messages are exactly what a server would answer, without a socket in between. What the
servicer raises (`Abort`, `Abandoned`) becomes an `InProcessError` with the status code a
server would answer.
"""

from __future__ import annotations

import time
from typing import Sequence

import grpc

from lacuna.proto import service_pb2, types_pb2
from lacuna.server.budget import Abandoned, CallBudget
from lacuna.server.config import ServerConfig
from lacuna.server.errors import Abort
from lacuna.server.interceptor import bound_call
from lacuna.server.service import LacunaService
from lacuna.server.validation import Limits


class InProcessError(Exception):
    """The call failed as a server call would: a status code and the server's message."""

    def __init__(self, code: grpc.StatusCode, message: str, busy: bool = False):
        super().__init__(f"{code.name}: {message}")
        self.code, self.message = code, message
        self.busy = busy  # refused for now (a full COMET queue): worth sending again later


class LocalContext:
    """The part of grpc.ServicerContext the servicer uses; aborting raises InProcessError."""

    def is_active(self) -> bool:
        return True

    def abort_with_status(self, status) -> None:
        raise InProcessError(status.code, status.details)

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise InProcessError(code, details)


class InProcessScorer:
    """One pipeline, loaded once, scoring blocks of segments as a server's stream would."""

    def __init__(self, config: ServerConfig, replica: str = "", pipeline=None, retries: int = 20):
        from lacuna.server.app import build_pipeline, load_glossaries

        self.config = config
        self.pipeline = pipeline or build_pipeline(config)
        limits = Limits(max_segments=config.max_segments, max_chars=config.max_chars)
        self.service = LacunaService(self.pipeline, limits, config.max_message_bytes, (),
                                     glossaries=load_glossaries(config), replica=replica)
        self.retries = retries

    def capabilities(self) -> service_pb2.GetCapabilitiesResponse:
        return self.service.GetCapabilities(service_pb2.GetCapabilitiesRequest(), LocalContext())

    def check_options(self, options: types_pb2.ScoreOptions) -> None:
        """Raises InProcessError (INVALID_ARGUMENT, FAILED_PRECONDITION) for options the server
        would refuse, before any segment is scored."""
        try:
            self.service._options(options)
        except Abort as exc:
            raise InProcessError(exc.code, exc.message) from None

    def _stream(self, segments, options) -> list[types_pb2.SegmentResult]:
        """One ScoreStream call with its own record and budget, as the interceptor gives a
        server's call: the server's time budget applies to each message, here as there."""
        results: list[types_pb2.SegmentResult] = []
        budget = CallBudget(budget_s=self.config.request_time_budget or None)
        try:
            with bound_call("ScoreStream", budget):
                for response in self.service.ScoreStream(self._requests(segments, options), LocalContext()):
                    if not response.final:
                        results.extend(response.results)
        except Abort as exc:
            busy = exc.code == grpc.StatusCode.RESOURCE_EXHAUSTED and not exc.field
            raise InProcessError(exc.code, exc.message, busy) from None
        except Abandoned as exc:  # e.g. over the time budget: sending it again would not help
            raise InProcessError(exc.code, str(exc)) from None
        return results

    def _requests(self, segments: Sequence[types_pb2.Segment], options: types_pb2.ScoreOptions):
        step = self.config.max_segments
        for start in range(0, len(segments), step):
            msg = service_pb2.ScoreStreamRequest(segments=segments[start:start + step])
            if start == 0:
                msg.options.CopyFrom(options)
            yield msg

    def score(self, segments: Sequence[types_pb2.Segment],
              options: types_pb2.ScoreOptions) -> list[types_pb2.SegmentResult]:
        """One result per segment, in order. A full COMET queue (RESOURCE_EXHAUSTED) is waited
        out and the block sent again, as the batch client retries a server."""
        for attempt in range(self.retries + 1):
            try:
                return self._stream(segments, options)
            except InProcessError as exc:
                if not exc.busy or attempt == self.retries:
                    raise
                time.sleep(min(10.0, 0.5 * 2 ** attempt))
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.pipeline.close()
