"""The saga's steps as Lambda entry points: Powertools around one call into ``logic.saga``."""
