# Die Wörter des Bildschirms help.
