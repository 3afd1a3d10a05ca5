# Namen, die alle Bildschirme teilen. Die Ids nach "phase-", "measure-", "test-kind-", "sound-",
# "affected-side-", "placement-", "status-" und "overlay-" sind die gespeicherten Namen: nicht ändern.

## Die Phasen des Protokolls, im Satz
phase-baseline = Ausgangsmessung (ohne Takt)
phase-matched = angepasster Takt
phase-progression = Steigerung
phase-functional = funktionelles Gehen
phase-fading = Ausblenden
phase-retest = Nachtest (ohne Takt)
phase-done = beendet

## Die Phasen als Überschrift und in Tabellen
phase-title-baseline = Ausgangsmessung (ohne Takt)
phase-title-matched = Angepasster Takt
phase-title-progression = Steigerung
phase-title-functional = Funktionelles Gehen
phase-title-fading = Ausblenden
phase-title-retest = Nachtest (ohne Takt)
phase-title-done = Beendet

## Die Phasen in einem schmalen Diagrammband
phase-short-baseline = Ausgang
phase-short-matched = Angepasst
phase-short-progression = Steigerung
phase-short-functional = Funktionell
phase-short-fading = Ausblenden
phase-short-retest = Nachtest
phase-short-done = Beendet

## Gangmaße, mit Einheit
measure-cadence_spm = Kadenz (Schritte/min)
measure-step_time_left_s = Schrittzeit L (s)
measure-step_time_right_s = Schrittzeit R (s)
measure-stride_time_left_s = Doppelschrittzeit L (s)
measure-stride_time_right_s = Doppelschrittzeit R (s)
measure-symmetry_ratio = Symmetrieverhältnis (paretische / nicht-paretische Schrittzeit)
measure-normalised_difference = Normierte Differenz (NP - P) / (NP + P)
measure-step_time_cv_percent = Variabilität der Schrittzeit, VK (%)
measure-stride_time_cv_percent = Variabilität der Doppelschrittzeit, VK (%)

## Klinische Tests
test-kind-10mwt = 10-m-Gehtest (Ganggeschwindigkeit)
test-kind-6mwt = 6-Minuten-Gehtest (Strecke)
test-kind-tug = Timed Up and Go
test-kind-fac = Functional Ambulation Category

## Taktklänge
sound-click = Klick
sound-woodblock = Holzblock
sound-beep = weicher Piepton
sound-drum = Trommel

## Die betroffene Seite
affected-side-left = links
affected-side-right = rechts
affected-side-both = beidseits
affected-side-none = keine

## Wo ein Sensor getragen wird
placement-foot_left = linker Fuß
placement-foot_right = rechter Fuß
placement-lower_back = unterer Rücken

## Welche Art Sensor (die Suche erkennt sie an seiner Ankündigung)
sensor-kind-entrain = Entrain-Sensor
sensor-kind-rsc = RSC-Schrittsensor
sensor-kind-rsc-strides = RSC-Schrittsensor (Doppelschritte)
sensor-kind-movesense = Movesense
sensor-kind-polar-verity-sense = Polar Verity Sense

## Zustand einer gespeicherten Sitzung
status-running = läuft
status-completed = abgeschlossen
status-stopped = abgebrochen
status-interrupted = unterbrochen
status-failed = fehlgeschlagen

## Gehfähigkeit nach Ganggeschwindigkeit ($household und $community: die Grenzen, m/s)
ambulation-household = Gehen im Haushalt (< { $household } m/s)
ambulation-limited_community = eingeschränktes Gehen außer Haus ({ $household }–{ $community } m/s)
ambulation-community = Gehen außer Haus (>= { $community } m/s)

## Eine Änderung der Ganggeschwindigkeit gegenüber dem MCID-Band ($mcid_low bis $mcid_high, m/s)
speed-change-important_improvement = klinisch bedeutsame Verbesserung (>= { $mcid_high } m/s)
speed-change-improvement_within_band = Verbesserung innerhalb des MCID-Bands ({ $mcid_low }–{ $mcid_high } m/s)
speed-change-important_decline = klinisch bedeutsame Verschlechterung
speed-change-below_mcid = Änderung kleiner als die MCID ({ $mcid_low } m/s)

## Die Tabelle der Schwellenwerte
threshold-name-mcid_inpatients = MCID der Ganggeschwindigkeit, stationär
threshold-meaning-mcid_inpatients = kleinste Änderung der Ganggeschwindigkeit, die für stationäre Patienten zählt
threshold-name-mcid_subacute = MCID der Ganggeschwindigkeit, subakut
threshold-meaning-mcid_subacute = kleinste Änderung der Ganggeschwindigkeit, die nach subakutem Schlaganfall zählt
threshold-name-household_below = Gehen im Haushalt unter
threshold-meaning-household_below = darunter: Gehen im Haushalt; darüber: eingeschränktes Gehen außer Haus
threshold-name-community_from = Gehen außer Haus ab
threshold-meaning-community_from = ab hier: Gehen außer Haus
threshold-name-strong_entrainment_above = starke Synchronisation über
threshold-meaning-strong_entrainment_above = Länge des resultierenden Vektors R der Schritte gegenüber den Schlägen
threshold-name-moderate_entrainment_from = mittlere Synchronisation ab
threshold-meaning-moderate_entrainment_from = R ab hier bis zur starken Schwelle; darunter: schwach

## Was in einer Sitzung mit Musik klingt
overlay-music = nur Musik
overlay-music-click = Musik mit Klick
overlay-click = nur Klicks

## Kleine Wörter
no-value = —
