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
