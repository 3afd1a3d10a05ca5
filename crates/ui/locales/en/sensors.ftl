# The sensors screen's words.
