# Die Wörter des Sitzungsbildschirms.

## Bevor eine Sitzung läuft, während sie startet und während sie endet
live-starting = Sitzung wird gestartet…
live-ending = Sitzung wird beendet…
live-no-session = Keine Sitzung aktiv
live-new-session = Neue Sitzung
# Die Schaltfläche für eine Sitzung, die nichts speichert.
live-practice = Übung (ohne Aufzeichnung)
# An den Startschaltflächen und im Meldungsbereich. „Patienten“: der Name des Bildschirms in der Navigation.
live-no-patient = Kein Patient ausgewählt: Wählen Sie den Patienten im Bildschirm „Patienten“, um die Sitzung aufzuzeichnen, oder nutzen Sie { live-practice }.
# Die Zeile über einer laufenden Sitzung, die nichts speichert.
live-practice-line = Übung: wird nicht aufgezeichnet
live-start-failed = Die Sitzung konnte nicht starten: { $error }

## Die Phasenzeile oben
live-phase = Phase: { $phase }
live-next = Danach: { $phase }
# Wie die Sitzung läuft, in Klammern nach der Phase.
live-run-waiting = wartet auf Start
live-run-running = läuft
live-run-finished = beendet
live-run-paused-clinician = pausiert (durch die Therapeutin oder den Therapeuten)
live-run-paused-no-steps = pausiert ({ $seconds } s ohne Schritt (stehen geblieben, erstarrt oder hingesetzt): Takt pausiert)

## Was von der Phase bleibt, im Maß, das sie beendet
live-time-left = noch { $time }
live-steps-left =
    { $count ->
        [one] noch { $count } Schritt
       *[other] noch { $count } Schritte
    }
live-advances = weiter, sobald im Takt
live-advances-after = weiter, sobald im Takt, frühestens in { $time }
live-level = Stufe { $level } von { $top }: weiter, sobald im Takt

## Die großen Zahlen und die Zeilen daneben
live-cadence = Kadenz
live-tempo = Tempo
live-target = Ziel
live-steps-per-min = Schritte/min
live-steps-unit = Schritte
live-visual-beat = sichtbarer Takt
live-steps-count = Schritte: { $count }
live-step-times = Schrittzeit L / R: { $left } / { $right } s
live-symmetry = Symmetrieverhältnis: { $ratio }
# VK: Variationskoeffizient.
live-variability = Variabilität (VK): { $cv } %
live-asynchrony = Mittlere Asynchronie: { $ms } ms

## Die Bedienelemente
live-start = Starten
live-resume = Fortsetzen
live-pause = Pausieren
live-stop = Beenden
live-next-phase = Nächste Phase
live-tempo-down = Langsamer
live-tempo-up = Schneller
live-set-tempo = Tempo setzen (Schritte/min)
live-apply = Übernehmen
live-event-label = Ereignisname
live-mark-event = Ereignis markieren
live-mark-default = Markierung
live-keys = Tasten: { $keys }
live-stop-question = Sitzung beenden?
live-stop-after-retest = Nach kurzem Nachtest beenden
live-stop-now = Sofort beenden (ohne Nachtest)
live-keep-going = Weitermachen
live-no-retest-yet = Noch in der Ausgangsmessung: Es gibt noch kein Gehen mit Takt für einen Nachtest.
live-tempo-change = Tempoänderung: { $change }
live-sensor-gap = Sensorlücke: Der Takt läuft mit dem letzten guten Tempo weiter.
live-audio = Ton: { $state }
live-recording = Aufzeichnung: { $state } (gespeicherte Schritte: { $steps })
live-session-log = Sitzungsprotokoll

## Ein eingegebenes Tempo
live-tempo-not-a-number = Tempo setzen: { $typed } ist keine Zahl in Schritten/min.
live-tempo-uncued = Das Tempo lässt sich setzen, solange der Takt läuft (nach der Ausgangsmessung).
live-tempo-above-ceiling = { $requested } Schritte/min liegt über der Sicherheitsobergrenze: Ziel auf { $capped } Schritte/min begrenzt.
live-tempo-below-floor = { $requested } Schritte/min liegt unter der Sicherheitsuntergrenze: Ziel auf { $capped } Schritte/min begrenzt.
live-tempo-set = Ziel auf { $capped } Schritte/min gesetzt.

## Die Abschlussansicht
live-end-recorded = Sitzung #{ $id } { $outcome }
live-end-practice = Sitzung (ohne Aufzeichnung) { $outcome }
live-outcome-error = mit einem Fehler beendet
live-steps = Schritte
live-baseline-cadence = Kadenz Ausgangsmessung
live-retest-cadence = Kadenz Nachtest
live-sensor-idle =
    { $placement } ({ $name }): in Ruhe, sendet nicht; { $samples ->
        [one] { $samples } Messwert
       *[other] { $samples } Messwerte
    }, { $lost } verloren
live-session-note = Notiz zur Sitzung
live-note-hint = Wie ist es gelaufen? Was sollten Sie beim nächsten Mal beachten?
live-save-note = Notiz speichern
live-note = Notiz: { $note }
live-session-report = Sitzungsbericht
live-note-empty = Die Notiz ist leer: Bitte schreiben Sie zuerst etwas.
live-record-not-open = Die Datenbank ist noch nicht geöffnet.

## Wie eine Sitzung endete, im Meldungsbereich und in der Abschlussansicht
live-summary =
    Sitzung { $who } { $status }: { $reason } ({ $steps ->
        [one] { $steps } Schritt
       *[other] { $steps } Schritte
    }).
live-summary-not-recorded = (ohne Aufzeichnung)
live-summary-recording-problem = Problem bei der Aufzeichnung: { $error }
live-summary-error = Die Sitzung endete mit einem Fehler: { $error }

## Die Musik, wenn die Sitzung mit Musik taktet
live-music-now-playing = Es läuft: { $title }
live-music-no-track = Kein Titel läuft
live-music-own-tempo = Eigenes Tempo: { $bpm } bpm
live-music-stretch = Gedehnt: { $percent } %
live-music-played-tempo = Gespielt mit: { $bpm } bpm
live-music-overlay = Klang: { $overlay }
live-music-volume = Musiklautstärke
live-music-click-level = Klick über der Musik
live-music-skip = Nächster Titel
live-music-fallback = Klicks statt Musik: { $reason }

## Die Musik der nächsten Sitzung, neben den Start-Knöpfen gewählt
session-music-chosen = Musik für die Sitzung: { $music }
session-music-none = Keine (Klicks)
session-music-builtin = { $title } (eingebaut)
session-music-library = { $title }, { $bpm } bpm
session-music-click-level = Klicklautstärke
session-music-sound-off = Der Ton ist in den Einstellungen aus: Die Musik ist nicht zu hören (der Takt ist nur sichtbar).

## Die gespeicherte Musik einer Sitzung, nach ihrem Ende
live-music-played = Gespielte Musik
live-music-played-none = Es wurde keine Musik gespielt (die Sitzung taktete mit Klicks).
live-music-segment = { $title }: { $start }–{ $end }, eigenes Tempo { $own } bpm, gespielt mit { $min }–{ $max } bpm (gedehnt { $stretch_min } bis { $stretch_max } %), { $overlay }
session-music-patient = Die Lieblingsmusik des Patienten
live-music-nothing-to-play = nichts zu spielen (kein Titel gemocht oder keiner spielbar)
live-music-record-unread = die Aufzeichnung (Wiedergabelisten und Vorlieben) kann nicht gelesen werden
session-music-playlist = Wiedergabeliste { $name }
