"""bench/fit_unrelated_pairs.py on a small sample: it fits the unrelated-pair model on correct vs
swapped UI strings, chooses its bar and prints settings the detector accepts."""

import re
import subprocess
import sys

from conftest import REPO

from lacuna.server.omission.settings import Settings


def test_the_unrelated_pair_fit_prints_a_model_and_a_bar_the_settings_take():
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "fit_unrelated_pairs.py"), "--limit", "400",
                           "--halomi-limit", "-1"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = proc.stdout
    assert re.search(r"ui-strings: 400 correct strings, \d+ swapped", out), out
    values = dict(re.findall(r"^\s+(unrelated_\w+): float = (-?[\d.]+)$", out, re.M))
    assert set(values) == {"unrelated_bias", "unrelated_latent_weight", "unrelated_dense_weight",
                           "unrelated_min_probability"}, out
    settings = Settings(**{k: float(v) for k, v in values.items()})
    assert settings.unrelated_latent_weight < 0 and settings.unrelated_dense_weight < 0  # less alike: more unrelated
    assert 0.5 <= settings.unrelated_min_probability < 1.0
    # the bar keeps the fitting sample's correct strings at or under the 1% asked for
    row = re.search(rf"model >= {settings.unrelated_min_probability:.2f}\s+([\d.]+)%\s+([\d.]+)%", out)
    assert row and float(row.group(1)) <= 1.0 and float(row.group(2)) > float(row.group(1)), out
