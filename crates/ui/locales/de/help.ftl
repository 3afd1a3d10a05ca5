# Die Hilfe hinter dem „?“ jedes Bildschirms: eine Nachricht je Absatz. Namen von Schaltflächen
# und Bildschirmen in den Absätzen sind die des Fensters: so schreiben, wie die Schaltflächen heißen.

# Titel des Hilfefensters; $screen ist der Name des Bildschirms, wie die Navigation ihn zeigt.
help-title = Hilfe: { $screen }

# Die Tasten des Sitzungsbildschirms, dort und in seiner Hilfe aufgeführt.
help-live-shortcuts = Leertaste Start/Pause, Pfeil hoch/runter Tempo, N nächste Phase, M Markierung, Esc Stopp (in der Patientenansicht: zurück zur Sitzung).

## Patienten
help-patients-about = Die Liste der Patientinnen und Patienten. Jede Person hat einen pseudonymen Code: geben Sie nie einen Namen ein.
help-patients-add = 1. Patient/in anlegen, den Code eingeben (und, falls bekannt, Geburtsjahr, betroffene Seite und Diagnosedatum), dann Patient/in speichern.
help-patients-open = 2. Öffnen Sie eine Person, um mit ihr zu arbeiten: Die anderen Bildschirme zeigen und speichern dann deren Sitzungen und Tests. Bearbeiten ändert die Angaben einer Person.
help-patients-search = Die Suche findet eine Person über einen Teil des Codes.

## Sensoren
help-sensors-about = Woher die Schritte in der nächsten Sitzung kommen.
help-sensors-choose = 1. Suchen Sie nach Sensoren und ordnen Sie jeden gefundenen dem linken Fuß, dem rechten Fuß oder dem unteren Rücken zu; oder wählen Sie den virtuellen Patienten (ein simulierter Gang zum Ausprobieren) oder einen aufgezeichneten Gang (eine Roh-CSV-Datei).
help-sensors-go = 2. Sitzung starten öffnet die Sitzung mit der gewählten Quelle.
help-sensors-state = Während eine Sitzung läuft, stehen hier Zustand, verlorene Messwerte und Akkustand jedes Sensors.

## Sitzung
help-live-about = Die Sitzung, während sie läuft: Phase, Kadenz, Tempo des Takts, Schrittzeiten, Symmetrie, Variabilität und wie gut die Schritte dem Takt folgen.
help-live-start = 1. Start: Die Person geht zuerst ohne Takt (Ausgangsmessung); dann beginnt der Takt mit ihrer eigenen Kadenz und steigt in kleinen Stufen.
help-live-steer = 2. Pause, Nächste Phase und Tempo + / - steuern die Sitzung; Ereignis markieren hält einen Moment (ein Stolpern, eine Pause) in der Akte fest.
help-live-stop = 3. Stopp beendet die Sitzung, nachdem Sie bestätigt haben; sie bleibt in jedem Fall in der Akte.
help-live-music = Mit Musik: der laufende Titel, sein eigenes Tempo, wie weit er gedehnt ist und mit welchem Tempo er gespielt wird; die Regler stellen die Lautstärke der Musik und den Klick darüber ein, Nächster Titel wechselt zu einem anderen. Ein gelbbraunes Band sagt, wann die Sitzung stattdessen mit Klicks taktet, und warum.
help-live-keys = Tasten: { help-live-shortcuts }

## Klinische Tests
help-tests-about = Die üblichen klinischen Gangtests, mit Ihren Klicks gestoppt und für die geöffnete Person gespeichert.
help-tests-ten = 10-m-Gehtest: Klicken Sie, wenn die Person die 2-m-Linie und die 8-m-Linie überquert (gemessen werden die mittleren 6 m); bis zu drei Versuche, ihr Mittelwert ist die Ganggeschwindigkeit.
help-tests-six-tug = 6-Minuten-Gehtest: Rundenlänge angeben, starten, bei jeder Runde auf Runde klicken, zuletzt die letzte Teilrunde angeben. Timed Up and Go: Los, dann Sitzt.
help-tests-fac = FAC: eine ganze Kategorie von 0 bis 5, wie aufgeführt.
help-tests-stored = Gespeicherte Ergebnisse stehen darunter; Ergebnis löschen entfernt ein falsches nach Ihrer Bestätigung.

## Verlauf
help-progress-about = Sitzungen und Tests der geöffneten Person im Zeitverlauf, mit denselben Zahlen wie in den Berichten.
help-progress-table = Die Tabelle führt jede Sitzung auf; klicken Sie auf eine Sitzung, um ihre Ausgangsmessung mit ihrem Nachtest zu vergleichen. Die Diagramme zeigen Kadenz, Symmetrie, Variabilität, Synchronisation, TUG, FAC und Ganggeschwindigkeit gegenüber der kleinsten klinisch relevanten Veränderung.
help-progress-reports = Verlaufsbericht, Bericht und FHIR schreiben Dateien in den Ordner „reports“ im Datenordner.

## Patientenansicht
help-patient-view-about = Die ruhige Anzeige für die Person: der Takt, die Schrittzahl und ein ermutigendes Wort.
help-patient-view-turn = Drehen Sie den Bildschirm zur Person, oder legen Sie diese Ansicht mit Patientenfenster auf einen zweiten Bildschirm. Zurück zur Therapeutenansicht führt zu Ihren Bildschirmen zurück.

## Einstellungen
help-music-about = Die Musik für den Takt: die eingebauten Stücke und die eigenen der Therapeutin, jedes mit Tempo und Takt.
help-music-import = Einen Ordner (oder eine Datei) eingeben und Importieren drücken: jede WAV-, FLAC-, Ogg-Vorbis- und MP3-Datei darin wird einmal analysiert und aufbewahrt; eine Datei, die sich nicht lesen lässt, wird genannt, die anderen werden importiert.
help-music-patient = Mit gewähltem Patienten: jedes Stück als Mag er oder Mag er nicht markieren (erneut klicken hebt es auf) und seine Wiedergabelisten anlegen: Wiedergabeliste anlegen, Zu NAME, Nach oben und Entfernen. Anhören spielt die ersten 15 s eines Stücks.
help-music-session = Die Musik der Sitzung wird über den Knöpfen gewählt, die sie starten: keine (Klicks), die Lieblingsmusik des Patienten (nie ein unbeliebtes Stück), eine Wiedergabeliste oder ein Stück, und ob der Klick mitklingt.
help-music-tempo = Ein Stück, dessen Schlag doppelt so schnell oder halb so schnell sein könnte, fragt, welcher es ist: das Tempo drücken, zu dem der Patient geht.
help-settings-about = Die Einstellungen dieses Computers: Ton, Datenordner und die Vorgaben des Protokolls.
help-settings-save = Ändern Sie einen Wert, dann Einstellungen speichern. Ein Wert, der einem anderen widerspricht, wird rot an seinem Feld angezeigt, und nichts wird gespeichert, bis er geändert ist.
help-settings-folder = Ein neuer Datenordner öffnet die dort geführte Akte.
