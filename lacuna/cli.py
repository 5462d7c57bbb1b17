"""`lacuna` — the command line: `lacuna serve ...` starts the server; every other command
(`score`, `report`) is the client's (`lacuna.client.cli`), which never imports the server."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        from lacuna.server.__main__ import main as serve

        return serve(argv[1:])
    from lacuna.client.cli import main as client_main

    return client_main(argv)


if __name__ == "__main__":
    sys.exit(main())
