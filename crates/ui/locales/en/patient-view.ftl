# The patient-view screen's words.
