//! `entrain music`: the music library (import a therapist's files or folder, list it with the
//! built-in tracks, confirm an ambiguous tempo), a track's analysis, an offline render through
//! the live path, and each patient's preferences and the playlists (`cmd_music_prefs`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use entrain_audio::wav::{MusicWavRequest, render_music, write_beats_csv};
use entrain_audio::{DEFAULT_RING_FRAMES, Overlay, SoundId, Tempo};
use entrain_engine::library::{self, FileStamp};
use entrain_engine::music::{MUSIC_RATE_HZ, load_track};
use entrain_music::{AUDIO_EXTENSIONS, analyze, builtin, decode_file};
use entrain_store::{MusicPreference, Store, TrackRecord};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `entrain music`.
#[derive(Debug, Args)]
pub struct MusicArgs {
    #[command(subcommand)]
    command: MusicCommand,
    /// Database file (default: the user's data folder).
    #[arg(long, global = true)]
    pub(crate) db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum MusicCommand {
    /// Analyses a file, or every audio file in a folder (and its subfolders), into the library.
    Import {
        /// A WAV, FLAC, Ogg Vorbis or MP3 file, or a folder of them.
        path: PathBuf,
    },
    /// Lists the built-in tracks and the library, with tempo and meter.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Finds a file's tempo, beats and bars (nothing is stored).
    Analyze {
        /// The audio file.
        file: PathBuf,
        /// Also write the analysis as JSON (`tempo_bpm`, `beats_secs`, `downbeats_secs`, ...).
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Renders a track stretched to a tempo (or through a ramp) to a WAV file, through the same
    /// code as a live session, and the beat schedule to a CSV file.
    Render(RenderArgs),
    /// The patient likes a track: chosen first for their sessions.
    Like(PreferenceArgs),
    /// The patient dislikes a track: never chosen for their sessions automatically.
    Dislike(PreferenceArgs),
    /// Forgets the patient's opinion of a track.
    Neutral(PreferenceArgs),
    /// Lists the tracks a patient likes and dislikes.
    Prefs {
        /// The patient's pseudonymous code.
        #[arg(long)]
        patient: String,
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Playlists: a patient's own (--patient) or shared by all.
    Playlist {
        #[command(subcommand)]
        command: crate::cmd_music_prefs::PlaylistCommand,
    },
    /// Confirms which tempo an ambiguous track has (its analysed tempo or the alternative).
    Confirm {
        /// The imported file.
        file: PathBuf,
        /// Its tempo, beats per minute.
        #[arg(long)]
        bpm: f64,
    },
}

/// Arguments of `entrain music like|dislike|neutral`.
#[derive(Debug, Args)]
struct PreferenceArgs {
    /// The patient's pseudonymous code.
    #[arg(long)]
    patient: String,
    /// A built-in track's name (`entrain music list`) or an imported file.
    track: String,
}

/// Arguments of `entrain music render`.
#[derive(Debug, Args)]
struct RenderArgs {
    /// A built-in track's name (`entrain music list`) or an audio file (its library analysis
    /// if imported, else analysed now).
    #[arg(long)]
    track: String,
    /// The beat's tempo, beats per minute.
    #[arg(long)]
    bpm: f64,
    /// Ramp linearly to this tempo by the end.
    #[arg(long)]
    to_bpm: Option<f64>,
    /// Length, seconds.
    #[arg(long)]
    seconds: f64,
    /// The WAV file to write (stereo, 16-bit, 48 kHz).
    #[arg(long)]
    wav: PathBuf,
    /// Also write the beat schedule (`beat_index,time_secs`).
    #[arg(long)]
    beats_csv: Option<PathBuf>,
    /// What sounds: `music`, `music+click` (a click on every beat, accented on downbeats) or
    /// `click`.
    #[arg(long, default_value = "music")]
    overlay: String,
    /// The click's level within the music (with `music+click`), 0..=1.
    #[arg(long, default_value_t = 0.5)]
    click_level: f32,
}

/// The rate music is rendered at, Hz: the one it is played at.
const RENDER_RATE_HZ: u32 = MUSIC_RATE_HZ;
/// The click on beats that are not downbeats, relative to the downbeat's (`music+click`).
use entrain_engine::music::CLICK_OFFBEAT_LEVEL;

/// Runs `entrain music`.
pub fn run(args: MusicArgs) -> Result<()> {
    match args.command {
        MusicCommand::Analyze { file, json } => analyze_file(&file, json.as_deref()),
        MusicCommand::Import { path } => {
            let mut store = open_store(args.db.as_deref())?;
            import(&mut store, &path)
        }
        MusicCommand::List { json } => {
            let store = open_store(args.db.as_deref())?;
            list(&store, json)
        }
        MusicCommand::Render(render_args) => {
            let store = open_store(args.db.as_deref())?;
            render(&store, &render_args)
        }
        MusicCommand::Like(a) => set_preference(args.db.as_deref(), &a, MusicPreference::Liked),
        MusicCommand::Dislike(a) => {
            set_preference(args.db.as_deref(), &a, MusicPreference::Disliked)
        }
        MusicCommand::Neutral(a) => {
            set_preference(args.db.as_deref(), &a, MusicPreference::Neutral)
        }
        MusicCommand::Prefs { patient, json } => {
            let store = open_store(args.db.as_deref())?;
            crate::cmd_music_prefs::list_preferences(&store, &patient, json)
        }
        MusicCommand::Playlist { command } => {
            let mut store = open_store(args.db.as_deref())?;
            crate::cmd_music_prefs::run_playlist(&mut store, command)
        }
        MusicCommand::Confirm { file, bpm } => {
            let mut store = open_store(args.db.as_deref())?;
            let key = library_key(&file)?;
            let track = store.track_by_path(&key)?.with_context(|| {
                format!(
                    "{}: not in the library (import it first: entrain music import)",
                    file.display()
                )
            })?;
            let confirmed = store.confirm_track_tempo(track.id, bpm)?;
            println!(
                "{}: {:.1} bpm",
                confirmed.track.title,
                confirmed.tempo_bpm()
            );
            Ok(())
        }
    }
}

fn set_preference(
    db: Option<&Path>,
    args: &PreferenceArgs,
    preference: MusicPreference,
) -> Result<()> {
    let mut store = open_store(db)?;
    crate::cmd_music_prefs::set_preference(&mut store, &args.patient, &args.track, preference)
}

fn open_store(db: Option<&Path>) -> Result<Store> {
    Ok(Store::open(&crate::cmd_session::db_path(db)?)?)
}

/// The library's key of a file: its absolute path.
fn library_key(file: &Path) -> Result<String> {
    Ok(FileStamp::of(file)?.key)
}

/// `--overlay NAME` with `--click-level` (the click's level within the music).
pub(crate) fn parse_overlay(name: &str, click_level: f32) -> Result<Overlay> {
    let overlay = match name {
        "music" => Overlay::MusicOnly,
        "click" => Overlay::ClickOnly,
        "music+click" => Overlay::MusicWithClick {
            click_level,
            offbeat_level: CLICK_OFFBEAT_LEVEL,
        },
        other => bail!("--overlay {other}: expected music, music+click or click"),
    };
    overlay.validate().context("--click-level")?;
    Ok(overlay)
}

/// The tempo line of an analysis: "104.0 bpm, 4/4 (or 52.0?)".
fn tempo_words(
    tempo_bpm: f64,
    beats_per_bar: u32,
    alternative: Option<f64>,
    confirmed: bool,
) -> String {
    let mut words = format!("{tempo_bpm:.1} bpm, {beats_per_bar} beats per bar");
    match (alternative, confirmed) {
        (_, true) => words.push_str(" (confirmed)"),
        (Some(other), false) => words.push_str(&format!(
            " (or {other:.1} bpm? confirm with entrain music confirm)"
        )),
        (None, false) => {}
    }
    words
}

fn analyze_file(file: &Path, json: Option<&Path>) -> Result<()> {
    let pcm = decode_file(file)?;
    let analysis = analyze(&pcm);
    if analysis.beats_secs.is_empty() {
        bail!(
            "{}: no beat found (silent, or no steady pulse)",
            file.display()
        );
    }
    println!(
        "{}: {}, {} beats over {:.1} s",
        file.display(),
        tempo_words(
            analysis.tempo_bpm,
            u32::from(analysis.beats_per_bar),
            analysis.tempo_ambiguous,
            false
        ),
        analysis.beats_secs.len(),
        analysis.duration_secs
    );
    if let Some(out) = json {
        let text = serde_json::to_string_pretty(&analysis)?;
        std::fs::write(out, text)
            .with_context(|| format!("--json {}: cannot write", out.display()))?;
    }
    Ok(())
}

/// Analyses `path` (a file, or a folder's audio files) into the library. A file that fails is
/// named with why, and the others go on; the command fails at the end if any did.
fn import(store: &mut Store, path: &Path) -> Result<()> {
    let files = if path.is_dir() {
        library::audio_files(path)?
    } else if path.exists() {
        vec![path.to_path_buf()]
    } else {
        bail!("{}: no such file or folder", path.display());
    };
    if files.is_empty() {
        bail!(
            "{}: no audio files ({}) in the folder",
            path.display(),
            AUDIO_EXTENSIONS.join(", ")
        );
    }
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut imported, mut unchanged, mut failed) = (0usize, 0usize, Vec::new());
    for file in &files {
        bar.set_message(file.display().to_string());
        match import_one(store, file) {
            Ok(Some(track)) => {
                imported += 1;
                bar.println(format!(
                    "{}: {}",
                    track.track.title,
                    tempo_words(
                        track.tempo_bpm(),
                        track.track.beats_per_bar,
                        track.track.alternative_bpm,
                        track.confirmed_bpm.is_some()
                    )
                ));
            }
            Ok(None) => unchanged += 1,
            Err(e) => {
                bar.println(format!("{e:#}"));
                failed.push(file.clone());
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "{imported} imported, {unchanged} unchanged since their import, {} failed",
        failed.len()
    );
    if !failed.is_empty() {
        bail!(
            "{} file(s) not imported: {}",
            failed.len(),
            failed
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Imports one file; `None` if the library already has it as it is now.
fn import_one(store: &mut Store, file: &Path) -> Result<Option<TrackRecord>> {
    let stamp = FileStamp::of(file)?;
    if let Some(known) = store.track_by_path(&stamp.key)?
        && stamp.is_analysed_in(&known)
    {
        return Ok(None);
    }
    let track = library::analyse_for_library(file, stamp)?;
    Ok(Some(store.put_track(&track)?))
}

/// One line of `entrain music list`, and its JSON form.
#[derive(Debug, serde::Serialize)]
struct Listed {
    /// The name `--track` takes: a built-in's name, or the file.
    track: String,
    title: String,
    tempo_bpm: f64,
    beats_per_bar: u32,
    alternative_bpm: Option<f64>,
    confirmed: bool,
    duration_secs: f64,
    builtin: bool,
}

fn list(store: &Store, json: bool) -> Result<()> {
    let mut listed: Vec<Listed> = builtin::tracks()
        .iter()
        .map(|t| Listed {
            track: t.name.to_owned(),
            title: t.title.to_owned(),
            tempo_bpm: t.tempo_bpm,
            beats_per_bar: u32::from(t.beats_per_bar),
            alternative_bpm: None,
            confirmed: true,
            duration_secs: f64::from(t.beats()) * t.beat_secs(),
            builtin: true,
        })
        .collect();
    listed.extend(store.tracks()?.into_iter().map(|t| Listed {
        tempo_bpm: t.tempo_bpm(),
        confirmed: t.confirmed_bpm.is_some(),
        track: t.track.path,
        title: t.track.title,
        beats_per_bar: t.track.beats_per_bar,
        alternative_bpm: t.track.alternative_bpm,
        duration_secs: t.track.duration_secs,
        builtin: false,
    }));
    if json {
        println!("{}", serde_json::to_string_pretty(&listed)?);
        return Ok(());
    }
    for l in &listed {
        println!(
            "{:<24} {:>6.1} s  {}  {}",
            l.title,
            l.duration_secs,
            tempo_words(
                l.tempo_bpm,
                l.beats_per_bar,
                l.alternative_bpm.filter(|_| !l.builtin),
                l.confirmed && !l.builtin
            ),
            l.track
        );
    }
    Ok(())
}

fn render(store: &Store, args: &RenderArgs) -> Result<()> {
    let tempo = Tempo::from_bpm(args.bpm).context("--bpm")?;
    let to_tempo = args
        .to_bpm
        .map(Tempo::from_bpm)
        .transpose()
        .context("--to-bpm")?;
    let overlay = parse_overlay(&args.overlay, args.click_level)?;
    let track = load_track(Some(store), &args.track, RENDER_RATE_HZ, args.seconds)
        .map_err(|e| anyhow::anyhow!("--track {}: {}", e.track, e.detail))?
        .track;
    let request = MusicWavRequest {
        tempo,
        to_tempo,
        seconds: args.seconds,
        first_beat_frame: u64::from(RENDER_RATE_HZ / 10),
        overlay,
        music_level: 1.0,
        sound: SoundId::Click,
        ring_frames: DEFAULT_RING_FRAMES,
    };
    let beats = render_music(&track, &request, &args.wav)?;
    if let Some(csv) = &args.beats_csv {
        write_beats_csv(csv, &beats, RENDER_RATE_HZ)?;
    }
    println!(
        "{}: {} beats, {:.1} s at {:.1}{} bpm",
        args.wav.display(),
        beats.len(),
        args.seconds,
        args.bpm,
        args.to_bpm
            .map_or_else(String::new, |b| format!(" to {b:.1}"))
    );
    Ok(())
}
