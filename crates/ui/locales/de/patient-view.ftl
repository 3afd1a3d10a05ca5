# Die Wörter der Patientenansicht: die ruhige Anzeige für den Patienten.

patient-view-title = Entrain: Patientenansicht
patient-view-beat = Takt
patient-view-steps =
    { $count ->
        [one] { $count } Schritt
       *[other] { $count } Schritte
    }
## Worte an den Patienten: gut im Takt, mit Takt, ohne Takt, noch nicht gehend
patient-view-lovely-rhythm = Schöner Rhythmus – weiter so!
patient-view-walk-with-beat = Gehen Sie im Takt
patient-view-own-pace = Gehen Sie in Ihrem eigenen Tempo
patient-view-ready = Los geht's, wenn Sie bereit sind
patient-view-music = Musik: { $title }
patient-view-back = Zurück zur Therapeutenansicht
