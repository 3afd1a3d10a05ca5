# The patient view's words: the calm display facing the patient.

# The title of its own window.
patient-view-title = Entrain: patient view
# The hover name of the disc that flashes at each beat.
patient-view-beat = beat
patient-view-steps =
    { $count ->
        [one] { $count } step
       *[other] { $count } steps
    }
## Words to the patient: walking well in time, cued, walking without a cue, not yet walking
patient-view-lovely-rhythm = Lovely rhythm — keep going!
patient-view-walk-with-beat = Walk with the beat
patient-view-own-pace = Walk at your own pace
patient-view-ready = Ready when you are
# The track playing, if the session is cued by music. $title: its title.
patient-view-music = Music: { $title }
patient-view-back = Back to clinician view
