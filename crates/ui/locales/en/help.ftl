# The help screen's words.
