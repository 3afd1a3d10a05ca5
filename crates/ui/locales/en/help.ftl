# The help behind each screen's "?" button: one message per paragraph. Button and screen names
# in the paragraphs are the window's own: keep them as the buttons read.

# The help window's title; $screen is the screen's name as the navigation shows it.
help-title = Help: { $screen }

# The live screen's keyboard keys, listed on that screen and in its help.
help-live-shortcuts = Space start/pause, Up/Down tempo, N next phase, M mark, Esc stop (in the patient view: back to the live screen).

## Patients
help-patients-about = The list of patients. Each patient has a pseudonymous code: never type a name.
help-patients-add = 1. Add patient, type the code (and, if known, the year of birth, the affected side and the diagnosis date), then Save patient.
help-patients-open = 2. Open a patient to work with them: the other screens then show and store this patient's sessions and tests. Edit changes a patient's details.
help-patients-search = Search finds a patient by part of the code.

## Sensors
help-sensors-about = Where the steps come from in the next session.
help-sensors-choose = 1. Scan for sensors and assign each one found to the left foot, the right foot or the lower back; or choose the virtual patient (a simulated walker, for trying things out) or a recorded walk (a raw CSV file).
help-sensors-go = 2. Go to session opens the live session with the chosen source.
help-sensors-state = While a session runs, each sensor's state, samples lost and battery show here.

## Live session
help-live-about = The session as it happens: the phase, cadence, the beat's tempo, step times, symmetry, variability and how well the steps follow the beat.
help-live-start = 1. Start: the patient walks without a cue first (baseline); the cue then starts at their own cadence and rises in small steps.
help-live-steer = 2. Pause, Next phase and Tempo + / - steer it; Mark event notes a moment (a stumble, a rest) in the record.
help-live-stop = 3. Stop ends the session after you confirm; it is kept in the record either way.
help-live-music = With music: the track playing, its own tempo, how far it is stretched and the tempo it is played at; the sliders set the music's volume and the click over it, Next track goes on to another. An amber band says when the session is cued by clicks instead, and why.
help-live-keys = Keys: { help-live-shortcuts }

## Clinical tests
help-tests-about = The standard clinical gait tests, timed by your clicks and stored for the open patient.
help-tests-ten = 10 m walk: click as the patient crosses the 2 m line and the 8 m line (the middle 6 m are timed); up to three trials, their mean is the gait speed.
help-tests-six-tug = 6 minute walk: give the lap length, start, click Lap at each lap, then give the last partial lap. Timed Up and Go: Go, then Seated.
help-tests-fac = FAC: a whole category from 0 to 5, as listed.
help-tests-stored = Stored results are listed below; Delete result removes a wrong one after you confirm.

## Progress
help-progress-about = The open patient's sessions and tests across time, with the same numbers the reports print.
help-progress-table = The table lists each session; click a session to compare its baseline with its re-test. The charts show cadence, symmetry, variability, entrainment, TUG, FAC and gait speed against the minimal clinically important change.
help-progress-reports = Progress report, Report and FHIR write files into the data folder's reports folder.

## Patient view
help-patient-view-about = The calm display for the patient: the beat, the step count and a word of encouragement.
help-patient-view-turn = Turn the screen to the patient, or use Patient window to put this view on a second screen. Back to clinician view returns to your screens.

## Settings
help-music-about = The music to cue with: the built-in tracks, and the therapist's own, each with its tempo and bar.
help-music-import = Type a folder (or a file) and press Import: every WAV, FLAC, Ogg Vorbis and MP3 file in it is analysed once and kept; a file that cannot be read is named, and the others are imported.
help-music-patient = With a patient selected: mark each track Liked or Disliked for them (click again to clear), and make their playlists: Create playlist, Add to NAME, Up and Remove. Preview plays a track's first 15 s.
help-music-session = The session's music is chosen above the buttons that start it: none (clicks), the patient's liked music (never a disliked track), a playlist or one track, and whether the click sounds with it.
help-music-tempo = A track whose beat could be twice as fast or half as fast asks which it is: press the tempo the patient walks to.
help-settings-about = This computer's settings: the sound, the data folder and the protocol's defaults.
help-settings-save = Change a value, then Save settings. A value that contradicts another is shown in red at its field and nothing is saved until it is changed.
help-settings-folder = A new data folder opens the record kept there.
