# The settings screen's words.
