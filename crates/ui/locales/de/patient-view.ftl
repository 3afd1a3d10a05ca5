# Die Wörter des Bildschirms patient-view.
