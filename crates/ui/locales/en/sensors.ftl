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
# Choosing a foot by tapping its sensor: the buttons, then what the screen says while it listens.
sensors-tap-heading = Choose by tapping the sensor
sensors-tap-hint = The patient sits or stands still. Press a button, then tap that sensor once, firmly.
sensors-tap-left-foot = Tap: left foot
sensors-tap-right-foot = Tap: right foot
sensors-tap-lower-back = Tap: lower back
sensors-tap-stop = Stop listening
# $placement is where the sensor is worn ("left foot"); $seconds how long is left.
sensors-tap-now = Tap the sensor on the { $placement } now ({ $seconds } s left)…
sensors-tap-connecting = Connecting to { $count } sensors…
sensors-tap-none = Scan first: no sensor with motion was found (foot pods cannot be tapped: use the buttons above).
sensors-tap-timeout = No tap heard: nothing assigned. Try again.
# $sensors names the sensors that moved.
sensors-tap-ambiguous = More than one sensor moved at once ({ $sensors }): keep the others still and tap again.
# $placement is where the tapped sensor is already worn.
sensors-tap-already = That sensor is already the { $placement }: tap the other one.
sensors-tap-failed = Listening for a tap failed: { $error }
# The sensors the record keeps for the selected patient.
sensors-remembered-heading = This patient's sensors (remembered)
sensors-remembered-none = No sensors kept for this patient yet.
# $placement, $kind and $name describe one remembered sensor.
sensors-remembered-row = { $placement }: { $kind } { $name }
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
