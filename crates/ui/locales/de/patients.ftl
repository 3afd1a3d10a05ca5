# Die Wörter des Bildschirms patients.
