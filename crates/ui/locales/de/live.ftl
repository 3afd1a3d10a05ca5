# Die Wörter des Bildschirms live.
