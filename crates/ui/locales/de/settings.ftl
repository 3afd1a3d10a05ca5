# Die Wörter des Bildschirms settings.
