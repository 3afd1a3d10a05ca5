# The live screen's words.

## Before a session runs, while it starts and while it ends
live-starting = Starting the session…
live-ending = Ending the session…
live-no-session = No session running
live-new-session = New session
# The button that starts a session which stores nothing.
live-practice = Practice (not recorded)
# Said at the start buttons and in the message area. "the Patients screen": the screen's name in the navigation.
live-no-patient = No patient selected: choose the patient on the Patients screen to record the session, or use { live-practice }.
# The line shown above a running session that stores nothing.
live-practice-line = Practice: not recorded
# $error: the reason, in the program's own (English) words.
live-start-failed = The session did not start: { $error }

## The phase line at the top
# $phase: the phase's name in a sentence, e.g. "matched cue".
live-phase = Phase: { $phase }
live-next = Next: { $phase }
# How the session runs, in brackets after the phase.
live-run-waiting = waiting to start
live-run-running = running
live-run-finished = finished
live-run-paused-clinician = paused (paused by the clinician)
# $seconds: how long no step came, e.g. "8.0".
live-run-paused-no-steps = paused (no step for { $seconds } s (stopped, froze or sat down): cue paused)

## What is left of the phase, in the measure that ends it
# $time: e.g. "12 s" or "1 min 15 s".
live-time-left = { $time } left
live-steps-left =
    { $count ->
        [one] { $count } step left
       *[other] { $count } steps left
    }
# The phase ends once the patient walks in time with the beat.
live-advances = advances when entrained
live-advances-after = advances when entrained, after { $time } more
# The progression's levels of tempo increase.
live-level = level { $level } of { $top }: advances when entrained

## The big numbers and the lines beside them
live-cadence = Cadence
# The beat's tempo now.
live-tempo = Tempo
# The tempo the beat is moving towards.
live-target = Target
# The unit under a big number.
live-steps-per-min = steps/min
live-steps-unit = steps
# The hover name of the disc that flashes at each beat.
live-visual-beat = visual beat
live-steps-count = Steps: { $count }
# L / R: left and right foot; $left and $right in seconds.
live-step-times = Step time L / R: { $left } / { $right } s
live-symmetry = Symmetry ratio: { $ratio }
# CV: coefficient of variation.
live-variability = Variability (CV): { $cv } %
# Step minus beat, averaged.
live-asynchrony = Mean asynchrony: { $ms } ms

## The controls
live-start = Start
live-resume = Resume
live-pause = Pause
live-stop = Stop
live-next-phase = Next phase
# Buttons: one step/min slower, one faster.
live-tempo-down = Tempo -
live-tempo-up = Tempo +
live-set-tempo = Set tempo (steps/min)
live-apply = Apply
live-event-label = Event label
live-mark-event = Mark event
# The label an event gets when the field is left empty (kept in the record).
live-mark-default = mark
# $keys: the keyboard shortcuts.
live-keys = Keys: { $keys }
live-stop-question = Stop the session?
live-stop-after-retest = Stop after a short re-test
live-stop-now = Stop now (no re-test)
live-keep-going = Keep going
live-no-retest-yet = Still in the baseline: no cued walking to re-test against yet.
# $change: the program's own (English) line, e.g. "0:40.0 [Progression] tempo 80.0 -> 84.0 steps/min: entrained".
live-tempo-change = Tempo change: { $change }
live-sensor-gap = Sensor gap: the cue goes on at the last good tempo.
# $state: the sound output's health, in the program's own (English) words.
live-audio = Audio: { $state }
# $state: the recording's health, in the program's own (English) words.
live-recording = Recording: { $state } (steps stored: { $steps })
live-session-log = Session log

## A typed tempo
# $typed: what was typed, in quotes.
live-tempo-not-a-number = Set tempo: { $typed } is not a number of steps/min.
live-tempo-uncued = The tempo can be set while the cue plays (after the baseline).
# $requested: the typed tempo; $capped: the limit it was held at.
live-tempo-above-ceiling = { $requested } steps/min is above the safety ceiling: target capped at { $capped } steps/min.
live-tempo-below-floor = { $requested } steps/min is below the safety floor: target capped at { $capped } steps/min.
live-tempo-set = Target set to { $capped } steps/min.

