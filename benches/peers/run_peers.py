#!/usr/bin/env python3
"""Runs the initial-contact detectors of mobgap or gaitmap on the neutral export written by
`peer_compare export`, and writes what they detect and how long each recording took.

    run_peers.py mobgap  --export target/peers/export --out target/peers/results
    run_peers.py gaitmap --export target/peers/export --out target/peers/results

Inputs: `index.csv` and one CSV per sensor stream (time_secs, acc in m/s^2, gyr in deg/s, the
sensor's own axes), exactly the samples Entrain's replay readers produce. Lost packets leave
gaps in the time column; both peers need a regular grid, so gaps are filled by linear
interpolation here (Entrain's detectors fill them the same way internally).

Outputs, in --out: <runner>.detections.csv (method, dataset, placement, trial, side,
ic_time_secs, emitted_secs = empty: offline), <runner>.timing.csv (per-recording processing time
around the detector calls, signals already in memory) and <runner>.skipped.csv. Scoring is done
by the Rust side (`peer_compare compare`), with the same code for every method.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import traceback
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

SENSOR_COLS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]


def read_index(export: Path) -> "OrderedDict[tuple, list[dict]]":
    """The export's streams, grouped by recording (dataset, placement, trial)."""
    recordings: OrderedDict[tuple, list[dict]] = OrderedDict()
    with open(export / "index.csv", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["dataset"], row["placement"], row["trial"])
            recordings.setdefault(key, []).append(row)
    return recordings


def load_stream(path: Path, fs: float) -> tuple[pd.DataFrame, int]:
    """One stream on a regular grid: (samples with SENSOR_COLS, index of the first sample)."""
    raw = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    if raw.shape[0] < 2 or raw.shape[1] != 7:
        raise ValueError(f"{path}: expected 7 columns and at least 2 rows, found {raw.shape}")
    index = np.rint(raw[:, 0] * fs).astype(np.int64)
    if np.any(np.diff(index) <= 0):
        raise ValueError(f"{path}: sample times are not strictly increasing on the {fs} Hz grid")
    grid = np.arange(index[0], index[-1] + 1)
    values = np.column_stack([np.interp(grid, index, raw[:, c]) for c in range(1, 7)])
    return pd.DataFrame(values, columns=SENSOR_COLS), int(index[0])


def ic_secs(indices, first_index: int, fs: float) -> list[str]:
    """IC sample indices (on the grid starting at first_index) as seconds on the recording clock."""
    out = []
    for i in indices:
        if i is None or not np.isfinite(i):
            continue
        out.append(f"{(first_index + float(i)) / fs:.9f}")
    return out


def gravity_rotation(acc: np.ndarray, gyr_dps: np.ndarray, target: np.ndarray, fs: float):
    """The rotation that turns the mean acceleration of the quietest second (gravity) into
    `target`: the sensor is tilted on the body, and mobgap's vertical axis must be vertical."""
    from scipy.spatial.transform import Rotation

    window = max(1, int(round(fs)))
    energy = np.convolve(np.linalg.norm(gyr_dps, axis=1), np.ones(window) / window, "valid")
    start = int(np.argmin(energy)) if len(energy) else 0
    g = acc[start : start + window].mean(axis=0)
    rotation, _ = Rotation.align_vectors([target], [g / np.linalg.norm(g)])
    return rotation


# --------------------------------------------------------------------------------------------
# mobgap: lower back


