"""deploy/kubernetes: the manifests parse, name only real lacuna-server flags and LACUNA_*
variables, probe the gRPC health service on the port the server binds, and mount alert
rules that the server can load."""

from __future__ import annotations

import os
import pathlib

import pytest
import yaml

from lacuna.server.alerting import load_rules
from lacuna.server.config import build_parser

DEPLOY = pathlib.Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"


def _docs() -> dict[str, dict]:
    docs = {}
    for path in sorted(DEPLOY.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            docs[doc["kind"]] = doc
    return docs


def _server_flags() -> set[str]:
    return {s for action in build_parser()._actions for s in action.option_strings}


def _server_env() -> set[str]:
    """LACUNA_* variables the server reads: one per flag's destination, plus the lists."""
    names = {f"LACUNA_{a.dest.upper()}" for a in build_parser()._actions if a.dest != "help"}
    return names | {"LACUNA_COMET_MODELS", "LACUNA_NO_OMISSION"}


@pytest.fixture(scope="module")
def docs():
    return _docs()


@pytest.fixture(scope="module")
def container(docs):
    (c,) = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    return c


def _args(container) -> dict[str, str]:
    out = {}
    for arg in container["args"]:
        flag, _, value = arg.partition("=")
        out[flag] = value
    return out


def test_manifests_hold_a_deployment_a_headless_service_and_a_configmap(docs):
    assert {"Deployment", "Service", "ConfigMap", "Kustomization"} <= set(docs)
    kustomized = set(docs["Kustomization"]["resources"])
    assert kustomized == {p.name for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml"}
    service = docs["Service"]
    assert service["spec"]["clusterIP"] == "None"  # headless: one DNS record per pod for dns:/// round-robin
    pod_labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert docs["Deployment"]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_container_names_only_real_server_flags_and_variables(container):
    flags = _server_flags()
    args = _args(container)
    unknown = [f for f in args if f not in flags]
    assert not unknown, f"not lacuna-server flags: {unknown}"
    parser = build_parser()
    parsed = parser.parse_args(container["args"])  # the values parse as the server would
    assert parsed.host == "0.0.0.0" and parsed.max_connection_age_ms > 0
    env = {e["name"] for e in container.get("env", []) if e["name"].startswith("LACUNA_")}
    assert env <= _server_env(), env - _server_env()
    replica = next(e for e in container["env"] if e["name"] == "LACUNA_REPLICA_ID")
    assert replica["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"


def test_probes_use_grpc_health_on_the_served_port(container):
    port = int(_args(container)["--port"])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["grpc"] == port
    assert ports["metrics"] == int(_args(container)["--metrics-port"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == port, probe
    requests = container["resources"]["requests"]
    assert requests["cpu"] and requests["memory"]


def test_alert_rules_come_from_the_configmap_and_load(docs, container, tmp_path):
    rules_path = _args(container)["--alert-rules"]
    mount = next(m for m in container["volumeMounts"] if rules_path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in docs["Deployment"]["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    configmap = docs["ConfigMap"]
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    key = os.path.relpath(rules_path, mount["mountPath"])
    path = tmp_path / key
    path.write_text(configmap["data"][key], encoding="utf-8")
    assert load_rules(path).rules  # the server would start with them
