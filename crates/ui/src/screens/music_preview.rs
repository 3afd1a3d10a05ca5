//! A track's first seconds played through the output device from the music screen, with a Stop:
//! the metronome with music (`entrain_audio::Metronome::with_music`) at the track's own tempo, the
//! clicks silent, on a thread of its own (loading a file is slow; the device is opened there).
//! No device, or sound off in the settings: a clear message, nothing played.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use entrain_audio::{Metronome, MetronomeEvent, MusicSetup, Tempo};
use entrain_engine::music::{MUSIC_RATE_HZ, load_track};
use entrain_engine::runtime::AudioOutput;
use entrain_store::Store;

use super::Ctx;
use crate::t;

/// How much of a track a preview plays, s.
pub const PREVIEW_SECS: f64 = 15.0;

/// What the preview's thread tells the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewNews {
    /// It plays.
    Playing,
    /// No output device: nothing is played (the audio layer's words).
    NoDevice(String),
    /// The track could not be loaded or played (naming it).
    Failed(String),
    /// It ended (its time was up, or Stop).
    Ended,
}

/// The message for `news` of the preview of `title`, if it is one to show.
pub fn news_text(title: &str, news: &PreviewNews) -> Option<String> {
    match news {
        PreviewNews::Playing | PreviewNews::Ended => None,
        PreviewNews::NoDevice(detail) => Some(t!(
            "music-preview-no-device",
            title = title,
            detail = detail.as_str()
        )),
        PreviewNews::Failed(detail) => Some(t!(
            "music-preview-failed",
            title = title,
            detail = detail.as_str()
        )),
    }
}

/// A preview running.
#[derive(Debug)]
pub struct Preview {
    /// The track's title.
    pub title: String,
    stop: Arc<AtomicBool>,
    news: Receiver<PreviewNews>,
    /// Whether it has begun to play.
    pub playing: bool,
}

impl Preview {
    /// Starts the preview of track `name` (a built-in's name or a library key) titled `title`;
    /// `None` (said in the message area) when sound is off or no thread could be started.
    pub fn start(ctx: &mut Ctx, name: String, title: String) -> Option<Preview> {
        let AudioOutput::Device(config) = crate::live::audio_output(ctx.settings) else {
            ctx.messages
                .error(t!("music-preview-sound-off", title = title.as_str()));
            return None;
        };
        let db = ctx.settings.database_path();
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let wake = ctx.waker();
        let stopped = Arc::clone(&stop);
        let spawned = std::thread::Builder::new()
            .name("entrain-ui-preview".into())
            .spawn(move || {
                let send = |news| {
                    if tx.send(news).is_err() {
                        tracing::debug!("preview: the music screen has gone");
                    }
                    wake();
                };
                send(play(&db, &name, config, &stopped, &|n| send(n)));
            });
        match spawned {
            Ok(_) => Some(Preview {
                title,
                stop,
                news: rx,
                playing: false,
            }),
            Err(e) => {
                ctx.messages.error(t!(
                    "app-thread-not-started",
                    name = "entrain-ui-preview",
                    detail = e.to_string()
                ));
                None
            }
        }
    }

    /// Stops it (at once; the thread closes the stream).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Takes the thread's news; `false` once it has ended (its messages said).
    pub fn poll(&mut self, ctx: &mut Ctx) -> bool {
        while let Ok(news) = self.news.try_recv() {
            if let Some(text) = news_text(&self.title, &news) {
                ctx.messages.error(text);
            }
            match news {
                PreviewNews::Playing => self.playing = true,
                PreviewNews::Ended | PreviewNews::NoDevice(_) | PreviewNews::Failed(_) => {
                    return false;
                }
            }
        }
        true
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Plays `name`'s first [`PREVIEW_SECS`] (blocking): the last news is the return value, the
/// others go through `send`.
fn play(
    db: &std::path::Path,
    name: &str,
    config: entrain_audio::MetronomeConfig,
    stop: &AtomicBool,
    send: &dyn Fn(PreviewNews),
) -> PreviewNews {
    // An imported file's stored beats and tempo; a file not in the library is analysed now.
    let library = Store::open_for_reading(db)
        .map_err(|e| tracing::warn!(error = %e, "preview: the music library cannot be read"))
        .ok();
    let track = match load_track(library.as_ref(), name, MUSIC_RATE_HZ, PREVIEW_SECS) {
        Ok(t) => t,
        Err(e) => return PreviewNews::Failed(e.to_string()),
    };
    let tempo = match Tempo::from_bpm(track.tempo_bpm) {
        Ok(t) => t,
        Err(e) => return PreviewNews::Failed(e.to_string()),
    };
    let mut metronome = Metronome::with_music(config, MusicSetup::new(track.track), Instant::now());
    let lost = |events: Vec<MetronomeEvent>| {
        events.into_iter().find_map(|e| match e {
            MetronomeEvent::NoDevice { error } => Some(error.to_string()),
            MetronomeEvent::DeviceLost { device } => Some(device),
            _ => None,
        })
    };
    if let Some(why) = lost(metronome.poll()) {
        return PreviewNews::NoDevice(why);
    }
    metronome.start(tempo);
    send(PreviewNews::Playing);
    let until = Instant::now() + Duration::from_secs_f64(PREVIEW_SECS);
    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
        if let Some(why) = lost(metronome.poll()) {
            return PreviewNews::NoDevice(why);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    PreviewNews::Ended
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_device_and_a_failed_track_are_said_plainly() {
        assert_eq!(
            news_text(
                "Ward waltz",
                &PreviewNews::NoDevice("no default output".into())
            )
            .as_deref(),
            Some("No sound output for the preview of Ward waltz: no default output")
        );
        assert_eq!(
            news_text("x", &PreviewNews::Failed("music x: no beat".into())).as_deref(),
            Some("The preview of x could not be played: music x: no beat")
        );
        assert_eq!(news_text("x", &PreviewNews::Playing), None);
        assert_eq!(news_text("x", &PreviewNews::Ended), None);
    }
}
