//! The background checkpointer: a thread with its own connection that copies
//! the WAL back into the database file every few seconds (PASSIVE: it never
//! blocks the interactive connection's readers or writer). Without it SQLite
//! checkpoints inside whichever command crosses the WAL threshold, and that
//! command stalls (measured: 100–180 ms on 100k participants). The same thread
//! fills the audit trail's per-person side index (`audit::index_subjects`).

use crate::open::{establish, establish_keyed, StoreKey};
use diesel::connection::SimpleConnection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

/// Side-index batches per checkpoint period at most (catching up 100,000
/// entries takes a few periods, never a long lock).
const MAX_BATCHES_PER_TICK: usize = 400;
/// The pause between two batches, for the window's commands.
const BETWEEN_BATCHES: Duration = Duration::from_millis(2);

/// How long the store must have been free of commands before the side index
/// takes a batch: background work waits for a quiet moment instead of making
/// a command wait on its lock (issue 13).
const QUIET: Duration = Duration::from_millis(20);

/// Commands running now (through `gate::run`) and when the last one ended,
/// in milliseconds since `epoch()`. Process-wide: the app and the server each
/// hold one store; in tests a busy store only delays another's side index.
static FOREGROUND_ACTIVE: AtomicUsize = AtomicUsize::new(0);
static FOREGROUND_LAST_END: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Marks a command in progress while it lives (`gate::run` holds one).
pub(crate) struct Foreground(());

pub(crate) fn foreground() -> Foreground {
    epoch();
    FOREGROUND_ACTIVE.fetch_add(1, Ordering::SeqCst);
    Foreground(())
}

impl Drop for Foreground {
    fn drop(&mut self) {
        let now = epoch().elapsed().as_millis() as u64;
        FOREGROUND_LAST_END.store(now, Ordering::SeqCst);
        FOREGROUND_ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// No command runs and none ended in the last `QUIET`.
fn quiet() -> bool {
    let now = epoch().elapsed().as_millis() as u64;
    FOREGROUND_ACTIVE.load(Ordering::SeqCst) == 0
        && now.saturating_sub(FOREGROUND_LAST_END.load(Ordering::SeqCst))
            >= QUIET.as_millis() as u64
}

pub struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    pauses: Arc<Pauses>,
}

/// How many holders want the checkpointer idle, and the lock it holds while
/// it works (a pause waits for the work in progress to end).
#[derive(Default)]
struct Pauses {
    count: AtomicUsize,
    working: Mutex<()>,
}

/// While it lives, the background checkpointer does nothing (the deep check
/// of an erasure reads the database file page by page meanwhile).
pub struct Paused {
    pauses: Arc<Pauses>,
}

impl Drop for Paused {
    fn drop(&mut self) {
        self.pauses.count.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Checkpointer {
    /// Pauses the checkpointer until the returned guard is dropped; waits for
    /// the work it is doing, if any, to end.
    pub fn pause(&self) -> Paused {
        self.pauses.count.fetch_add(1, Ordering::SeqCst);
        drop(self.pauses.working.lock());
        Paused {
            pauses: Arc::clone(&self.pauses),
        }
    }

    pub(crate) fn start(path: PathBuf, key: Option<StoreKey>, every: Duration) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let pauses = Arc::new(Pauses::default());
        let thread_pauses = Arc::clone(&pauses);
        let thread = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                let connected = match &key {
                    Some(key) => establish_keyed(&path, key),
                    None => establish(&path),
                };
                let Ok(mut conn) = connected else {
                    tracing::warn!("checkpointer could not open its connection");
                    return;
                };
                // The window's commands come first: when one holds the write
                // lock, this thread gives up its turn quickly instead of queueing.
                let _ = conn.batch_execute("PRAGMA busy_timeout = 50;");
                // Stops when the owner sends a message or drops the sender.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    let _working = thread_pauses.working.lock();
                    if thread_pauses.count.load(Ordering::SeqCst) > 0 {
                        continue;
                    }
                    // The DPO's per-person index of the trail, off the command
                    // path, in small batches with a pause between them so the
                    // window's commands take the lock in between (issue 13).
                    for _ in 0..MAX_BATCHES_PER_TICK {
                        // A command in progress or just ended: its next
                        // command likely follows; index at the next tick.
                        if thread_pauses.count.load(Ordering::SeqCst) > 0 || !quiet() {
                            break;
                        }
                        match crate::audit::index_subjects(&mut conn, crate::audit::SUBJECT_BATCH) {
                            Ok(0) => break,
                            Ok(_) => std::thread::sleep(BETWEEN_BATCHES),
                            Err(error) => {
                                tracing::debug!(%error, "audit subject indexing skipped");
                                break;
                            }
                        }
                    }
                    if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                        tracing::debug!(%error, "background checkpoint skipped");
                    }
                }
            })
            .ok();
        Checkpointer {
            stop: Some(stop),
            thread,
            pauses,
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13: the side index never starts a batch while a command runs,
    /// nor right after one ended (the next command usually follows).
    #[test]
    fn dc_5_background_indexing_waits_while_a_command_runs_and_just_after() {
        let command = foreground();
        assert!(!quiet(), "a command in progress");
        drop(command);
        assert!(!quiet(), "a command ended less than {QUIET:?} ago");
    }
}
