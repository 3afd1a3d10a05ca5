# Die Wörter des Bildschirms app.
