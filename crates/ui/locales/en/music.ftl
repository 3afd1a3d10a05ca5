# The music screen's words.

music-heading = Music library
# The field and button that add a folder (or one file) of the therapist's music.
music-import-path = Music folder or file (WAV, FLAC, Ogg Vorbis, MP3)
music-import = Import
music-import-need-path = Give a music folder or file first.
music-import-none = No audio files (WAV, FLAC, Ogg Vorbis, MP3) in that folder.
# $done of $files files analysed so far.
music-import-progress = { $done } of { $files } files
# After an import: how many files, and how many of them failed (each failure is named apart).
music-imported = Import finished: { $files } files, { $failed } not imported.
music-builtin-heading = Built-in tracks
music-library-heading = Your tracks
music-library-empty = No tracks imported yet.
# A track's tempo ($bpm beats per minute), bar ($beats beats) and length ($seconds s).
music-tempo = { $bpm } bpm
music-bar = { $beats } beats per bar
music-length = { $seconds } s
# A tempo that could be half or double: the therapist chooses.
music-ambiguous = Which is the beat?
# The button that confirms track $title's tempo as $bpm.
music-confirm = { $title }: { $bpm } bpm
music-confirmed = tempo confirmed
# The selected patient's opinion of each track ($code: the patient's code).
music-prefs-of = Liked and disliked by patient { $code } (their liked music can cue a session):
music-prefs-no-patient = Select a patient to set the music they like and dislike.
music-liked = Liked
music-disliked = Disliked
# The buttons' accessible names: which track.
music-like-track = Liked: { $title }
music-dislike-track = Disliked: { $title }
# A track's first seconds through the speakers.
music-preview = Preview
music-preview-track = Preview: { $title }
music-preview-loading = Preparing the preview of { $title }…
# $seconds: how much of the track plays.
music-preview-playing = Playing the first { $seconds } s of { $title }
music-preview-stop = Stop the preview
# $detail: why, in the audio layer's (English) words.
music-preview-no-device = No sound output for the preview of { $title }: { $detail }
music-preview-failed = The preview of { $title } could not be played: { $detail }
music-preview-sound-off = Sound is off in the settings: { $title } is not previewed.
## The selected patient's playlists
music-playlists-heading = Playlists (the patient's own and the shared ones):
# $count: how many tracks it holds.
music-playlist-name = { $name } ({ $count })
music-playlist-new-name = New playlist
music-playlist-create = Create playlist
music-playlist-up = Up
music-playlist-up-track = Up: { $title }
music-playlist-remove = Remove
music-playlist-remove-track = Remove: { $title }
# Adds a track to the open playlist $name.
music-playlist-add = Add to { $name }
music-playlist-add-track = Add { $title } to { $name }
