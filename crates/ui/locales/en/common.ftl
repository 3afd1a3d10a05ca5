# Names shared by every screen. Ids after "phase-", "measure-", "test-kind-", "sound-",
# "affected-side-", "placement-", "status-" and "overlay-" are the record's stored names: keep them as they are.

## The protocol's phases, in a sentence
phase-baseline = baseline (no cue)
phase-matched = matched cue
phase-progression = progression
phase-functional = functional walking
phase-fading = fading
phase-retest = re-test (no cue)
phase-done = done

## The phases as titles and table cells
phase-title-baseline = Baseline (no cue)
phase-title-matched = Matched cue
phase-title-progression = Progression
phase-title-functional = Functional walking
phase-title-fading = Fading
phase-title-retest = Re-test (no cue)
phase-title-done = Done

## The phases on a narrow chart band
phase-short-baseline = Baseline
phase-short-matched = Matched
phase-short-progression = Progression
phase-short-functional = Functional
phase-short-fading = Fading
phase-short-retest = Re-test
phase-short-done = Done

## Walk measures, with their units
measure-cadence_spm = Cadence (steps/min)
measure-step_time_left_s = Step time L (s)
measure-step_time_right_s = Step time R (s)
measure-stride_time_left_s = Stride time L (s)
measure-stride_time_right_s = Stride time R (s)
measure-symmetry_ratio = Symmetry ratio (paretic / non-paretic step time)
measure-normalised_difference = Normalised difference (NP - P) / (NP + P)
measure-step_time_cv_percent = Step time variability, CV (%)
measure-stride_time_cv_percent = Stride time variability, CV (%)

## Clinical tests
test-kind-10mwt = 10 m walk test (gait speed)
test-kind-6mwt = 6 minute walk test (distance)
test-kind-tug = Timed Up and Go
test-kind-fac = Functional Ambulation Category

## Cue sounds
sound-click = click
sound-woodblock = wood block
sound-beep = soft beep
sound-drum = drum

## The patient's affected side
affected-side-left = left
affected-side-right = right
affected-side-both = both
affected-side-none = none

## Where a sensor is worn
placement-foot_left = left foot
placement-foot_right = right foot
placement-lower_back = lower back

## What kind of sensor (a scan recognises it from its advertisement)
sensor-kind-entrain = Entrain sensor
sensor-kind-rsc = RSC foot pod
sensor-kind-rsc-strides = RSC foot pod (strides)
sensor-kind-movesense = Movesense
sensor-kind-polar-verity-sense = Polar Verity Sense

## A stored session's state
status-running = running
status-completed = completed
status-stopped = stopped
status-interrupted = interrupted
status-failed = failed

## A walker's class by gait speed ($household and $community: the limits, m/s)
ambulation-household = household walker (< { $household } m/s)
ambulation-limited_community = limited community walker ({ $household }–{ $community } m/s)
ambulation-community = community walker (>= { $community } m/s)

## A change of gait speed against the MCID band ($mcid_low to $mcid_high, m/s)
speed-change-important_improvement = clinically important improvement (>= { $mcid_high } m/s)
speed-change-improvement_within_band = improvement within the MCID band ({ $mcid_low }–{ $mcid_high } m/s)
speed-change-important_decline = clinically important decline
speed-change-below_mcid = change smaller than the MCID ({ $mcid_low } m/s)

## The thresholds table
threshold-name-mcid_inpatients = gait-speed MCID, inpatients
threshold-meaning-mcid_inpatients = smallest change of gait speed that matters to an inpatient
threshold-name-mcid_subacute = gait-speed MCID, subacute
threshold-meaning-mcid_subacute = smallest change of gait speed that matters in subacute stroke
threshold-name-household_below = household walker below
threshold-meaning-household_below = below: household walker; above: limited community walker
threshold-name-community_from = community walker from
threshold-meaning-community_from = from here: community walker
threshold-name-strong_entrainment_above = strong entrainment above
threshold-meaning-strong_entrainment_above = resultant vector length R of the steps against the beats
threshold-name-moderate_entrainment_from = moderate entrainment from
threshold-meaning-moderate_entrainment_from = R from here up to the strong threshold; below: weak

## What sounds in a session with music (the stored overlay names, "+" written "-")
overlay-music = music alone
overlay-music-click = music with a click
overlay-click = clicks only

## Small words used everywhere
no-value = —
