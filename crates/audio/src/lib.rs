//! entrain-audio (being built).
