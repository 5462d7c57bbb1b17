"""One batch through a COMET model: its own `prepare_sample` and `predict_step`, no Trainer.

`CometModel.predict` builds a Lightning Trainer and a DataLoader on every call;
a server calls the same two model methods those run -- tokenisation
(`prepare_sample(stage="predict")`) and the forward pass (`predict_step`) --
directly, under `torch.inference_mode`, on the model's device.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch


@dataclass
class ErrorSpan:
    """An error span in the translation, [start, end) in code points of the text as sent."""

    start: int
    end: int
    severity: str
    confidence: float


@dataclass
class CometResult:
    score: float
    spans: list[ErrorSpan] = field(default_factory=list)


def to_device(value, device: torch.device):
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=True)
    if isinstance(value, Mapping):
        return {k: to_device(v, device) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(to_device(v, device) for v in value)
    return value  # lists of offsets and other host-side metadata stay as they are


def code_point_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Clamp a tokenizer character span to `text` and trim the whitespace the tokenizer's
    word-boundary marker pulls in. Fast tokenizers report offsets in Python string
    indices, which are Unicode code points -- the unit of the API's spans."""
    start, end = max(0, min(int(start), len(text))), max(0, min(int(end), len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


class CometForward:
    """Runs lists of COMET samples ({"src", "mt"[, "ref"]}) through one loaded model."""

    def __init__(self, model, spans: bool):
        self.model = model
        self.spans = spans
        param = next(model.parameters())
        self.device, self.dtype = param.device, param.dtype

    def _precision(self):
        """Half-precision weights also need autocast: COMET's pooling builds fp32 tensors
        (masks, averages) that would meet bf16/fp16 weights in the regression head."""
        if self.dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def prepare(self, samples: list[dict]):
        """Tokenise and pad on the host (the part that can overlap the previous batch's forward)."""
        return samples, self.model.prepare_sample(samples, stage="predict")

    def execute(self, prepared) -> list[CometResult]:
        """The forward pass on the model's device, and the results back on the host."""
        samples, batch = prepared
        with torch.inference_mode(), self._precision():
            prediction = self.model.predict_step(to_device(batch, self.device))
        scores = prediction["scores"].float().cpu().tolist()
        results = [CometResult(float(s)) for s in scores]
        if self.spans:
            metadata = prediction.get("metadata") or {}
            for sample, result, found in zip(samples, results, metadata.get("error_spans") or []):
                for span in found:
                    where = code_point_span(sample["mt"], span["start"], span["end"])
                    if where is not None:
                        result.spans.append(ErrorSpan(where[0], where[1], str(span["severity"]),
                                                      float(span["confidence"])))
        return results

    def __call__(self, samples: list[dict]) -> list[CometResult]:
        return self.execute(self.prepare(samples))
