"""The measuring stick of bench/bench_l10n.py: every verified real defect names a unit its files
have, the tuning and held-out sets do not share a unit, and the injected defects change what
they say they change."""

from __future__ import annotations

import os
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

import bench_l10n as bench  # noqa: E402


def _units(folder: str) -> dict[str, object]:
    out = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and name.split(".")[-1] in bench.FORMATS:
            out.update({r.id: r for r in bench.units(path)})
    return out


def test_verified_defects_name_units_of_the_files_and_the_sets_are_disjoint():
    tuning, held_out = (_units(folder) for _, folder in bench.SETS)
    verified = bench.verified_defects()
    assert len(verified) >= 20 and all(why.strip() for why in verified.values())
    missing = [unit for unit in verified if unit not in tuning and unit not in held_out]
    assert not missing, f"real_defects.tsv names units the files do not have: {missing}"
    pairs = lambda units, name: {(r.source, r.translation) for k, r in units.items() if name in k}  # noqa: E731
    held, tuned = pairs(held_out, "magento.ja_JP"), pairs(tuning, "magento.ja_JP")
    # other rows of the pack; it repeats some strings across modules, so a few pairs recur
    assert held and len(held & tuned) < 0.1 * len(held)


def test_injected_defects_do_what_they_say():
    units = _units(bench.SETS[0][1])
    rng = random.Random(1)
    rec = next(r for r in units.values() if r.source.startswith("This value should be {{ limit }} or less."))
    dropped = bench.drop_placeholder(rec, rng)
    assert "{{ limit }}" not in dropped.translation and "{{ limit }}" in rec.translation
    cut = bench.truncation(next(r for r in units.values() if len(r.translation) > 80 and not r.target_codes
                                and "|" not in r.source), rng)
    assert cut is not None and len(cut.translation) < 0.7 * len(cut.translation + "x" * 40)
