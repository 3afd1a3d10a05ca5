# The settings screen's words, and the settings' own errors.

settings-heading = Settings of this computer
# Followed by each language under its own name (English, Deutsch).
settings-language = Language:
settings-sound = Sound (off: visual beat only)
settings-volume = Volume
# Followed by the cue sounds to choose from.
settings-cue-sound = Cue sound:
settings-output-device = Output device (empty = default)
settings-protocol-heading = Protocol defaults
## The protocol's defaults, each a slider with its unit
settings-baseline = Baseline, s
settings-retest = Re-test, s
settings-tempo-step = Tempo step per level, %
settings-highest-increase = Highest increase, %
settings-tempo-ceiling = Tempo ceiling above baseline, %
settings-fading = Fading, s
settings-data-folder = Data folder
settings-save = Save settings
settings-saved = Settings saved.
# $problem is one of the errors below, or the protocol's own (English) explanation.
settings-not-saved = Settings not saved: { $problem }
# Shown in red at a field whose value cannot be saved; $problem as above.
settings-not-saved-until-changed = Not saved until changed: { $problem }

## The settings' errors. $path is a file, $detail the system's own (English) words.
settings-file-problem = settings file { $path }: { $detail }
settings-file-not-json = settings file { $path }: not valid settings JSON: { $detail }
# $setting is one of the names below; $found, $min and $max are numbers.
settings-out-of-range = setting { $setting }: { $found } is outside { $min }–{ $max }

## The settings' names in errors, lower case, with their units
settings-name-volume = volume
settings-name-baseline = baseline length, s
settings-name-retest = re-test length, s
settings-name-matched-minimum = matched minimum, s
settings-name-time-per-level = time per level, s
settings-name-tempo-step = tempo step, %
settings-name-highest-increase = highest increase, %
settings-name-tempo-ceiling = tempo ceiling above baseline, %
settings-name-fading = fading length, s
# Beats the gait may take to settle after a tempo change.
settings-name-settle-beats = settle beats
