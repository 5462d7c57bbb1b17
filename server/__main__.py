"""`lacuna-server` / `python -m lacuna.server`."""

from __future__ import annotations

import os
import sys

from lacuna.server.app import serve
from lacuna.server.config import ConfigError, parse_config
from lacuna.server.logs import configure_logging

#: Exit status for a setting the server cannot start with (as SystemExit with a message did).
EXIT_CONFIG = 1


def main(argv: list[str] | None = None) -> int:
    """Parse flags, serve until SIGTERM/SIGINT; a bad setting prints its message and exits 1."""
    try:
        config = parse_config(argv)
        configure_logging(config.log_level, config.log_format)
        serve(config)
    except ConfigError as exc:
        print(f"lacuna-server: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    _exit_now(0)
    return 0


def _exit_now(code: int) -> None:
    """End the process once the server has drained and stopped. Interpreter shutdown would
    otherwise wait for the encoder's native threads to finish a batch nobody waits for
    (seconds), past --shutdown-grace."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
