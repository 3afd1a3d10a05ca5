//! The entrainment-gated progression of a RAS session: the levels of tempo increase, and the
//! gate that moves the patient up a level (or holds them) from the last window's measures.

use super::*;

impl RasSession {
    pub(super) fn top_level(&self) -> u32 {
        let p = &self.config.progression;
        (p.max_increase_percent / p.step_percent + 1e-9).floor() as u32
    }

    fn level_tempo_spm(&self, level: u32) -> f64 {
        let base = self.matched_spm.unwrap_or(0.0);
        base * (1.0 + f64::from(level) * self.config.progression.step_percent / 100.0)
            + self.nudge_spm
    }

    /// Raises the progression one level, or ends it when the top (or the ceiling) is reached.
    pub(super) fn level_up(&mut self, now: i64, measures: Option<crate::gate::WindowMeasures>) {
        let PhaseState::Progression {
            level,
            reachable_top,
        } = self.state
        else {
            return;
        };
        let current_goal = self.target_tempo_spm().unwrap_or(0.0);
        let new_level = level + 1;
        let requested = self.level_tempo_spm(new_level);
        let ceiling = self.limits().map_or(requested, |l| l.ceiling_spm);
        if new_level > reachable_top || ceiling <= current_goal + 1e-9 {
            let reason = if reachable_top < self.top_level() {
                PhaseReason::HeldAtLimit
            } else {
                PhaseReason::ReachedTop
            };
            self.advance_phase(now, reason);
            return;
        }
        let Some(clock) = self.clock.as_mut() else {
            return;
        };
        let to = clock.set_goal(requested);
        self.state = PhaseState::Progression {
            level: new_level,
            reachable_top,
        };
        self.gate_from_nanos = None;
        let reason = match measures.or_else(|| self.last_window()) {
            _ if to < requested - 1e-9 => TempoReason::Capped {
                requested_spm: requested,
            },
            Some(measures) => TempoReason::Progressed {
                level: new_level,
                increase_percent: self.config.progression.step_percent * f64::from(new_level),
                measures,
            },
            None => TempoReason::Capped {
                requested_spm: requested,
            },
        };
        self.push_log(
            now,
            LogEvent::TempoTarget {
                from_spm: Some(current_goal),
                to_spm: to,
                reason,
            },
        );
    }

    fn last_window(&self) -> Option<crate::gate::WindowMeasures> {
        match self.last_verdict.as_ref()? {
            GateVerdict::Entrained(m) | GateVerdict::NotEntrained(m, _) => Some(*m),
            GateVerdict::TooFewSteps { .. } => None,
        }
    }

    /// The entrainment gate, run on every step while cued in the matched or progression phase.
    pub(super) fn gate(&mut self, now: i64) {
        let settle = self.config.progression.settle_beats;
        let Some(clock) = self.clock.as_ref().filter(|c| c.settled(settle)) else {
            self.gate_from_nanos = None;
            return;
        };
        let target = clock.goal_spm();
        let from = *self.gate_from_nanos.get_or_insert(now);
        let first = self.steps.partition_point(|s| s.time_nanos < from);
        let ics: Vec<i64> = self.steps[first..].iter().map(|s| s.time_nanos).collect();
        let verdict = evaluate(&self.config.gate, &ics, &self.beats, target);
        self.last_verdict = Some(verdict.clone());
        let elapsed = now - from;
        let p = self.config.progression;
        match (verdict, self.state) {
            // advance_phase raises the first level from the last verdict.
            (GateVerdict::Entrained(_), PhaseState::Matched)
                if self.active_nanos(now) >= secs_to_nanos(p.matched_min_secs) =>
            {
                self.advance_phase(now, PhaseReason::Entrained);
            }
            (GateVerdict::Entrained(m), PhaseState::Progression { .. })
                if elapsed >= secs_to_nanos(p.level_min_secs) =>
            {
                self.level_up(now, Some(m));
            }
            (GateVerdict::NotEntrained(m, failures), state)
                if elapsed >= secs_to_nanos(p.lost_after_secs) =>
            {
                match state {
                    PhaseState::Progression { level, .. } if level > 0 => {
                        let new_level = level - 1;
                        let from_spm = clock.goal_spm();
                        let requested = self.level_tempo_spm(new_level);
                        self.state = PhaseState::Progression {
                            level: new_level,
                            reachable_top: new_level,
                        };
                        let to = self
                            .clock
                            .as_mut()
                            .map_or(requested, |c| c.set_goal(requested));
                        self.gate_from_nanos = None;
                        self.push_log(
                            now,
                            LogEvent::TempoTarget {
                                from_spm: Some(from_spm),
                                to_spm: to,
                                reason: TempoReason::SteppedBack {
                                    level: new_level,
                                    measures: m,
                                    failures,
                                },
                            },
                        );
                    }
                    _ => {
                        // Already at the matched tempo: hold it, keep cueing, look again later.
                        self.gate_from_nanos = Some(now);
                        self.push_log(
                            now,
                            LogEvent::Holding {
                                measures: m,
                                failures,
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }
}
