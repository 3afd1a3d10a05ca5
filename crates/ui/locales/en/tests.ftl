# The tests screen's words.