## The end panel
# The heading. $outcome: the session's state ("completed", "stopped") or live-outcome-error.
live-end-recorded = Session #{ $id } { $outcome }
live-end-practice = The session (not recorded) { $outcome }
live-outcome-error = ended with an error
live-steps = Steps
live-baseline-cadence = Baseline cadence
live-retest-cadence = Re-test cadence
# A sensor after the session. $placement: where it is worn; $name: its name.
live-sensor-idle =
    { $placement } ({ $name }): idle, not streaming; { $samples ->
        [one] { $samples } sample
       *[other] { $samples } samples
    }, { $lost } lost
live-session-note = Session note
live-note-hint = How did it go? Anything to remember next time?
live-save-note = Save note
live-note = Note: { $note }
live-session-report = Session report
live-note-empty = The note is empty: write something first.
# The record: the database of patients and sessions.
live-record-not-open = The record is not open yet.

## How a session ended, said in the message area and on the end panel
# $who: "#12" or live-summary-not-recorded; $status: the session's state; $reason: why, in the program's own (English) words.
live-summary =
    Session { $who } { $status }: { $reason } ({ $steps ->
        [one] { $steps } step
       *[other] { $steps } steps
    }).
live-summary-not-recorded = (not recorded)
live-summary-recording-problem = Recording problem: { $error }
live-summary-error = The session ended with an error: { $error }

## The music panel, when the session is cued by music
# $title: the track's title, as the library keeps it.
live-music-now-playing = Now playing: { $title }
live-music-no-track = No track playing
# $bpm: beats per minute, e.g. "100.0".
live-music-own-tempo = Its own tempo: { $bpm } bpm
# How much faster (+) or slower (-) than recorded the track plays; $percent e.g. "+4.2".
live-music-stretch = Stretched: { $percent } %
live-music-played-tempo = Played at: { $bpm } bpm
# $overlay: what sounds (overlay-music, overlay-music-click or overlay-click).
live-music-overlay = Sound: { $overlay }
# The sliders: the music's volume and the click's level over the music.
live-music-volume = Music volume
live-music-click-level = Click over the music
# The button that goes on to the next track at the next beat.
live-music-skip = Next track
# The session is cued by clicks although music was chosen. $reason: why, in the program's own (English) words.
live-music-fallback = Cued by clicks, not music: { $reason }

## The music of the next session, chosen beside the start buttons
session-music-chosen = Music for the session: { $music }
# No music: the cue is the metronome's clicks.
session-music-none = None (clicks)
# A built-in track; $title names its tempo.
session-music-builtin = { $title } (built in)
# An imported track, with its tempo in beats per minute.
session-music-library = { $title }, { $bpm } bpm
session-music-click-level = Click level
session-music-sound-off = Sound is off in the settings: the music will not be heard (the cue is visual).

## The music the record kept for a session, on its end panel
live-music-played = Music played
live-music-played-none = No music was played (the session was cued by clicks).
# One stretch of music: $start and $end as m:ss of the session; $own its own tempo, $min–$max the tempi it was played at (bpm); $stretch_min/$stretch_max signed percent; $overlay what sounded.
live-music-segment = { $title }: { $start }–{ $end }, its own tempo { $own } bpm, played at { $min }–{ $max } bpm (stretched { $stretch_min } to { $stretch_max } %), { $overlay }
# The patient's music: the tracks they like (set on the Music screen), never one they dislike.
session-music-patient = The patient's liked music
# Why the chosen music cannot cue the session (then it is cued by clicks).
live-music-nothing-to-play = nothing to play (no track liked, or none that can be played)
live-music-record-unread = the record (its playlists and preferences) cannot be read
# A playlist, by its name.
session-music-playlist = Playlist { $name }