def mobgap_methods():
    from mobgap.gait_sequences import GsdIluz
    from mobgap.initial_contacts import IcdIonescu, IcdShinImproved

    def whole(icd):
        def run(body: pd.DataFrame, fs: float) -> np.ndarray:
            return icd().detect(body, sampling_rate_hz=fs).ic_list_["ic"].to_numpy(dtype=float)

        return run

    def per_gait_sequence(icd):
        # mobgap's own pipeline: gait sequences first (GsdIluz, the Mobilise-D choice for
        # healthy and most cohorts), then the IC detector inside each sequence.
        def run(body: pd.DataFrame, fs: float) -> np.ndarray:
            gs_list = GsdIluz().detect(body, sampling_rate_hz=fs).gs_list_
            ics = []
            for gs in gs_list.itertuples():
                segment = body.iloc[int(gs.start) : int(gs.end)].reset_index(drop=True)
                found = icd().detect(segment, sampling_rate_hz=fs).ic_list_["ic"].to_numpy(dtype=float)
                ics.extend(found + int(gs.start))
            return np.asarray(ics, dtype=float)

        return run

    return [
        ("mobgap IcdShinImproved", whole(IcdShinImproved)),
        ("mobgap IcdIonescu", whole(IcdIonescu)),
        ("mobgap GsdIluz + IcdShinImproved", per_gait_sequence(IcdShinImproved)),
        ("mobgap GsdIluz + IcdIonescu", per_gait_sequence(IcdIonescu)),
    ]


def mobgap_input(dataset: str, data: pd.DataFrame, fs: float) -> pd.DataFrame:
    """mobgap's body frame (acc_is, acc_ml, acc_pa in m/s^2; gyr_* in deg/s)."""
    from mobgap.utils.conversions import to_body_frame

    data = data.copy()
    if dataset == "mobgap":
        # Mobilise-D's own McRoberts recordings are already in mobgap's sensor frame
        # (x up, y medio-lateral, z anterior-posterior): used as mobgap uses them.
        pass
    elif dataset == "voisard":
        # XSens at L5, tilted about 35 degrees: x is closest to up, z leaves the back
        # (posterior). Rotate the measured gravity onto +x, then turn 180 degrees about x so
        # that z points forward (right-handed), as mobgap's sensor frame has it.
        acc, gyr = data[SENSOR_COLS[:3]].to_numpy(), data[SENSOR_COLS[3:]].to_numpy()
        rotation = gravity_rotation(acc, gyr, np.array([1.0, 0.0, 0.0]), fs)
        flip = np.diag([1.0, -1.0, -1.0])
        data[SENSOR_COLS[:3]] = rotation.apply(acc) @ flip.T
        data[SENSOR_COLS[3:]] = rotation.apply(gyr) @ flip.T
    else:
        raise ValueError(f"no lower-back axis convention known for data set {dataset}")
    return to_body_frame(data)


# --------------------------------------------------------------------------------------------
# gaitmap: feet


def gaitmap_methods():
    from gaitmap.event_detection import HerzerEventDetection, RamppEventDetection
    from gaitmap.stride_segmentation import BarthDtw

    def with_events(event_detection):
        # gaitmap's standard pipeline: stride segmentation by DTW against its template (BarthDtw),
        # then the events inside each segmented stride.
        def run(body: pd.DataFrame, fs: float) -> np.ndarray:
            strides = BarthDtw().segment(body, sampling_rate_hz=fs).stride_list_
            if len(strides) == 0:
                return np.empty(0)
            events = event_detection().detect(body, stride_list=strides, sampling_rate_hz=fs)
            return np.unique(events.annotated_original_event_list_["ic"].to_numpy(dtype=float))

        return run

    return [
        ("gaitmap BarthDtw + RamppEventDetection", with_events(RamppEventDetection)),
        ("gaitmap BarthDtw + HerzerEventDetection", with_events(HerzerEventDetection)),
    ]


