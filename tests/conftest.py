"""Shared fixtures: real servers on loopback, and the data in ../shared."""

from __future__ import annotations

import importlib
import os
import pathlib
from dataclasses import replace

import pytest

from lacuna.client import Client
from lacuna.server.app import LacunaServer
from lacuna.server.config import ServerConfig

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("LACUNA_SHARED", REPO.parent / "shared"))


def _missing(message: str) -> None:
    """Fail under CI=true (CI must have everything), skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def shared_path(*parts: str) -> pathlib.Path:
    """A path under ../shared. Missing data fails the test under CI=true and skips it elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        _missing(f"shared data missing: {path} (CI must provide ../shared)")
    return path


def require_module(name: str):
    """Import `name`, an optional dependency the Makefile installs: missing, it fails the test
    under CI=true and skips it elsewhere."""
    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"{name} is not installed (make installs it; CI must have it)")


@pytest.fixture
def start_server():
    """start_server(**config_overrides) -> a started LacunaServer on 127.0.0.1, a free port."""
    servers = []

    def _start(**overrides) -> LacunaServer:
        config = replace(ServerConfig(port=0, workers=8), **overrides)
        server = LacunaServer(config).start()
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.stop(grace=None)


@pytest.fixture(scope="session")
def base_server():
    """One default server (checks, BLEU/chrF/TER, omission) shared by the session."""
    server = LacunaServer(ServerConfig(port=0, workers=8)).start()
    yield server
    server.stop(grace=None)


@pytest.fixture(scope="session")
def checks_server():
    """One server without the omission encoder, for the rule-based checks."""
    server = LacunaServer(ServerConfig(port=0, workers=4, omission=False)).start()
    yield server
    server.stop(grace=None)


def score_one(server, source: str, translation: str, *, src: str = "en", tgt: str = "de"):
    """One segment scored by `server` over loopback: its SegmentResult."""
    with Client(server.address, timeout=30) as client:
        return client.score([{"id": "s1", "source": source, "translation": translation,
                              "src_lang": src, "tgt_lang": tgt}]).segments[0]


@pytest.fixture
def client(base_server):
    with Client(base_server.address, timeout=120) as c:
        yield c
