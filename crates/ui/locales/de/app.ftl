# Der Rahmen des Fensters: Navigation, Meldungsbereich, Schließen, Antworten der Akte.

## Die Bildschirme, wie die Navigation sie nennt
app-screen-patients = Patienten
app-screen-sensors = Sensoren
app-screen-live = Sitzung
app-screen-tests = Gangtests
app-screen-progress = Verlauf
app-screen-music = Musik
app-screen-patient-view = Patientenansicht
app-screen-settings = Einstellungen

## Rechte Seite der Navigation
app-open-patient-window = Patientenfenster
app-open-patient-window-hint = Öffnet die ruhige Ansicht für die Patientin oder den Patienten in einem eigenen Fenster, für einen zweiten Bildschirm.
app-close-patient-window = Patientenfenster schließen
app-no-patient-selected = kein Patient gewählt
app-patient = Patient { $code }
app-close-help = Hilfe schließen

## Das Fenster schließen, während eine Sitzung läuft
app-closing = Die Sitzung wird beendet, dann wird geschlossen …
app-close-running = Eine Sitzung läuft.
app-close-question = Wenn Sie jetzt schließen, bleibt sie unvollständig. Sitzung beenden (sie wird als abgebrochen gespeichert) und das Fenster schließen, oder die Sitzung weiterlaufen lassen?
app-close-stop = Beenden und schließen
app-close-keep = Sitzung fortsetzen

## Eine Sitzung, die ein Absturz oder Stromausfall offen ließ, beim nächsten Öffnen genannt
app-interrupted = Sitzung Nr. { $id } ({ $who }, begonnen { $started }) wurde unterbrochen: Das Programm endete, ohne sie abzuschließen; was bis dahin aufgezeichnet wurde, bleibt erhalten.
app-interrupted-no-patient = kein Patient
app-interrupted-patient = Patient { $code }

## Antworten der Akte; $detail ist ihre eigene (englische) Erklärung
app-record-not-opened = Die Akte kann nicht geöffnet werden: { $detail }
app-patients-not-read = Patienten: { $detail }
app-patient-not-saved = Patient nicht gespeichert: { $detail }
app-sensors-not-assigned = Sensoren nicht zugeordnet: { $detail }
app-sensors-not-read = Gespeicherte Sensoren nicht gelesen: { $detail }
app-music-not-read = Die Musikbibliothek wurde nicht gelesen: { $detail }
app-music-not-saved = Das Stück wurde nicht gespeichert: { $detail }
app-music-played-not-read = Die in der Sitzung gespielte Musik wurde nicht gelesen: { $detail }
app-playlist-not-saved = Die Wiedergabeliste wurde nicht geändert oder gelesen: { $detail }
app-music-prefs-not-saved = Die Musikvorlieben des Patienten wurden nicht gespeichert oder gelesen: { $detail }
app-progress-not-read = Verlauf: { $detail }
app-test-not-stored = Test nicht gespeichert: { $detail }
app-result-not-deleted = Ergebnis nicht gelöscht: { $detail }
app-report-not-written = Bericht nicht geschrieben: { $detail }
app-note-saved = Notiz zu Sitzung Nr. { $id } gespeichert.
app-note-not-saved = Notiz nicht gespeichert: { $detail }
app-thread-not-started = der Thread { $name } kann nicht gestartet werden: { $detail }
app-mark-keyboard = Markierung (Tastatur)

## Der Meldungsbereich
app-older-hidden = { $count ->
    [one] 1 ältere Meldung ausgeblendet
   *[other] { $count } ältere Meldungen ausgeblendet
}
app-dismiss-older = Ältere Meldungen schließen
app-error-prefix = Fehler: { $text }
app-dismiss = Schließen
app-dismiss-hint = Schließen: { $text }

## Zustand eines Sensors, auf den Bildschirmen Sitzung und Sensoren
app-sensor-waiting = wartet
app-sensor-streaming = sendet
app-sensor-gap = Lücke (Takt läuft weiter)
app-sensor-lost = verloren: { $reason }
app-sensor-reconnecting = verbindet neu
app-sensor-health = { $placement } ({ $name }): { $status }; { $samples } Messwerte, { $lost } verloren{ $battery }
app-sensor-battery = , Akku { $percent } %
