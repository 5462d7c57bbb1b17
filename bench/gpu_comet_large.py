"""COMET throughput and memory for a wmt22-comet-da-sized model, fp32 vs bf16, on a GPU.

Builds an XLM-R-large-shaped encoder (24 layers, 1024 hidden, 16 heads, vocab
250002; random weights) with the wmt22-comet-da regression head, entirely
offline (the tokenizer is trained here), and scores segments through the
server's own serving path (dynamic batcher + forward pass, no Trainer). Prints
segments/s and peak GPU memory per precision, and how far bf16 scores drift
from fp32.

    python bench/gpu_comet_large.py              # on a GPU machine (< 4 minutes on an H100)
    python bench/gpu_comet_large.py --tiny       # tiny model on CPU: checks the script end to end
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def run_precision(model, segments, batch_size: int, device, precision: str) -> dict:
    import torch

    from lacuna.server.comet.batcher import DynamicBatcher
    from lacuna.server.comet.sentence_forward import make_forward

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    model.to(device=device, dtype=dtype)
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    weights_gib = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**30
    forward = make_forward(model, spans=False, cache_size=0, max_chunk=batch_size, max_padding=1.0)  # as served
    forward(segments[:batch_size])  # warm-up: kernels, allocator
    batcher = DynamicBatcher(forward, max_batch=batch_size, max_delay_s=0.002, max_queued=len(segments) + 1,
                             name=f"bench-{precision}")
    started = time.perf_counter()
    futures = batcher.submit([("comet", sum(len(v) for v in s.values()), s) for s in segments])
    scores = [f.result().score for f in futures]
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    batcher.close()
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if cuda else float("nan")
    return {"precision": precision, "batch": batch_size, "seconds": seconds, "segments_per_s": len(segments) / seconds,
            "peak_gib": peak, "weights_gib": weights_gib, "scores": scores}


def check_kinds(device: str, precisions: list[str]) -> None:
    """Every synthetic model kind through the server's loader and forward pass on `device`,
    compared with fp32 on the CPU (the values the CPU tests pin down)."""
    from lacuna.server.comet import synthetic
    from lacuna.server.comet.loading import load_model, traits_of
    from lacuna.server.comet.sentence_forward import make_forward
    from lacuna.server.comet.resolve import resolve_model

    samples = synthetic.sample_segments(48, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        encoder = synthetic.build_encoder_folder(pathlib.Path(tmp) / "enc")
        for kind in synthetic.MODEL_KINDS:
            folder = pathlib.Path(tmp) / kind
            synthetic.build_checkpoint(folder, kind, encoder)
            resolved = resolve_model(str(folder), offline=True)
            base_model = load_model(resolved, "cpu", "fp32")
            traits = traits_of(base_model)
            batch = samples if traits.uses_reference else [{"src": s["src"], "mt": s["mt"]} for s in samples]
            base = make_forward(base_model, traits.spans, cache_size=0)(batch)
            for precision in precisions:
                got = make_forward(load_model(resolved, device, precision), traits.spans, cache_size=0)(batch)
                drift = max(abs(a.score - b.score) for a, b in zip(got, base))
                same_spans = sum([(x.start, x.end, x.severity) for x in a.spans] ==
                                 [(x.start, x.end, x.severity) for x in b.spans] for a, b in zip(got, base))
                print(f"check {kind:13s} {device} {precision}: max |score - cpu fp32| {drift:.5f}; "
                      f"identical span lists {same_spans}/{len(batch)}; spans {sum(len(r.spans) for r in got)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="tiny model on CPU (checks the script end to end)")
    parser.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    parser.add_argument("--segments", type=int, default=None, help="segments per precision (default 2048; tiny 64)")
    parser.add_argument("--batch-size", default="16,128",
                        help="COMET batch sizes, comma-separated (default 16,128: the server's default and the "
                             "size to use on a GPU)")
    parser.add_argument("--precisions", default="fp32,bf16", help="comma-separated: fp32,bf16,fp16")
    parser.add_argument("--check-kinds", action="store_true",
                        help="also run every tiny model kind through the server's loader on the device")
    args = parser.parse_args(argv)

    import torch

    from lacuna.server.comet import synthetic

    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() and not args.tiny else "cpu"))
    n = args.segments or (64 if args.tiny else 2048)
    batches = [int(b) for b in str(args.batch_size).split(",") if b.strip()]
    if args.tiny:
        batches = [min(b, 16) for b in batches]
    shape = synthetic.EncoderShape() if args.tiny else synthetic.EncoderShape.xlmr_large()
    head = [64] if args.tiny else [3072, 1024]  # wmt22-comet-da: hidden_sizes [3072, 1024]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        encoder = synthetic.build_encoder_folder(pathlib.Path(tmp) / "enc", shape)
        model = synthetic.new_model("regression", encoder, hidden_sizes=head)
    params = sum(p.numel() for p in model.parameters())
    segments = synthetic.sample_segments(n)
    tokens = [len(model.encoder.tokenizer(s["mt"])["input_ids"]) for s in segments[:200]]
    print(f"model: {'tiny' if args.tiny else 'XLM-R-large-shaped'} regression (wmt22-comet-da head), "
          f"{params / 1e6:.1f}M parameters, built in {time.perf_counter() - started:.1f}s")
    print(f"device: {torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}; torch {torch.__version__}")
    print(f"input: {n} segments (src+mt+ref), mean {sum(tokens) / len(tokens):.0f} tokens per translation; "
          f"batch size {', '.join(map(str, batches))}")
    results = []
    for precision in [p.strip() for p in args.precisions.split(",") if p.strip()]:
        if device.type == "cpu" and precision == "fp16":
            print(f"{precision}: skipped on CPU")
            continue
        for batch in batches:
            r = run_precision(model, segments, batch, device, precision)
            results.append(r)
            print(f"{precision}, batch {batch}: {r['segments_per_s']:.1f} segments/s ({r['seconds']:.2f}s for {n}); "
                  f"weights {r['weights_gib']:.2f} GiB; peak GPU memory "
                  + (f"{r['peak_gib']:.2f} GiB" if r["peak_gib"] == r["peak_gib"] else "n/a (cpu)")
                  + f"; score spread (std) {statistics.pstdev(r['scores']):.3f}")
    base = {r["batch"]: r for r in results if r["precision"] == "fp32"}
    if args.check_kinds:
        check_kinds(str(device), [p for p in args.precisions.split(",") if p and not
                                  (device.type == "cpu" and p == "fp16")])
    for r in results:
        ref = base.get(r["batch"])
        if ref is not None and r is not ref:
            drift = max(abs(a - b) for a, b in zip(r["scores"], ref["scores"]))
            print(f"{r['precision']} vs fp32, batch {r['batch']}: speed-up "
                  f"{r['segments_per_s'] / ref['segments_per_s']:.2f}x, "
                  f"max |score difference| {drift:.4f} (random weights exaggerate it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
