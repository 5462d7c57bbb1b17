"""What server-side alert rules cost per scored segment (the engine runs in the gRPC worker thread).

    python bench/bench_alerts.py                   # 100,000 segments through the example rules
    python bench/bench_alerts.py --segments 1000000
"""

from __future__ import annotations

import argparse
import pathlib
import random
import time

from lacuna.alerting import AlertEngine, load_rules
from lacuna.alerting.observation import Observation

REPO = pathlib.Path(__file__).resolve().parents[1]


def observations(n: int, seed: int = 1) -> list[Observation]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        flags = (("omission", rng.choice(["minor", "major"]), "m"),) if rng.random() < 0.05 else ()
        out.append(Observation(id=str(i), src_lang="en", tgt_lang=rng.choice(["fr", "de", "ja", "ko"]),
                               passed=not flags, error=rng.random() < 0.001, flags=flags,
                               scores={"comet": rng.uniform(0.5, 0.95)},
                               labels={"project": rng.choice(["web", "app"])}, source="s", translation="t"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100, help="segments per observe() call")
    parser.add_argument("--rules", default=str(REPO / "examples" / "alert-rules.yaml"))
    args = parser.parse_args()
    ruleset = load_rules(args.rules)
    obs = observations(args.segments)
    clock = [0.0]
    engine = AlertEngine(ruleset, mode="server", clock=lambda: clock[0])
    fired = 0
    started = time.perf_counter()
    for i in range(0, len(obs), args.batch):
        clock[0] += 0.05  # 2,000 segments a second of simulated traffic
        fired += len(engine.feed(obs[i:i + args.batch]))
    seconds = time.perf_counter() - started
    rules = len(engine.rules)
    print(f"segments={args.segments} rules={rules} batch={args.batch}: {seconds:.2f} s, "
          f"{args.segments / seconds:,.0f} segments/s, {seconds / args.segments * 1e6:.1f} us/segment, "
          f"alerts fired={fired}")


if __name__ == "__main__":
    main()
