//! Prints the callback timing of the default output device for a few seconds: frames rendered
//! against callback time, and the output latency the backend reports. A diagnostic.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use entrain_audio::{OutputOptions, Renderer, Telemetry, open_output};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let origin = Instant::now();
    let buffer_frames = std::env::args().nth(1).and_then(|a| a.parse().ok());
    let options = OutputOptions {
        buffer_frames,
        ..OutputOptions::default()
    };
    let mut out = open_output(&options, origin, Renderer::new)?;
    println!("granted {:?}", out.granted);
    let rate = f64::from(out.granted.sample_rate_hz);
    let mut last_print = 0.0;
    while origin.elapsed() < Duration::from_secs(6) {
        while let Ok(t) = out.telemetry.pop() {
            if let Telemetry::Buffer(b) = t {
                let cb =
                    (b.callback_stream_nanos as f64 + out.stream_to_session_nanos as f64) / 1e9;
                if cb - last_print > 0.1 {
                    last_print = cb;
                    println!(
                        "session {cb:7.3} s  frame-time {:7.3} s  ahead {:+7.3} s  latency {:5.1} ms",
                        b.first_frame as f64 / rate,
                        b.first_frame as f64 / rate - cb,
                        b.output_latency_nanos() as f64 / 1e6
                    );
                }
            }
        }
        while let Ok(f) = out.faults.pop() {
            println!("fault {f:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}
