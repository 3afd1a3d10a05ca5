# Die Wörter des Bildschirms tests.
