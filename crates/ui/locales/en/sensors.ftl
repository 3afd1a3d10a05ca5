# The sensors screen's words.

sensors-heading = Sensor setup
sensors-scan = Scan for sensors
sensors-not-scanned = Not scanned yet.
sensors-scanning = Scanning for { $seconds } s…
sensors-found = { $count ->
    [one] { $count } sensor found.
   *[other] { $count } sensors found.
}
# $detail is the system's own (English) description of the problem.
sensors-no-adapter = No Bluetooth adapter on this computer ({ $detail }). Use the virtual patient or a recorded walk.
sensors-scan-failed = Scan failed: { $error }
# A found sensor's signal strength and battery, when the sensor does not say.
sensors-signal-unknown = signal ?
sensors-battery-unknown = battery ?
sensors-battery = battery { $percent } %
# The buttons that assign a found sensor; $name is the sensor's own name.
sensors-assign-left-foot = Left foot: { $name }
sensors-assign-right-foot = Right foot: { $name }
sensors-assign-lower-back = Lower back: { $name }
sensors-source-heading = Sensor source for the session
# The simulated patient that walks without sensors (for practice and demonstration).
sensors-virtual = Virtual patient
sensors-preset = Patient preset
# How the virtual patient walks: the names of the presets.
sensors-preset-entrains = entrains
sensors-preset-limited = limited
sensors-preset-asymmetric = asymmetric
sensors-preset-stops = stops
sensors-preset-healthy = healthy
sensors-assign-virtual = Assign virtual patient's sensors
sensors-recorded = Recorded walk
sensors-recording-file = Recording file (raw CSV)
sensors-ble = BLE sensors
sensors-live-heading = Live sensor status
# The button that starts a recorded session from this screen.
sensors-go-to-session = Go to session
# Why a session cannot start with the chosen source.
sensors-need-recording = Recorded walk: give the recording file first (Sensors screen).
sensors-need-ble = BLE sensors: assign the left and right foot sensors first.
sensors-not-kept = Sensors chosen for this session; select a patient to keep the assignment.
# $sensors lists each placement's code and sensor id ("foot_left -> ab12, foot_right -> cd34").
sensors-assigned = Sensors assigned: { $sensors }
