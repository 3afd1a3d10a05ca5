# The live screen's words.
