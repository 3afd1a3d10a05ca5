# The patients screen's words.

patients-heading = Patient list
patients-opening-record = Opening the record…
patients-search = Search
patients-add = Add patient
patients-edit-heading = Edit patient
patients-new-heading = New patient
patients-pseudonym-hint = Use a pseudonymous code, never the patient's name.
patients-code = Patient code
# Shown under the code field while it equals another patient's code; $code is the typed code,
# $other the other patient's.
patients-code-clash = { $code } is patient { $other }'s code (codes compare without case): choose another
patients-year-of-birth = Year of birth
# $sides lists the side names the field takes ("left/right/both/none").
patients-affected-side = Affected side ({ $sides })
patients-diagnosis-date = Diagnosis date (YYYY-MM-DD)
patients-notes = Notes
patients-save = Save patient
patients-cancel = Cancel
# A message when Save patient is refused because the code is taken.
patients-not-saved-clash = Patient not saved: { $code } is already patient { $other }'s code (codes compare without case)
# $reason is what is wrong with the form (one of the patients-invalid-* messages, or the record's own English text).
patients-not-saved = Patient not saved: { $reason }
patients-invalid-year = year of birth: `{ $text }` is not a year
patients-record-not-open = The record is not open.
# A patient row's buttons; $code is the patient's code.
patients-open = Open { $code }
patients-edit = Edit { $code }
