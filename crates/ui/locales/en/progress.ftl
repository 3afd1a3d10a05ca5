# The progress screen's words.