def gaitmap_input(dataset: str, foot: str, data: pd.DataFrame, fs: float) -> pd.DataFrame:
    """gaitmap's foot body frame (gyr_ml, acc_pa, ... ; acc m/s^2, gyr deg/s)."""
    from gaitmap.utils.coordinate_conversion import convert_left_foot_to_fbf, convert_right_foot_to_fbf

    if dataset == "gaitmap":
        # gaitmap's example recording, already in gaitmap's foot sensor frame.
        pass
    elif dataset == "voisard":
        # Sensor frame unknown (XSens on the dorsum of the foot): gaitmap's own helpers put it
        # into gaitmap's foot sensor frame: z along gravity (static windows), y along the main
        # rotation axis (PCA of the gyroscope), x forward (sign from the integrated trajectory).
        from gaitmap.preprocessing.sensor_alignment import (
            ForwardDirectionSignAlignment,
            PcaAlignment,
            align_dataset_to_gravity,
        )

        data = align_dataset_to_gravity(data, sampling_rate_hz=fs)
        data = PcaAlignment().align(data).aligned_data_
        data = ForwardDirectionSignAlignment().align(data, sampling_rate_hz=fs).aligned_data_
    else:
        raise ValueError(f"no foot-sensor convention known for data set {dataset}")
    convert = convert_left_foot_to_fbf if foot == "left" else convert_right_foot_to_fbf
    return convert(data)


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runner", choices=["mobgap", "gaitmap"])
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="at most this many recordings (0: all)")
    args = parser.parse_args()

    placement = "lower_back" if args.runner == "mobgap" else "feet"
    methods = mobgap_methods() if args.runner == "mobgap" else gaitmap_methods()
    recordings = [(k, v) for k, v in read_index(args.export).items() if k[1] == placement]
    if args.limit:
        recordings = recordings[: args.limit]

    detections, timings, skipped = [], [], []
    warmed_up = set()
    for n, ((dataset, _, trial), streams) in enumerate(recordings, 1):
        fs = float(streams[0]["sample_rate_hz"])
        try:
            inputs = []  # (side, body-frame data, first index)
            for s in streams:
                data, first = load_stream(args.export / s["file"], fs)
                if args.runner == "mobgap":
                    inputs.append(("", mobgap_input(dataset, data, fs), first))
                else:
                    side = s["stream"].removesuffix("_foot")
                    inputs.append((side, data, first))
        except Exception as e:  # a recording whose input cannot be met is skipped, with why
            for name, _ in methods:
                skipped.append([name, dataset, placement, trial, f"input: {e}"])
            continue
        n_samples = sum(len(d) for _, d, _ in inputs)
        for name, run in methods:
            if name not in warmed_up:
                # First call compiles numba kernels and fills caches: done once, untimed (the
                # whole-process wall time includes it).
                try:
                    _run_recording(args.runner, dataset, inputs, fs, run)
                except Exception:
                    pass
                warmed_up.add(name)
            try:
                start = time.perf_counter()
                found = _run_recording(args.runner, dataset, inputs, fs, run)
                elapsed = time.perf_counter() - start
            except Exception as e:
                print(f"{name} failed on {dataset}/{trial}: {e}", file=sys.stderr)
                traceback.print_exc(limit=3, file=sys.stderr)
                skipped.append([name, dataset, placement, trial, f"{type(e).__name__}: {e}"])
                continue
            timings.append([name, dataset, placement, trial, n_samples, f"{elapsed:.9f}"])
            for side, times in found:
                detections.extend([name, dataset, placement, trial, side, t, ""] for t in times)
        print(f"{args.runner}: {n}/{len(recordings)} {dataset}/{trial}", file=sys.stderr, flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / f"{args.runner}.detections.csv",
           ["method", "dataset", "placement", "trial", "side", "ic_time_secs", "emitted_secs"], detections)
    _write(args.out / f"{args.runner}.timing.csv",
           ["method", "dataset", "placement", "trial", "n_samples", "processing_secs"], timings)
    _write(args.out / f"{args.runner}.skipped.csv",
           ["method", "dataset", "placement", "trial", "reason"], skipped)
    return 0


def _run_recording(runner: str, dataset: str, inputs, fs: float, run):
    """Runs one method on one recording: [(side, [ic seconds])]. For gaitmap, the sensor
    alignment and frame conversion belong to the method's processing and are timed with it."""
    found = []
    for side, data, first in inputs:
        body = data if runner == "mobgap" else gaitmap_input(dataset, side, data, fs)
        found.append((side, ic_secs(run(body, fs), first, fs)))
    return found


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
