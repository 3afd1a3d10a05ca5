# Die Wörter des Bildschirms patients.

patients-heading = Patientenliste
patients-opening-record = Die Akte wird geöffnet…
patients-search = Suche
patients-add = Patient/in anlegen
patients-edit-heading = Patient/in bearbeiten
patients-new-heading = Neue/r Patient/in
patients-pseudonym-hint = Verwenden Sie einen pseudonymen Code, nie den Namen der Person.
patients-code = Patientencode
# Unter dem Codefeld, solange es dem Code einer anderen Person gleicht; $code ist der getippte Code,
# $other der der anderen Person.
patients-code-clash = { $code } ist der Code von Patient/in { $other } (Groß-/Kleinschreibung zählt nicht): wählen Sie einen anderen
patients-year-of-birth = Geburtsjahr
# $sides nennt die Seiten, die das Feld annimmt („links/rechts/beidseits/keine“).
patients-affected-side = Betroffene Seite ({ $sides })
patients-diagnosis-date = Diagnosedatum (JJJJ-MM-TT)
patients-notes = Notizen
patients-save = Patient/in speichern
patients-cancel = Abbrechen
# Eine Meldung, wenn Speichern abgelehnt wird, weil der Code vergeben ist.
patients-not-saved-clash = Patient/in nicht gespeichert: { $code } ist bereits der Code von Patient/in { $other } (Groß-/Kleinschreibung zählt nicht)
# $reason sagt, was am Formular nicht stimmt (eine der Meldungen patients-invalid-* oder der englische Text der Akte).
patients-not-saved = Patient/in nicht gespeichert: { $reason }
patients-invalid-year = Geburtsjahr: `{ $text }` ist keine Jahreszahl
patients-record-not-open = Die Akte ist nicht geöffnet.
# Die Knöpfe einer Patientenzeile; $code ist der Code der Person.
patients-open = { $code } öffnen
patients-edit = { $code } bearbeiten
