"""`lacuna-server` / `python -m lacuna.server`."""

from __future__ import annotations

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
