//! Where the time of an analysis goes, stage by stage.
//!
//! The engine has no clock of its own (wasm32 has no `Instant`), so the host
//! lends one: the worker `performance.now()`, the CLI `Instant`. Without a
//! clock every lap is a no-op, so the stages cost nothing to mark.

use serde::{Deserialize, Serialize};

/// How long one named stage took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageTime {
    pub stage: String,
    pub ms: f64,
}

/// Marks the end of each stage against the host's clock.
pub struct Stopwatch<'c> {
    clock: Option<&'c mut dyn FnMut() -> Option<f64>>,
    last: Option<f64>,
    stages: Vec<StageTime>,
}

impl<'c> Stopwatch<'c> {
    /// Starts timing now.
    pub fn start(clock: &'c mut dyn FnMut() -> Option<f64>) -> Stopwatch<'c> {
        let last = clock();
        Stopwatch {
            clock: Some(clock),
            last,
            stages: Vec::new(),
        }
    }

    /// A stopwatch without a clock: every lap is a no-op.
    pub fn off() -> Stopwatch<'static> {
        Stopwatch {
            clock: None,
            last: None,
            stages: Vec::new(),
        }
    }

    /// Ends `stage` (begun at the previous lap or the start) and returns
    /// its length, when there is a clock.
    pub fn lap(&mut self, stage: &str) -> Option<f64> {
        let now = self.now();
        let ms = match (self.last, now) {
            (Some(last), Some(now)) => now - last,
            _ => return None,
        };
        self.last = now;
        // A stage that runs more than once (say, a fit per model) adds up.
        match self.stages.iter_mut().find(|s| s.stage == stage) {
            Some(known) => known.ms += ms,
            None => self.stages.push(StageTime {
                stage: stage.to_string(),
                ms,
            }),
        }
        Some(ms)
    }

    /// The time of `stage` so far (0 when it never ran or there is no clock).
    pub fn of(&self, stage: &str) -> f64 {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .map_or(0.0, |s| s.ms)
    }

    /// The clock's reading now.
    pub fn now(&mut self) -> Option<f64> {
        self.clock.as_mut().and_then(|clock| clock())
    }

    /// Every stage in the order it first ran.
    pub fn into_stages(self) -> Vec<StageTime> {
        self.stages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_measure_from_the_previous_lap_and_repeated_stages_add_up() {
        let mut t = 0.0;
        let mut clock = || {
            t += 10.0;
            Some(t)
        };
        let mut watch = Stopwatch::start(&mut clock);
        assert_eq!(watch.lap("read"), Some(10.0));
        assert_eq!(watch.lap("fit"), Some(10.0));
        watch.lap("read");
        assert_eq!(watch.of("read"), 20.0);
        let stages = watch.into_stages();
        assert_eq!(
            stages.iter().map(|s| s.stage.as_str()).collect::<Vec<_>>(),
            ["read", "fit"]
        );
    }

    #[test]
    fn without_a_clock_nothing_is_recorded() {
        let mut clock = || None;
        let mut watch = Stopwatch::start(&mut clock);
        assert_eq!(watch.lap("read"), None);
        assert!(watch.into_stages().is_empty());
        let mut off = Stopwatch::off();
        assert_eq!(off.lap("read"), None);
        assert!(off.into_stages().is_empty());
    }
}
