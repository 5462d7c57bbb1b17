"""Regenerate the Python modules for proto/lacuna/v1/*.proto (`make proto`).

protoc writes imports as `from lacuna.v1 import ...`; the modules live in the
`lacuna.proto` package, so those imports are rewritten to
`from lacuna.proto.lacuna.v1 import ...`.
"""

from __future__ import annotations

import pathlib
import re
import sys

PROTO_ROOT = pathlib.Path(__file__).resolve().parent


def generate(out_dir: pathlib.Path = PROTO_ROOT) -> list[pathlib.Path]:
    from grpc_tools import protoc
    import grpc_tools

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "lacuna" / "v1").glob("*.proto"))
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out_dir}",
            f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}", *protos]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed")
    written = []
    for path in sorted((out_dir / "lacuna" / "v1").glob("*_pb2*.py*")):
        text = path.read_text()
        fixed = re.sub(r"^from lacuna\.v1 import", "from lacuna.proto.lacuna.v1 import", text, flags=re.M)
        path.write_text(fixed)
        written.append(path)
    for pkg in (out_dir / "lacuna", out_dir / "lacuna" / "v1"):
        init = pkg / "__init__.py"
        if not init.exists():
            init.write_text("")
    return written


if __name__ == "__main__":
    for p in generate(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else PROTO_ROOT):
        print(p)
