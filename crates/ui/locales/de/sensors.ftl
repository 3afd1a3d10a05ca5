# Die Wörter des Bildschirms sensors.
