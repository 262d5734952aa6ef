//! Debouncing of Docker events: docker-gen's `-wait min:max` timers (spec §5.6) as a pure
//! state machine, and the thread that drives it with `recv_timeout` deadlines.
//!
//! The state machine takes `now` and returns deadlines; it never reads the clock or sleeps,
//! so it is tested with `Instant` arithmetic. The thread owns no other state than the latest
//! message and never renders or talks to Docker: it only turns a burst of messages into one.

use crate::config::Wait;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Which timer ended a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    /// `min` passed since the last event of the burst.
    Min,
    /// `max` passed since the first event of the burst.
    Max,
    /// No debouncing (no wait, or a zero minimum): each event fires at once.
    Immediate,
}

/// One `-wait min:max` debouncer (spec §5.6): one pending event and two optional deadlines.
///
/// On an event the min deadline is (re)started at now+min and the max deadline is started at
/// now+max only if it is not running; when either passes, both are cleared and the burst
/// fires once. A wait of `None` or with a zero minimum disables debouncing (docker-gen's
/// `newDebounceChannel` returns its input), which here means an immediate deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debouncer {
    min: Duration,
    max: Duration,
    min_deadline: Option<Instant>,
    max_deadline: Option<Instant>,
    pending: bool,
}

impl Debouncer {
    /// A debouncer for a config's wait; `None` or a zero minimum passes events straight on.
    pub fn new(wait: Option<Wait>) -> Debouncer {
        let wait = wait.unwrap_or_default();
        Debouncer {
            min: wait.min,
            max: wait.max,
            min_deadline: None,
            max_deadline: None,
            pending: false,
        }
    }

    /// Whether events are delayed at all.
    pub fn is_debouncing(&self) -> bool {
        !self.min.is_zero()
    }

    /// Whether an event waits to be fired.
    pub fn is_pending(&self) -> bool {
        self.pending
    }

    /// Records an event that arrived at `now`.
    pub fn on_event(&mut self, now: Instant) {
        self.pending = true;
        if !self.is_debouncing() {
            self.min_deadline = Some(now);
            return;
        }
        self.min_deadline = Some(now + self.min);
        if self.max_deadline.is_none() {
            self.max_deadline = Some(now + self.max);
        }
    }

    /// The earliest running deadline, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        match (self.min_deadline, self.max_deadline) {
            (Some(min), Some(max)) => Some(min.min(max)),
            (deadline, None) | (None, deadline) => deadline,
        }
    }

    /// Fires when a deadline has passed at `now`: clears both timers and says which fired.
    /// When both have passed, the earlier one is reported (the min timer on a tie).
    pub fn on_timeout(&mut self, now: Instant) -> Option<Fired> {
        let min_due = self.min_deadline.filter(|deadline| *deadline <= now);
        let max_due = self.max_deadline.filter(|deadline| *deadline <= now);
        let fired = match (min_due, max_due) {
            (None, None) => return None,
            _ if !self.is_debouncing() => Fired::Immediate,
            (Some(min), Some(max)) if max < min => Fired::Max,
            (Some(_), _) => Fired::Min,
            (None, Some(_)) => Fired::Max,
        };
        self.min_deadline = None;
        self.max_deadline = None;
        self.pending = false;
        Some(fired)
    }
}

/// Starts a thread that forwards one message per burst (the latest) from `input` to
/// `output`, following `wait`. Messages already queued are coalesced even without a wait.
/// The thread ends when `input` is disconnected (a pending burst is dropped, as in
/// docker-gen) or when `output`'s receiver is gone.
#[allow(dead_code)]
pub fn spawn<T: Clone + Send + 'static>(
    wait: Option<Wait>,
    input: Receiver<T>,
    output: Sender<T>,
) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("debounce".to_string())
        .spawn(move || {
            run(vec![Debouncer::new(wait)], input, |_, message| {
                output.send(message).is_ok()
            })
        })
}

/// Like [`spawn`] for several configs at once: every input message goes to one debouncer
/// per wait, and each burst end is forwarded as `(index of the wait, latest message)`.
#[allow(dead_code)]
pub fn spawn_many<T: Clone + Send + 'static>(
    waits: Vec<Option<Wait>>,
    input: Receiver<T>,
    output: Sender<(usize, T)>,
) -> std::io::Result<JoinHandle<()>> {
    let debouncers = waits.into_iter().map(Debouncer::new).collect();
    thread::Builder::new()
        .name("debounce".to_string())
        .spawn(move || {
            run(debouncers, input, |index, message| {
                output.send((index, message)).is_ok()
            })
        })
}

