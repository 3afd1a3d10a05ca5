//! Replay of recorded walks: readers for the public data-set layouts in `../shared/datasets`.
