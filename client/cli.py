"""The client's commands: `lacuna score ...`, `lacuna report ...` (`lacuna serve` is `lacuna.cli`)."""

from __future__ import annotations

import os
import sys

USAGE = """usage: lacuna COMMAND [ARGS]

commands:
  score    score translation files against a Lacuna server (lacuna score --help)
  report   turn a results file into a self-contained HTML report (lacuna report --help)
  serve    start the server (same as lacuna-server)
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "score":
        from lacuna.client.batch import main as run
    elif command == "report":
        from lacuna.client.report import main as run
    elif command == "serve":  # the server is its own program; the client does not import it
        os.execv(sys.executable, [sys.executable, "-m", "lacuna.server", *rest])
    else:
        print(f"lacuna: unknown command {command!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    return run(rest)


if __name__ == "__main__":
    sys.exit(main())
