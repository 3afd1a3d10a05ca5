# Die Wörter der Anzeigeelemente: große Zahlen, Synchronisationsanzeige und Live-Diagramme.

## Die Synchronisationsanzeige: R von 0 (kein Bezug zum Takt) bis 1 (fest im Takt)
widgets-entrainment-strong = stark
widgets-entrainment-moderate = mittel
widgets-entrainment-weak = schwach
widgets-entrainment = Synchronisation R = { $r } ({ $strength })
widgets-entrainment-none = Synchronisation: nicht gemessen (noch kein Takt)

## Achsen und Legenden der Live-Diagramme
widgets-axis-session-time = Sitzungszeit, s
widgets-axis-step-time = Schrittzeit, s
widgets-legend-step-time-left = Schrittzeit links
widgets-legend-step-time-right = Schrittzeit rechts
widgets-legend-beat-interval = Taktabstand
widgets-axis-tempo = Tempo, Schritte/min
widgets-legend-beat-tempo = Takttempo
widgets-axis-asynchrony = Asynchronie (Schritt - Takt), ms
widgets-axis-steps = Schritte
widgets-legend-asynchrony = Asynchronie