/// The thread's loop: wait for the next message or the earliest deadline, feed the
/// debouncers, emit what fired. `emit` returns false when nobody listens any more.
pub fn run<T: Clone>(
    mut debouncers: Vec<Debouncer>,
    input: Receiver<T>,
    mut emit: impl FnMut(usize, T) -> bool,
) {
    // Every debouncer sees every message, so the latest message overall is the latest of
    // any pending burst.
    let mut latest: Option<T> = None;
    loop {
        let deadline = debouncers.iter().filter_map(Debouncer::next_deadline).min();
        let received = match deadline {
            None => input.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(deadline) => {
                input.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            }
        };
        match received {
            Ok(message) => {
                let now = Instant::now();
                latest = Some(message);
                // Coalesce what is already queued: it arrived at the same moment for us.
                while let Ok(message) = input.try_recv() {
                    latest = Some(message);
                }
                for debouncer in &mut debouncers {
                    debouncer.on_event(now);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        for (index, debouncer) in debouncers.iter_mut().enumerate() {
            let Some(fired) = debouncer.on_timeout(now) else {
                continue;
            };
            match fired {
                Fired::Min => log!("Debounce minTimer fired"),
                Fired::Max => log!("Debounce maxTimer fired"),
                Fired::Immediate => {}
            }
            if let Some(message) = latest.clone() {
                if !emit(index, message) {
                    return;
                }
            }
        }
        if debouncers.iter().all(|debouncer| !debouncer.is_pending()) {
            latest = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn wait(min: u64, max: u64) -> Option<Wait> {
        Some(Wait {
            min: Duration::from_millis(min),
            max: Duration::from_millis(max),
        })
    }

    /// Feeds events at the given millisecond offsets and steps through every deadline,
    /// returning the fire times in milliseconds.
    fn simulate(wait: Option<Wait>, events: &[u64], until: u64) -> Vec<(u64, Fired)> {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut debouncer = Debouncer::new(wait);
        let mut fires = Vec::new();
        let mut events = events.iter().copied().peekable();
        loop {
            let next_event = events.peek().copied().map(at);
            let next_deadline = debouncer.next_deadline();
            // Deadlines strictly before the next event fire first (an event at the very
            // moment of a deadline is taken first, then the deadline fires).
            match (next_event, next_deadline) {
                (Some(event), deadline) if deadline.is_none_or(|deadline| event <= deadline) => {
                    events.next();
                    debouncer.on_event(event);
                    if let Some(fired) = debouncer.on_timeout(event) {
                        fires.push(((event - start).as_millis() as u64, fired));
                    }
                }
                (_, Some(deadline)) if deadline <= at(until) => {
                    // Nothing fires before its deadline.
                    let just_before = deadline - Duration::from_nanos(1);
                    assert_eq!(debouncer.on_timeout(just_before), None);
                    let fired = debouncer
                        .on_timeout(deadline)
                        .expect("fires at its deadline");
                    fires.push(((deadline - start).as_millis() as u64, fired));
                }
                _ => return fires,
            }
        }
    }

    #[test]
    fn one_fire_min_after_the_last_event() {
        // spec §5.6: Min=200ms/Max=1s, events at 0/150/300ms ⇒ one fire at 500ms.
        assert_eq!(
            simulate(wait(200, 1000), &[0, 150, 300], 5000),
            vec![(500, Fired::Min)]
        );
    }

    #[test]
    fn max_fires_during_a_long_burst() {
        // spec §5.6: Min=200ms/Max=250ms, events at 0/150/300ms ⇒ fires at 250ms and 500ms.
        assert_eq!(
            simulate(wait(200, 250), &[0, 150, 300], 5000),
            vec![(250, Fired::Max), (500, Fired::Min)]
        );
    }

    #[test]
    fn the_four_configs_of_the_events_scenario() {
        // spec §7.3 at the state-machine level: events at 0/150/300 ms.
        let events = [0, 150, 300];
        // #1 watch, wait 0: one render per event.
        let immediate = vec![
            (0, Fired::Immediate),
            (150, Fired::Immediate),
            (300, Fired::Immediate),
        ];
        assert_eq!(simulate(wait(0, 0), &events, 5000), immediate);
        assert_eq!(simulate(None, &events, 5000), immediate);
        // #2 wait 200ms:250ms: max at 250 ms, min at 500 ms.
        assert_eq!(
            simulate(wait(200, 250), &events, 5000),
            vec![(250, Fired::Max), (500, Fired::Min)]
        );
        // #3 wait 250ms:1s: one min fire at 550 ms.
        assert_eq!(
            simulate(wait(250, 1000), &events, 5000),
            vec![(550, Fired::Min)]
        );
    }

    #[test]
    fn no_wait_fires_every_event_at_once() {
        let now = Instant::now();
        let mut debouncer = Debouncer::new(None);
        assert!(!debouncer.is_debouncing());
        assert_eq!(debouncer.next_deadline(), None);
        assert_eq!(debouncer.on_timeout(now), None);
        debouncer.on_event(now);
        assert_eq!(debouncer.next_deadline(), Some(now));
        assert_eq!(debouncer.on_timeout(now), Some(Fired::Immediate));
        assert!(!debouncer.is_pending());
        assert_eq!(debouncer.next_deadline(), None);
    }

    #[test]
    fn zero_minimum_disables_the_maximum_too() {
        let now = Instant::now();
        let mut debouncer = Debouncer::new(wait(0, 1000));
        debouncer.on_event(now);
        assert_eq!(debouncer.on_timeout(now), Some(Fired::Immediate));
    }

    #[test]
    fn deadlines_restart_and_clear() {
        let start = Instant::now();
        let ms = |n: u64| start + Duration::from_millis(n);
        let mut debouncer = Debouncer::new(wait(100, 300));
        debouncer.on_event(ms(0));
        assert_eq!(debouncer.next_deadline(), Some(ms(100)));
        debouncer.on_event(ms(90));
        assert_eq!(debouncer.next_deadline(), Some(ms(190)));
        assert_eq!(debouncer.on_timeout(ms(100)), None);
        debouncer.on_event(ms(250));
        // min would be 350, max stays at 300 from the first event.
        assert_eq!(debouncer.next_deadline(), Some(ms(300)));
        // Both passed: the earlier (max) is reported and both are cleared.
        assert_eq!(debouncer.on_timeout(ms(400)), Some(Fired::Max));
        assert_eq!(debouncer.next_deadline(), None);
        assert_eq!(debouncer.on_timeout(ms(1000)), None);
        // A new burst starts a new max timer.
        debouncer.on_event(ms(1000));
        assert_eq!(debouncer.max_deadline, Some(ms(1300)));
    }

    #[test]
    fn thread_forwards_the_latest_message_of_a_burst() {
        let (input, input_receiver) = mpsc::channel();
        let (output_sender, output) = mpsc::channel();
        // A minimum wide enough that a busy machine still sends the burst within it.
        let handle = spawn(wait(100, 2000), input_receiver, output_sender).expect("spawn");
        for n in 0..5 {
            input.send(n).expect("send");
        }
        assert_eq!(output.recv_timeout(Duration::from_secs(5)), Ok(4));
        input.send(10).expect("send");
        assert_eq!(output.recv_timeout(Duration::from_secs(5)), Ok(10));
        drop(input);
        handle.join().expect("join");
        assert_eq!(output.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    }

    #[test]
    fn thread_without_wait_coalesces_only_what_is_queued() {
        let (input, input_receiver) = mpsc::channel();
        let (output_sender, output) = mpsc::channel();
        for n in 0..3 {
            input.send(n).expect("send");
        }
        let handle = spawn(None, input_receiver, output_sender).expect("spawn");
        assert_eq!(output.recv_timeout(Duration::from_secs(5)), Ok(2));
        input.send(7).expect("send");
        assert_eq!(output.recv_timeout(Duration::from_secs(5)), Ok(7));
        drop(input);
        handle.join().expect("join");
        assert_eq!(output.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    }

    #[test]
    fn thread_drops_a_pending_burst_on_disconnect() {
        let (input, input_receiver) = mpsc::channel();
        let (output_sender, output) = mpsc::channel::<u32>();
        let handle = spawn(wait(10_000, 40_000), input_receiver, output_sender).expect("spawn");
        input.send(1).expect("send");
        drop(input);
        handle.join().expect("join");
        assert_eq!(output.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    }

    #[test]
    fn thread_many_fires_each_config_on_its_own() {
        let (input, input_receiver) = mpsc::channel();
        let (output_sender, output) = mpsc::channel();
        let handle = spawn_many(
            vec![None, wait(20, 50), wait(40, 200)],
            input_receiver,
            output_sender,
        )
        .expect("spawn");
        input.send("a").expect("send");
        let mut fired = Vec::new();
        for _ in 0..3 {
            fired.push(
                output
                    .recv_timeout(Duration::from_secs(5))
                    .expect("a fire per config"),
            );
        }
        fired.sort();
        assert_eq!(fired, vec![(0, "a"), (1, "a"), (2, "a")]);
        drop(input);
        handle.join().expect("join");
        assert_eq!(output.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    }

    #[test]
    fn thread_stops_when_nobody_listens() {
        let (input, input_receiver) = mpsc::channel();
        let (output_sender, output) = mpsc::channel();
        let handle = spawn(None, input_receiver, output_sender).expect("spawn");
        drop(output);
        input.send(1).expect("send");
        handle.join().expect("join");
    }
}
