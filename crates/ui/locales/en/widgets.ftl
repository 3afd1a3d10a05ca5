# The widgets' words: the big numbers, the entrainment gauge and the live plots.

## The entrainment gauge: R from 0 (no relation to the beat) to 1 (locked to it)
widgets-entrainment-strong = strong
widgets-entrainment-moderate = moderate
widgets-entrainment-weak = weak
# $r: the value with two decimals; $strength: one of the three words above.
widgets-entrainment = Entrainment R = { $r } ({ $strength })
widgets-entrainment-none = Entrainment: not measured (no cue yet)

## The live plots' axes and legends
widgets-axis-session-time = session time, s
widgets-axis-step-time = step time, s
widgets-legend-step-time-left = step time left
widgets-legend-step-time-right = step time right
# The time between two beats, s.
widgets-legend-beat-interval = beat interval
widgets-axis-tempo = tempo, steps/min
widgets-legend-beat-tempo = beat tempo
widgets-axis-asynchrony = asynchrony (step - beat), ms
# The histogram's count axis.
widgets-axis-steps = steps
widgets-legend-asynchrony = asynchrony
