# Die Wörter des Bildschirms tests und der klinischen Gangtests, die er misst.

tests-heading = Klinische Gangtests
tests-select-patient = Wählen Sie zuerst eine/n Patient/in (Bildschirm Patienten).
tests-stored-for = Ergebnisse werden für Patient/in { $code } gespeichert.

## Mit welcher Sitzung ein Ergebnis verknüpft wird; $id ist die Nummer der Sitzung.
tests-linked-none-on-screen = Ergebnisse werden mit keiner Sitzung verknüpft (keine Sitzung dieser Person ist geöffnet).
tests-linked-running = Ergebnisse werden mit Sitzung { $id } verknüpft (läuft).
tests-linked-ended = Ergebnisse werden mit Sitzung { $id } verknüpft (beendet).
tests-unlinked-running = Ergebnisse werden mit keiner Sitzung verknüpft (Sitzung { $id } läuft).
tests-unlinked-ended = Ergebnisse werden mit keiner Sitzung verknüpft (Sitzung { $id } ist beendet).
tests-this-session = Diese Sitzung ({ $id })
tests-no-session = Keine Sitzung

## Der 10-Meter-Gehtest
tests-ten-heading = 10-Meter-Gehtest (gemessen werden die mittleren 6 m)
# $trial ist der laufende Versuch, $trials die Zahl der Versuche; $seconds die Uhr.
tests-ten-clock = Versuch { $trial } von { $trials } — Uhr { $seconds } s
# Die Therapeutin/der Therapeut klickt, wenn der Patient die jeweilige Linie überquert.
tests-ten-crossed-start = 2-m-Linie überquert
tests-ten-crossed-end = 8-m-Linie überquert
tests-ten-cancel-trial = Versuch abbrechen
tests-ten-trial-speed = Versuch { $trial }: { $speed } m/s
# $class ist die Gehfähigkeitsklasse der Geschwindigkeit.
tests-ten-gait-speed = Ganggeschwindigkeit { $speed } m/s — { $class }
tests-ten-save = 10-m-Gehtest speichern
# Wird als Notiz zum Ergebnis gespeichert.
tests-ten-notes = { $count ->
    [one] { $count } Versuch
   *[other] { $count } Versuche
}

## Der 6-Minuten-Gehtest
tests-six-heading = 6-Minuten-Gehtest
tests-six-lap-length = Rundenlänge, m
tests-six-start = 6-Minuten-Gehtest starten
# $length ist die Rundenlänge, $seconds die verbleibende Zeit.
tests-six-progress = { $laps ->
    [one] { $laps } Runde zu { $length } m — noch { $seconds } s
   *[other] { $laps } Runden zu { $length } m — noch { $seconds } s
}
# Die Therapeutin/der Therapeut klickt bei jeder vollendeten Runde.
tests-six-lap = Runde
tests-six-stop-early = Vorzeitig beenden
tests-six-partial-lap = Letzte Teilrunde, m
tests-six-save = 6-Minuten-Gehtest speichern
# Wird als Notiz zum Ergebnis gespeichert.
tests-six-notes = { $count ->
    [one] { $count } Runde
   *[other] { $count } Runden
}

## Timed Up and Go (die Überschrift ist der Name des Tests)
tests-tug-clock = Uhr { $seconds } s
# „Los“ beim Aufstehen-Kommando, „Sitzt“, wenn die Person wieder sitzt.
tests-tug-go = Los
tests-tug-seated = Sitzt
tests-tug-save = TUG speichern

## Functional Ambulation Category (die Überschrift ist der Name des Tests)
tests-fac-level-0 = 0: nicht gehfähig oder braucht Hilfe von zwei Personen
tests-fac-level-1 = 1: braucht ständige Hilfe einer Person
tests-fac-level-2 = 2: braucht zeitweise Hilfe einer Person
tests-fac-level-3 = 3: braucht nur Aufsicht
tests-fac-level-4 = 4: selbstständig auf ebenem Boden
tests-fac-level-5 = 5: überall selbstständig, auch auf Treppen
# Der Name des Feldes sagt, was es annimmt.
tests-fac-field = FAC (ganze Zahl { $min }–{ $max })
tests-fac-not-saved = Nicht gespeichert: { $error }
tests-fac-save = FAC speichern

## Die gespeicherten Ergebnisse
tests-stored-heading = Gespeicherte Ergebnisse
tests-reading-record = Die Akte wird gelesen…
tests-no-results = Noch kein Ergebnis gespeichert.
# $test ist der Name des Tests, $result sein Wert mit Einheit, $link eine der beiden Meldungen darunter.
tests-stored = Gespeichert: { $test }: { $result } ({ $link })
tests-link-none = keine Sitzung
tests-link-session = Sitzung { $id }
# $id ist die Nummer des Ergebnisses in der Akte.
tests-delete-result = Ergebnis { $id } löschen
# Ein Ergebnis im Satz: „10-m-Gehtest (Ganggeschwindigkeit) vom 2026-12-04 (0.75 m/s)“.
tests-result = { $test } vom { $date } ({ $result })
# $result ist ein tests-result.
tests-delete-confirm = { $result } löschen?
tests-delete = Löschen
tests-keep = Behalten
tests-deleted = Gelöscht: { $result }
tests-no-longer-stored = { $result } war nicht mehr in der Akte
tests-record-not-open = Die Akte ist nicht geöffnet.

## Was die Tests sagen, wenn ein Knopf zur falschen Zeit gedrückt oder ein Wert abgelehnt wird
# $test ist der Name eines Tests (unten), $action und $state je eine der Meldungen tests-action-* und tests-state-*.
tests-error-wrong-state = { $test }: { $action } ist jetzt nicht möglich ({ $state })
tests-error-time-backwards = { $test }: die Zeit { $now } ns liegt vor dem Start bei { $start } ns
# $what ist einer der Namen tests-field-*; $min und $max der erlaubte Bereich.
tests-error-out-of-range = { $what }: { $found } liegt außerhalb von { $min }–{ $max }
tests-error-not-whole = { $what }: `{ $found }` ist keine ganze Zahl: geben Sie eine von { $min }–{ $max } an
tests-error-not-a-number = { $what }: `{ $found }` ist keine Zahl
tests-name-ten = 10-Meter-Gehtest
tests-name-six = 6-Minuten-Gehtest
tests-action-start-timing = Zeitmessung starten
tests-action-start-another-trial = Weiteren Versuch starten
tests-action-stop-timing = Zeitmessung stoppen
tests-action-start = Starten
tests-action-count-lap = Runde zählen
tests-action-stop = Stoppen
tests-action-give-distance = Strecke angeben
tests-state-already-timing = Zeitmessung läuft bereits
tests-state-three-trials-done = drei Versuche abgeschlossen
tests-state-not-timing = keine Zeitmessung aktiv
tests-state-already-started = bereits gestartet
tests-state-not-started = nicht gestartet
tests-state-over = beendet
tests-state-not-running = läuft nicht
tests-state-six-minutes-not-over = sechs Minuten noch nicht um
tests-field-ten-time = 10-Meter-Gehtest, Zeit über 6 m
tests-field-six-lap-length = 6-Minuten-Gehtest, Rundenlänge in m
tests-field-six-partial-lap = 6-Minuten-Gehtest, letzte Teilrunde in m
tests-field-lap-length = Rundenlänge, m
tests-field-partial-lap = letzte Teilrunde, m
