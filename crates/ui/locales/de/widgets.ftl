# Die Wörter des Bildschirms widgets.
