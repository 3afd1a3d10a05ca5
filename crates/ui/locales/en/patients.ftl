# The patients screen's words.
