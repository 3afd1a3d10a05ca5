# The tests screen's words, and those of the clinical gait tests it times.

tests-heading = Clinical gait tests
tests-select-patient = Select a patient first (Patients screen).
tests-stored-for = Results are stored for patient { $code }.

## Which session a result is linked to; $id is the session's number.
tests-linked-none-on-screen = Results are linked to no session (none of this patient's is on screen).
tests-linked-running = Results are linked to session { $id } (running).
tests-linked-ended = Results are linked to session { $id } (ended).
tests-unlinked-running = Results are linked to no session (session { $id } is running).
tests-unlinked-ended = Results are linked to no session (session { $id } is ended).
tests-this-session = This session ({ $id })
tests-no-session = No session

## The 10-metre walk test
tests-ten-heading = 10-metre walk (time the middle 6 m)
# $trial is the trial under way, $trials how many there are; $seconds the clock.
tests-ten-clock = Trial { $trial } of { $trials } — clock { $seconds } s
# The clinician clicks as the patient crosses each line.
tests-ten-crossed-start = Crossed 2 m line
tests-ten-crossed-end = Crossed 8 m line
tests-ten-cancel-trial = Cancel trial
tests-ten-trial-speed = Trial { $trial }: { $speed } m/s
# $class is the ambulation class of the speed.
tests-ten-gait-speed = Gait speed { $speed } m/s — { $class }
tests-ten-save = Save 10 m walk
# Stored as the result's note.
tests-ten-notes = { $count ->
    [one] { $count } trial
   *[other] { $count } trials
}

## The 6-minute walk test
tests-six-heading = 6-minute walk
tests-six-lap-length = Lap length, m
tests-six-start = Start 6-minute walk
# $length is the lap length, $seconds the time left.
tests-six-progress = { $laps ->
    [one] { $laps } lap of { $length } m — { $seconds } s left
   *[other] { $laps } laps of { $length } m — { $seconds } s left
}
# The clinician clicks at each lap the patient completes.
tests-six-lap = Lap
tests-six-stop-early = Stop early
tests-six-partial-lap = Last partial lap, m
tests-six-save = Save 6-minute walk
# Stored as the result's note.
tests-six-notes = { $count ->
    [one] { $count } lap
   *[other] { $count } laps
}

## Timed Up and Go (its heading is the test's name)
tests-tug-clock = Clock { $seconds } s
# The clinician clicks "Go" as the patient is told to stand up, "Seated" when they sit back down.
tests-tug-go = Go
tests-tug-seated = Seated
tests-tug-save = Save TUG

## Functional Ambulation Category (its heading is the test's name)
tests-fac-level-0 = 0: cannot walk, or needs help of two
tests-fac-level-1 = 1: needs continuous help of one person
tests-fac-level-2 = 2: needs intermittent help of one person
tests-fac-level-3 = 3: needs supervision only
tests-fac-level-4 = 4: independent on level ground
tests-fac-level-5 = 5: independent everywhere, stairs too
# The field's name says what it takes.
tests-fac-field = FAC (whole number { $min }–{ $max })
tests-fac-not-saved = Not saved: { $error }
tests-fac-save = Save FAC

## The stored results
tests-stored-heading = Stored results
tests-reading-record = Reading the record…
tests-no-results = No result stored yet.
# $test is the test's name, $result its value with its unit, $link one of the two below.
tests-stored = Stored { $test }: { $result } ({ $link })
tests-link-none = no session
tests-link-session = session { $id }
# $id is the result's number in the record.
tests-delete-result = Delete result { $id }
# A result in a sentence: "the 10 m walk test (gait speed) of 2026-12-04 (0.75 m/s)".
tests-result = the { $test } of { $date } ({ $result })
# $result is a tests-result.
tests-delete-confirm = Delete { $result }?
tests-delete = Delete
tests-keep = Keep
tests-deleted = Deleted { $result }
tests-no-longer-stored = { $result } was no longer in the record
tests-record-not-open = The record is not open.

## What the tests say when a button is pressed at the wrong moment or a value is refused
# $test is a test's name (below), $action and $state one of the tests-action-* and tests-state-* ones.
tests-error-wrong-state = { $test }: cannot { $action } now ({ $state })
tests-error-time-backwards = { $test }: time { $now } ns is before the start at { $start } ns
# $what is one of the tests-field-* names; $min and $max the allowed range.
tests-error-out-of-range = { $what }: { $found } is outside { $min }–{ $max }
tests-error-not-whole = { $what }: `{ $found }` is not a whole number: give one of { $min }–{ $max }
tests-error-not-a-number = { $what }: `{ $found }` is not a number
tests-name-ten = 10-metre walk
tests-name-six = 6-minute walk
tests-action-start-timing = start timing
tests-action-start-another-trial = start another trial
tests-action-stop-timing = stop timing
tests-action-start = start
tests-action-count-lap = count a lap
tests-action-stop = stop
tests-action-give-distance = give the distance
tests-state-already-timing = already timing
tests-state-three-trials-done = three trials done
tests-state-not-timing = not timing
tests-state-already-started = already started
tests-state-not-started = not started
tests-state-over = over
tests-state-not-running = not running
tests-state-six-minutes-not-over = six minutes not over
tests-field-ten-time = 10-metre walk time over 6 m
tests-field-six-lap-length = 6-minute walk lap length, m
tests-field-six-partial-lap = 6-minute walk last partial lap, m
tests-field-lap-length = lap length, m
tests-field-partial-lap = last partial lap, m
