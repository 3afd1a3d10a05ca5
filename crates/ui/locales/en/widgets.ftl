# The widgets screen's words.
