# The app screen's words.
