//! Who is recording a `running` session: its lease names the host, the boot and the process
//! (pid and the process's start time), so a process that opens the record later (a listing, a
//! second session, the window) relabels a session `interrupted` only when its recorder is gone,
//! never while it is recording, and a pid reused by another program after a crash does not keep
//! a dead session `running` for ever.

/// How long a session recorded from another host keeps its lease without a heartbeat (the writer
/// renews it with every batch, four times a second while it records): this host cannot see that
/// host's processes, so only silence this long means its recorder is gone.
pub const OTHER_HOST_LEASE_MS: i64 = 15 * 60 * 1000;

/// A running session's recorder, as stored in its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The host's name (`/proc/sys/kernel/hostname`).
    pub host: String,
    /// The host's boot (`/proc/sys/kernel/random/boot_id`): a reboot ends every lease.
    pub boot_id: String,
    /// The process.
    pub pid: i64,
    /// When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22).
    pub process_start_ticks: i64,
}

/// What this machine says of the processes it runs: used by [`holder_is_gone`], given by
/// [`ThisMachine`] in the product and by a table in the tests.
pub trait Machine {
    /// This host's name and boot.
    fn host_and_boot(&self) -> (String, String);
    /// When process `pid` started (ticks since boot), if it runs and is not a zombie.
    fn process_start_ticks(&self, pid: i64) -> Option<i64>;
}

/// The machine this process runs on (Linux `/proc`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ThisMachine;

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl Machine for ThisMachine {
    fn host_and_boot(&self) -> (String, String) {
        (
            read_trimmed("/proc/sys/kernel/hostname"),
            read_trimmed("/proc/sys/kernel/random/boot_id"),
        )
    }

    fn process_start_ticks(&self, pid: i64) -> Option<i64> {
        if pid <= 0 {
            return None;
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the parenthesised command name: state is field 3, starttime field 22.
        let after_name = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        if matches!(fields.first(), Some(&"Z") | Some(&"X")) {
            return None;
        }
        fields.get(22 - 3)?.parse().ok()
    }
}

impl Lease {
    /// The lease of the calling process on `machine`.
    pub fn of_this_process(machine: &impl Machine) -> Lease {
        let pid = i64::from(std::process::id());
        let (host, boot_id) = machine.host_and_boot();
        Lease {
            host,
            boot_id,
            pid,
            process_start_ticks: machine.process_start_ticks(pid).unwrap_or(0),
        }
    }
}

/// Why a running session's recorder is known to be gone, or `None` while it may still be
/// recording. `lease` is `None` for a session recorded before leases (schema 3), which has only
/// its pid; `heartbeat_unix_ms` is its last write.
pub fn holder_is_gone(
    lease: Option<&Lease>,
    legacy_pid: Option<i64>,
    heartbeat_unix_ms: Option<i64>,
    now_unix_ms: i64,
    machine: &impl Machine,
) -> Option<&'static str> {
    let (host, boot) = machine.host_and_boot();
    let Some(lease) = lease else {
        return match legacy_pid.and_then(|p| machine.process_start_ticks(p)) {
            Some(_) => None,
            None => Some("its recording process is no longer running"),
        };
    };
    if lease.host != host {
        let silent_ms = now_unix_ms - heartbeat_unix_ms.unwrap_or(i64::MIN / 2);
        return (silent_ms > OTHER_HOST_LEASE_MS)
            .then_some("its recorder on another host has not written for 15 minutes");
    }
    if lease.boot_id != boot {
        return Some("the computer has restarted since it was recorded");
    }
    match machine.process_start_ticks(lease.pid) {
        None => Some("its recording process is no longer running"),
        Some(start) if start != lease.process_start_ticks => {
            Some("its recording process is no longer running (its pid now belongs to another)")
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Table {
        host: &'static str,
        boot: &'static str,
        processes: HashMap<i64, i64>,
    }

    impl Machine for Table {
        fn host_and_boot(&self) -> (String, String) {
            (self.host.into(), self.boot.into())
        }
        fn process_start_ticks(&self, pid: i64) -> Option<i64> {
            self.processes.get(&pid).copied()
        }
    }

    fn ward_pc() -> Table {
        Table {
            host: "ward-pc",
            boot: "boot-1",
            processes: HashMap::from([(100, 5000), (200, 7000)]),
        }
    }

    fn lease(host: &str, boot: &str, pid: i64, start: i64) -> Lease {
        Lease {
            host: host.into(),
            boot_id: boot.into(),
            pid,
            process_start_ticks: start,
        }
    }

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_live_recorder_on_this_host_keeps_its_session() {
        let l = lease("ward-pc", "boot-1", 100, 5000);
        assert_eq!(
            holder_is_gone(Some(&l), None, Some(0), NOW, &ward_pc()),
            None
        );
    }

    #[test]
    fn a_dead_or_reused_pid_or_a_reboot_ends_the_lease() {
        let m = ward_pc();
        let dead = lease("ward-pc", "boot-1", 300, 5000);
        assert!(holder_is_gone(Some(&dead), None, Some(NOW), NOW, &m).is_some());
        let reused = lease("ward-pc", "boot-1", 200, 6999);
        assert!(
            holder_is_gone(Some(&reused), None, Some(NOW), NOW, &m)
                .is_some_and(|r| r.contains("another"))
        );
        let before_reboot = lease("ward-pc", "boot-0", 100, 5000);
        assert!(
            holder_is_gone(Some(&before_reboot), None, Some(NOW), NOW, &m)
                .is_some_and(|r| r.contains("restarted"))
        );
    }

    #[test]
    fn another_hosts_session_is_kept_until_it_has_been_silent_for_the_lease() {
        let m = ward_pc();
        let there = lease("server", "boot-9", 100, 1);
        let recent = NOW - OTHER_HOST_LEASE_MS + 1;
        assert_eq!(
            holder_is_gone(Some(&there), None, Some(recent), NOW, &m),
            None
        );
        let silent = NOW - OTHER_HOST_LEASE_MS - 1;
        assert!(holder_is_gone(Some(&there), None, Some(silent), NOW, &m).is_some());
        assert!(holder_is_gone(Some(&there), None, None, NOW, &m).is_some());
    }

    #[test]
    fn a_session_from_before_leases_is_judged_by_its_pid() {
        let m = ward_pc();
        assert_eq!(holder_is_gone(None, Some(100), None, NOW, &m), None);
        assert!(holder_is_gone(None, Some(300), None, NOW, &m).is_some());
        assert!(holder_is_gone(None, None, None, NOW, &m).is_some());
    }

    #[test]
    fn this_process_has_a_start_time_and_a_host() {
        let l = Lease::of_this_process(&ThisMachine);
        assert!(l.process_start_ticks > 0, "{l:?}");
        assert!(!l.host.is_empty() && !l.boot_id.is_empty(), "{l:?}");
        assert_eq!(
            holder_is_gone(Some(&l), None, None, NOW, &ThisMachine),
            None
        );
    }
}
