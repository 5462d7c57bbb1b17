"""Import unbabel-comet without letting it reconfigure the process's logging.

`import comet` calls `logging.basicConfig(level=INFO)` on the root logger, and
PyTorch Lightning attaches its own stderr handlers and prints banners. A server
owns its logging, so the import is wrapped: the root logger is restored
afterwards and the libraries' loggers are turned down to warnings.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings

_NOISY_LOGGERS = ("comet", "pytorch_lightning", "lightning", "lightning_fabric", "lightning.pytorch",
                  "lightning.fabric", "torchmetrics", "transformers", "entmax")
_lock = threading.Lock()


def go_offline() -> None:
    """Make Hugging Face libraries never touch the network, in this process."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:  # already imported: its constants were read at import time
        import sys

        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:
            constants.HF_HUB_OFFLINE = True
    except Exception:  # pragma: no cover - best effort only
        pass


def silence_libraries() -> None:
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING if name in ("transformers",) else logging.ERROR)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True


def import_comet():
    """`import comet`, leaving the root logger exactly as it was."""
    with _lock:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import comet  # noqa: F401  (the import is the point)
                import comet.models  # noqa: F401
        finally:
            for handler in list(root.handlers):
                if handler not in handlers:
                    root.removeHandler(handler)
            root.setLevel(level)
            silence_libraries()
        return comet
