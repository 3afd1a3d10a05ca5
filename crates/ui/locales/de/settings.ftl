# Die Wörter des Einstellungsbildschirms und die Fehler der Einstellungen.

settings-heading = Einstellungen dieses Computers
# Danach jede Sprache unter ihrem eigenen Namen (English, Deutsch).
settings-language = Sprache:
settings-sound = Ton (aus: nur sichtbarer Takt)
settings-volume = Lautstärke
# Danach die wählbaren Taktklänge.
settings-cue-sound = Taktklang:
settings-output-device = Ausgabegerät (leer = Standard)
settings-protocol-heading = Protokollvorgaben
## Die Vorgaben des Protokolls, je ein Schieberegler mit Einheit
settings-baseline = Ausgangsmessung, s
settings-retest = Nachtest, s
settings-tempo-step = Tempoerhöhung je Stufe, %
settings-highest-increase = Höchste Steigerung, %
settings-tempo-ceiling = Tempo-Obergrenze über Ausgangswert, %
settings-fading = Ausblenden, s
settings-data-folder = Datenordner
settings-save = Einstellungen speichern
settings-saved = Einstellungen gespeichert.
# $problem ist einer der Fehler unten oder die (englische) Erklärung des Protokolls.
settings-not-saved = Einstellungen nicht gespeichert: { $problem }
# Rot an einem Feld, dessen Wert nicht gespeichert werden kann; $problem wie oben.
settings-not-saved-until-changed = Erst nach Änderung speicherbar: { $problem }

## Die Fehler der Einstellungen. $path ist eine Datei, $detail die (englischen) Worte des Systems.
settings-file-problem = Einstellungsdatei { $path }: { $detail }
settings-file-not-json = Einstellungsdatei { $path }: kein gültiges JSON der Einstellungen: { $detail }
# $setting ist einer der Namen unten; $found, $min und $max sind Zahlen.
settings-out-of-range = Einstellung { $setting }: { $found } liegt außerhalb von { $min }–{ $max }

## Die Namen der Einstellungen in Fehlern, klein geschrieben, mit Einheit
settings-name-volume = Lautstärke
settings-name-baseline = Länge der Ausgangsmessung, s
settings-name-retest = Länge des Nachtests, s
settings-name-matched-minimum = Mindestzeit im angepassten Takt, s
settings-name-time-per-level = Zeit je Stufe, s
settings-name-tempo-step = Tempoerhöhung je Stufe, %
settings-name-highest-increase = höchste Steigerung, %
settings-name-tempo-ceiling = Tempo-Obergrenze über Ausgangswert, %
settings-name-fading = Länge des Ausblendens, s
# Schläge, die der Gang nach einem Tempowechsel zum Einpendeln braucht.
settings-name-settle-beats = Schläge zum Einpendeln
