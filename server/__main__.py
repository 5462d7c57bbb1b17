"""`lacuna-server` / `python -m lacuna.server`."""

from __future__ import annotations

import sys

from lacuna.server.app import serve
from lacuna.server.config import parse_config
from lacuna.server.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    config = parse_config(argv)
    configure_logging(config.log_level, config.log_format)
    serve(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
