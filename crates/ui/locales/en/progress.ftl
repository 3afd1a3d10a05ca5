# The progress screen's words: a patient's sessions and tests across time.

progress-heading-no-patient = Progress across sessions
progress-select-patient = Select a patient first (Patients screen).
# $code is the patient's pseudonymous code.
progress-heading = Progress of { $code }
progress-refresh = Refresh progress
progress-report = Progress report (PDF)
progress-reading = Reading the record…
# Kept as "session(s)" in English; a language with plural forms selects on the counts.
progress-counts = { $sessions } session(s), { $tests } clinical test(s).

## The sessions table
progress-column-session = Session
progress-column-status = Status
progress-column-steps = Steps
progress-column-cadence = Cadence baseline -> re-test
# R: the resultant vector length of the steps' phases against the beat, 0–1.
progress-column-entrainment = Entrainment R (best phase)
# Buttons on each session's row; $id is the session's number.
progress-session = Session #{ $id }
progress-session-report = Report #{ $id } (PDF)
progress-session-fhir = FHIR #{ $id }
# $baseline and $retest are cadences, already formatted.
progress-cadence-change = { $baseline } -> { $retest } steps/min

## The charts' axes and legends
# Horizontal axis of a chart per session (marks read #1, #2, ...).
progress-axis-session = session
# Horizontal axis of a chart per clinical test (marks read #1, #2, ...).
progress-axis-test = test
progress-axis-entrainment = entrainment R
progress-best-cued-phase = best cued phase
progress-axis-tug = Timed Up and Go, s
progress-axis-fac = FAC, 0-5
progress-speed-heading = Gait speed (10-metre walk)
progress-axis-speed = gait speed, m/s
# The legend of the gait speed line.
progress-speed = gait speed
# MCID: minimal clinically important difference; $low and $high in m/s.
progress-mcid-band = MCID band ({ $low }–{ $high } m/s above the first test)
# Lines at the ambulation classes' limits; $speed in m/s.
progress-household-limit = household / limited community { $speed } m/s
progress-community-limit = community { $speed } m/s
# $first and $latest are gait speeds; $verdict and $class come from the analysis (English).
progress-speed-change = First { $first } m/s -> latest { $latest } m/s: { $verdict }; { $class }

## Baseline against re-test of one session
progress-compare-heading = Session #{ $id }: baseline vs re-test
progress-compare-measure = Measure
progress-compare-baseline = Baseline
progress-compare-retest = Re-test
progress-compare-change = Change
progress-compare-gait-speed = Gait speed, 10 m walk test (m/s)
progress-compare-steps = Steps counted (L / R)
progress-thresholds = Thresholds these measures are read against

## Reports
progress-record-not-open = The record is not open yet.
# $path is the file written.
progress-written = Written: { $path }
