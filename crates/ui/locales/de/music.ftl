# Die Wörter des Bildschirms music.

music-heading = Musikbibliothek
# Das Feld und der Knopf, die einen Ordner (oder eine Datei) mit Musik der Therapeutin hinzufügen.
music-import-path = Musikordner oder -datei (WAV, FLAC, Ogg Vorbis, MP3)
music-import = Importieren
music-import-need-path = Zuerst einen Musikordner oder eine Datei angeben.
music-import-none = Keine Audiodateien (WAV, FLAC, Ogg Vorbis, MP3) in diesem Ordner.
# $done von $files Dateien bisher analysiert.
music-import-progress = { $done } von { $files } Dateien
# Nach einem Import: wie viele Dateien, und wie viele davon nicht importiert wurden (jede wird einzeln genannt).
music-imported = Import beendet: { $files } Dateien, { $failed } nicht importiert.
music-builtin-heading = Eingebaute Stücke
music-library-heading = Ihre Stücke
music-library-empty = Noch keine Stücke importiert.
# Tempo ($bpm Schläge pro Minute), Takt ($beats Schläge) und Länge ($seconds s) eines Stücks.
music-tempo = { $bpm } bpm
music-bar = { $beats } Schläge pro Takt
music-length = { $seconds } s
# Ein Tempo, das halb oder doppelt sein könnte: die Therapeutin wählt.
music-ambiguous = Welches ist der Schlag?
# Der Knopf, der das Tempo des Stücks $title als $bpm bestätigt.
music-confirm = { $title }: { $bpm } bpm
music-confirmed = Tempo bestätigt
music-prefs-of = Vorlieben von Patient { $code } (seine Lieblingsmusik kann eine Sitzung takten):
music-prefs-no-patient = Wählen Sie einen Patienten, um seine Lieblings- und unbeliebte Musik festzulegen.
music-liked = Mag er
music-disliked = Mag er nicht
music-like-track = Mag er: { $title }
music-dislike-track = Mag er nicht: { $title }
music-preview = Anhören
music-preview-track = Anhören: { $title }
music-preview-loading = Die Hörprobe von { $title } wird vorbereitet…
music-preview-playing = Die ersten { $seconds } s von { $title } laufen
music-preview-stop = Hörprobe beenden
music-preview-no-device = Keine Tonausgabe für die Hörprobe von { $title }: { $detail }
music-preview-failed = Die Hörprobe von { $title } konnte nicht gespielt werden: { $detail }
music-preview-sound-off = Der Ton ist in den Einstellungen aus: { $title } wird nicht angespielt.
music-playlists-heading = Wiedergabelisten (die eigenen des Patienten und die gemeinsamen):
music-playlist-name = { $name } ({ $count })
music-playlist-new-name = Neue Wiedergabeliste
music-playlist-create = Wiedergabeliste anlegen
music-playlist-up = Nach oben
music-playlist-up-track = Nach oben: { $title }
music-playlist-remove = Entfernen
music-playlist-remove-track = Entfernen: { $title }
music-playlist-add = Zu { $name }
music-playlist-add-track = { $title } zu { $name } hinzufügen
