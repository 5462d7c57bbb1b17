"""Reference-based metrics (BLEU, chrF, TER)."""
