# The window's frame: navigation, the message area, closing, the record's answers.

## The screens, as the navigation names them
app-screen-patients = Patients
app-screen-sensors = Sensors
app-screen-live = Live session
app-screen-tests = Clinical tests
app-screen-progress = Progress
app-screen-music = Music
app-screen-patient-view = Patient view
app-screen-settings = Settings

## The navigation's right-hand side
app-open-patient-window = Patient window
app-open-patient-window-hint = Opens the patient's calm view in a window of its own, for a second screen facing the patient.
app-close-patient-window = Close patient window
app-no-patient-selected = no patient selected
app-patient = Patient { $code }
app-close-help = Close help

## Closing the window while a session runs
app-closing = Ending the session, then closing…
app-close-running = A session is running.
app-close-question = Closing now would leave it unfinished. Stop it (it is stored as stopped) and close the window, or keep the session running?
app-close-stop = Stop it and close
app-close-keep = Keep the session

## A session a crash or power cut left open, named when the window opens again
# $who is app-interrupted-no-patient or app-interrupted-patient; $started a date and time.
app-interrupted = Session #{ $id } ({ $who }, started { $started }) was interrupted: the program ended without closing it; what was recorded up to then is kept.
app-interrupted-no-patient = no patient
app-interrupted-patient = patient { $code }

## Answers from the record; $detail is the record's own (English) explanation
app-record-not-opened = The record cannot be opened: { $detail }
app-patients-not-read = Patients: { $detail }
app-patient-not-saved = Patient not saved: { $detail }
app-sensors-not-assigned = Sensors not assigned: { $detail }
app-sensors-not-read = Remembered sensors not read: { $detail }
app-music-not-read = The music library was not read: { $detail }
app-music-not-saved = The track was not stored: { $detail }
app-music-played-not-read = The music the session played was not read: { $detail }
app-playlist-not-saved = The playlist was not changed or read: { $detail }
app-music-prefs-not-saved = The patient's music preferences were not stored or read: { $detail }
app-progress-not-read = Progress: { $detail }
app-test-not-stored = Test not stored: { $detail }
app-result-not-deleted = Result not deleted: { $detail }
app-report-not-written = Report not written: { $detail }
app-note-saved = Note saved on session #{ $id }.
app-note-not-saved = Note not saved: { $detail }
app-thread-not-started = cannot start the { $name } thread: { $detail }
# The label of an event marked with the M key.
app-mark-keyboard = mark (keyboard)

## The message area
app-older-hidden = { $count ->
    [one] 1 older message hidden
   *[other] { $count } older messages hidden
}
app-dismiss-older = Dismiss older messages
app-error-prefix = Error: { $text }
app-dismiss = Dismiss
app-dismiss-hint = Dismiss: { $text }

## A sensor's health, on the live and sensors screens
app-sensor-waiting = waiting
app-sensor-streaming = streaming
app-sensor-gap = gap (cue holds)
app-sensor-lost = lost: { $reason }
app-sensor-reconnecting = reconnecting
# $placement e.g. "left foot", $name the sensor's name, $battery app-sensor-battery or nothing.
app-sensor-health = { $placement } ({ $name }): { $status }; { $samples } samples, { $lost } lost{ $battery }
app-sensor-battery = , battery { $percent } %
