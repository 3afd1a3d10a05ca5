//! entrain-cue (being built).
