# Die Wörter des Bildschirms sensors.

sensors-heading = Sensoren einrichten
sensors-scan = Nach Sensoren suchen
sensors-not-scanned = Noch nicht gesucht.
sensors-scanning = Suche läuft { $seconds } s…
sensors-found = { $count ->
    [one] { $count } Sensor gefunden.
   *[other] { $count } Sensoren gefunden.
}
# $detail ist die eigene (englische) Beschreibung des Systems.
sensors-no-adapter = Kein Bluetooth-Adapter an diesem Computer ({ $detail }). Verwenden Sie den virtuellen Patienten oder einen aufgezeichneten Gang.
sensors-scan-failed = Suche fehlgeschlagen: { $error }
# Signalstärke und Akku eines gefundenen Sensors, wenn der Sensor sie nicht meldet.
sensors-signal-unknown = Signal ?
sensors-battery-unknown = Akku ?
sensors-battery = Akku { $percent } %
# Die Knöpfe, die einen gefundenen Sensor zuordnen; $name ist der eigene Name des Sensors.
sensors-assign-left-foot = Linker Fuß: { $name }
sensors-assign-right-foot = Rechter Fuß: { $name }
sensors-assign-lower-back = Unterer Rücken: { $name }
# Einen Fuß wählen, indem man auf seinen Sensor tippt: die Knöpfe, dann was der Bildschirm beim Lauschen sagt.
sensors-tap-heading = Durch Antippen des Sensors wählen
sensors-tap-hint = Der Patient sitzt oder steht still. Knopf drücken, dann einmal kräftig auf diesen Sensor tippen.
sensors-tap-left-foot = Antippen: linker Fuß
sensors-tap-right-foot = Antippen: rechter Fuß
sensors-tap-lower-back = Antippen: unterer Rücken
sensors-tap-stop = Nicht mehr lauschen
# $placement ist, wo der Sensor getragen wird („linker Fuß“); $seconds, wie lange noch.
sensors-tap-now = Jetzt auf den Sensor am { $placement } tippen (noch { $seconds } s)…
sensors-tap-connecting = Verbinde mit { $count } Sensoren…
sensors-tap-none = Zuerst suchen: kein Sensor mit Bewegungsdaten gefunden (Schrittsensoren lassen sich nicht antippen: die Knöpfe oben verwenden).
sensors-tap-timeout = Kein Antippen erkannt: nichts zugeordnet. Bitte noch einmal.
# $sensors nennt die Sensoren, die sich bewegt haben.
sensors-tap-ambiguous = Mehr als ein Sensor hat sich zugleich bewegt ({ $sensors }): die anderen ruhig halten und noch einmal tippen.
# $placement ist, wo der angetippte Sensor schon getragen wird.
sensors-tap-already = Dieser Sensor ist schon der am { $placement }: auf den anderen tippen.
sensors-tap-failed = Lauschen auf das Antippen fehlgeschlagen: { $error }
# Die Sensoren, die der Datensatz für den gewählten Patienten aufbewahrt.
sensors-remembered-heading = Sensoren dieses Patienten (gespeichert)
sensors-remembered-none = Für diesen Patienten sind noch keine Sensoren gespeichert.
# $placement, $kind und $name beschreiben einen gespeicherten Sensor.
sensors-remembered-row = { $placement }: { $kind } { $name }
sensors-source-heading = Sensorquelle für die Sitzung
# Der simulierte Patient, der ohne Sensoren geht (zum Üben und Vorführen).
sensors-virtual = Virtueller Patient
sensors-preset = Gangprofil
# Wie der virtuelle Patient geht: die Namen der Profile.
sensors-preset-entrains = folgt dem Takt
sensors-preset-limited = eingeschränkt
sensors-preset-asymmetric = asymmetrisch
sensors-preset-stops = bleibt stehen
sensors-preset-healthy = gesund
sensors-assign-virtual = Sensoren des virtuellen Patienten zuordnen
sensors-recorded = Aufgezeichneter Gang
sensors-recording-file = Aufzeichnungsdatei (Roh-CSV)
sensors-ble = BLE-Sensoren
sensors-live-heading = Sensorstatus live
# Der Knopf, der von hier aus eine aufgezeichnete Sitzung startet.
sensors-go-to-session = Sitzung starten
# Warum eine Sitzung mit der gewählten Quelle nicht starten kann.
sensors-need-recording = Aufgezeichneter Gang: geben Sie zuerst die Aufzeichnungsdatei an (Bildschirm Sensoren).
sensors-need-ble = BLE-Sensoren: ordnen Sie zuerst die Sensoren für den linken und rechten Fuß zu.
sensors-not-kept = Sensoren für diese Sitzung gewählt; wählen Sie eine/n Patient/in, um die Zuordnung zu speichern.
# $sensors nennt für jede Position ihren Code und die Sensor-Id ("foot_left -> ab12, foot_right -> cd34").
sensors-assigned = Sensoren zugeordnet: { $sensors }
