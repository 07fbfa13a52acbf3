"""Stage 4, write: build outputs one by one or in batches on warm workers, only what changed, written atomically."""
