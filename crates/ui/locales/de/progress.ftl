# Die Wörter des Verlaufsbildschirms: Sitzungen und Tests einer Person im Zeitverlauf.

progress-heading-no-patient = Verlauf über die Sitzungen
progress-select-patient = Wählen Sie zuerst eine/n Patient/in (Bildschirm Patienten).
# $code ist der pseudonyme Code der Person.
progress-heading = Verlauf von { $code }
progress-refresh = Verlauf aktualisieren
progress-report = Verlaufsbericht (PDF)
progress-reading = Die Akte wird gelesen…
progress-counts = { $sessions ->
    [one] { $sessions } Sitzung
   *[other] { $sessions } Sitzungen
}, { $tests ->
    [one] { $tests } klinischer Test
   *[other] { $tests } klinische Tests
}.

## Die Sitzungstabelle
progress-column-session = Sitzung
progress-column-status = Zustand
progress-column-steps = Schritte
progress-column-cadence = Kadenz Ausgangsmessung -> Nachtest
# R: Länge des mittleren Vektors der Schrittphasen zum Takt, 0–1.
progress-column-entrainment = Synchronisation R (beste Phase)
# Schaltflächen in der Zeile jeder Sitzung; $id ist die Nummer der Sitzung.
progress-session = Sitzung #{ $id }
progress-session-report = Bericht #{ $id } (PDF)
progress-session-fhir = FHIR-Export #{ $id }
# $baseline und $retest sind fertig formatierte Kadenzen.
progress-cadence-change = { $baseline } -> { $retest } Schritte/min

## Achsen und Legenden der Diagramme
# Waagerechte Achse eines Diagramms je Sitzung (Marken #1, #2, ...).
progress-axis-session = Sitzung
# Waagerechte Achse eines Diagramms je klinischem Test (Marken #1, #2, ...).
progress-axis-test = Test
progress-axis-entrainment = Synchronisation R
progress-best-cued-phase = beste Phase mit Takt
progress-axis-tug = Timed-Up-and-Go, s
progress-axis-fac = FAC, 0–5
progress-speed-heading = Ganggeschwindigkeit (10-m-Gehtest)
progress-axis-speed = Ganggeschwindigkeit, m/s
# Die Legende der Linie der Ganggeschwindigkeit.
progress-speed = Ganggeschwindigkeit
# MCID: kleinste klinisch relevante Veränderung; $low und $high in m/s.
progress-mcid-band = MCID-Band ({ $low }–{ $high } m/s über dem ersten Test)
# Linien an den Grenzen der Gehfähigkeitsklassen; $speed in m/s.
progress-household-limit = Gehen im Haus / eingeschränkt draußen { $speed } m/s
progress-community-limit = Gehen draußen { $speed } m/s
# $first und $latest sind Ganggeschwindigkeiten; $verdict und $class kommen aus der Auswertung (englisch).
progress-speed-change = Erster { $first } m/s -> letzter { $latest } m/s: { $verdict }; { $class }

## Ausgangsmessung gegen Nachtest einer Sitzung
progress-compare-heading = Sitzung #{ $id }: Ausgangsmessung gegen Nachtest
progress-compare-measure = Maß
progress-compare-baseline = Ausgangsmessung
progress-compare-retest = Nachtest
progress-compare-change = Änderung
progress-compare-gait-speed = Ganggeschwindigkeit, 10-m-Gehtest (m/s)
progress-compare-steps = Gezählte Schritte (L / R)
progress-thresholds = Schwellenwerte, an denen diese Maße gemessen werden

## Berichte
progress-record-not-open = Die Akte ist noch nicht geöffnet.
# $path ist die geschriebene Datei.
progress-written = Geschrieben: { $path }
