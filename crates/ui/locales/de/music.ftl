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
