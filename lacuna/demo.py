"""`make demo`: score the bundled example (a Japanese translation that drops two sentences).

    python -m lacuna.demo                 # starts a server in-process
    python -m lacuna.demo --server 127.0.0.1:50051
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from lacuna.client.client import Client

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lacuna.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="a running Lacuna server; default: start one in this process")
    parser.add_argument("--source", type=pathlib.Path, default=EXAMPLES / "library.en.txt")
    parser.add_argument("--translation", type=pathlib.Path, default=EXAMPLES / "library.ja.txt")
    parser.add_argument("--src-lang", default="en")
    parser.add_argument("--tgt-lang", default="ja")
    args = parser.parse_args(argv)

    server = None
    address = args.server
    if address is None:
        from lacuna.server.app import LacunaServer
        from lacuna.server.config import ServerConfig
        from lacuna.server.logs import configure_logging

        configure_logging("warning")
        server = LacunaServer(ServerConfig(port=0)).start()
        address = server.address
    source = args.source.read_text(encoding="utf-8")
    translation = args.translation.read_text(encoding="utf-8")
    try:
        with Client(address) as client:
            result = client.score([{"id": args.source.name, "source": source, "translation": translation,
                                    "src_lang": args.src_lang, "tgt_lang": args.tgt_lang}])
    finally:
        if server is not None:
            server.stop(grace=None)
    seg = result.segments[0]
    print(f"{args.source.name} -> {args.translation.name}: passed={seg.passed}")
    for name, value in sorted(seg.scores.items()):
        print(f"  {name:<10} {value:.3f}")
    for flag in seg.flags:
        where = ""
        if flag.source_span:
            where = f"source[{flag.source_span.start}:{flag.source_span.end}] "
        elif flag.target_span:
            where = f"translation[{flag.target_span.start}:{flag.target_span.end}] "
        print(f"  {flag.severity.upper():<8} {flag.type:<16} {where}conf={flag.confidence:.2f}  {flag.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
