# Die Wörter des Bildschirms progress.
