//! The journal store: per-key records, bounded, updated while responses are in flight.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::watch;

use crate::control::journal::{CaseJournal, ConnectionEnd, RequestRecord, UploadRecord};

/// Request headers whose values never leave the process: they carry credentials.
const REDACTED_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// `journal` with the values of credential headers replaced, for serving beyond the process.
pub fn redacted(mut journal: CaseJournal) -> CaseJournal {
    for r in journal
        .requests
        .iter_mut()
        .chain(journal.preflights.iter_mut())
    {
        for (name, value) in &mut r.headers {
            if REDACTED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                *value = "[redacted]".into();
            }
        }
    }
    journal
}

struct KeyState {
    journal: CaseJournal,
    in_flight: u64,
    // When the key was last touched (the store's use counter), for dropping the least recent.
    used: u64,
    // Body bytes written for the key over all its requests, as they go (not only every 256 KiB).
    bytes: Arc<watch::Sender<u64>>,
}

impl Default for KeyState {
    fn default() -> Self {
        KeyState {
            journal: CaseJournal::default(),
            in_flight: 0,
            used: 0,
            bytes: Arc::new(watch::Sender::new(0)),
        }
    }
}

/// Keys a store keeps by default before it drops the least recently used ones.
pub const DEFAULT_MAX_KEYS: usize = 20_000;

/// All journals of a server.
pub struct JournalStore {
    keys: Mutex<Keys>,
    limit: usize,
    max_keys: usize,
    started: Instant,
    shutting_down: AtomicBool,
}

/// The journals by key, with the counters that bound them across keys.
#[derive(Default)]
struct Keys {
    by_key: HashMap<String, KeyState>,
    clock: u64,
    dropped_keys: u64,
}

impl Keys {
    /// The state of `key`, made when new; marks it used. Past the key budget the least recently
    /// used tenth of the keys with nothing in flight is dropped at once, so the cost of keeping
    /// the budget is spread over many new keys.
    fn touch(&mut self, key: &str, max_keys: usize) -> &mut KeyState {
        self.clock += 1;
        if !self.by_key.contains_key(key) && self.by_key.len() >= max_keys.max(1) {
            let mut idle: Vec<(u64, String)> = self
                .by_key
                .iter()
                .filter(|(_, s)| s.in_flight == 0)
                .map(|(k, s)| (s.used, k.clone()))
                .collect();
            idle.sort_unstable();
            let drop_count = (max_keys / 10).max(1).min(idle.len());
            for (_, k) in idle.into_iter().take(drop_count) {
                self.by_key.remove(&k);
                self.dropped_keys += 1;
            }
        }
        let clock = self.clock;
        let state = self.by_key.entry(key.to_string()).or_default();
        state.used = clock;
        state
    }
}

impl JournalStore {
    /// An empty store keeping at most `limit` records per key and [`DEFAULT_MAX_KEYS`] keys.
    pub fn new(limit: usize) -> Arc<JournalStore> {
        JournalStore::with_max_keys(limit, DEFAULT_MAX_KEYS)
    }

    /// An empty store keeping at most `limit` records per key and `max_keys` keys; past that,
    /// the least recently used keys are dropped and counted ([`JournalStore::dropped_keys`]).
    pub fn with_max_keys(limit: usize, max_keys: usize) -> Arc<JournalStore> {
        Arc::new(JournalStore {
            keys: Mutex::new(Keys::default()),
            limit,
            max_keys,
            started: Instant::now(),
            shutting_down: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Keys> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many keys have a journal now.
    pub fn key_count(&self) -> usize {
        self.lock().by_key.len()
    }

    /// How many keys were dropped to keep the store within its key budget.
    pub fn dropped_keys(&self) -> u64 {
        self.lock().dropped_keys
    }

    /// Milliseconds since the server started.
    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// A copy of the journal of `key` (empty when nothing was seen).
    pub fn get(&self, key: &str) -> CaseJournal {
        self.lock()
            .by_key
            .get(key)
            .map(|k| k.journal.clone())
            .unwrap_or_default()
    }

    /// Watch the body bytes written for `key` over all its requests; the value only grows.
    /// Watching a key before any request arrives is fine: the count starts at 0.
    pub fn bytes_sent_watch(&self, key: &str) -> watch::Receiver<u64> {
        self.lock().touch(key, self.max_keys).bytes.subscribe()
    }

    /// Forget everything recorded for `key`.
    pub fn forget(&self, key: &str) {
        self.lock().by_key.remove(key);
    }

    /// Count one more connection for `key`.
    pub fn count_connection(&self, key: &str) {
        self.lock().touch(key, self.max_keys).journal.connections += 1;
    }

    /// Mark the server as stopping: requests cut short from now on end as `open`.
    pub fn shutting_down(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Start recording a request.
    pub fn begin(self: &Arc<Self>, key: &str, record: RequestRecord) -> RequestGuard {
        self.begin_in(key, record, false)
    }

    /// Start recording a CORS preflight: kept apart from the requests, never in flight.
    pub fn begin_preflight(self: &Arc<Self>, key: &str, record: RequestRecord) -> RequestGuard {
        self.begin_in(key, record, true)
    }

    fn begin_in(
        self: &Arc<Self>,
        key: &str,
        record: RequestRecord,
        preflight: bool,
    ) -> RequestGuard {
        let mut keys = self.lock();
        let state = keys.touch(key, self.max_keys);
        if !preflight {
            state.in_flight += 1;
            state.journal.max_in_flight = state.journal.max_in_flight.max(state.in_flight);
        }
        let list = records(&mut state.journal, preflight);
        let index = if list.len() < self.limit {
            list.push(record);
            Some(list.len() - 1)
        } else {
            state.journal.dropped += 1;
            None
        };
        RequestGuard {
            store: self.clone(),
            key: key.to_string(),
            preflight,
            index,
            started: Instant::now(),
            finished: false,
            bytes: Arc::clone(&state.bytes),
            counted: AtomicU64::new(0),
        }
    }
}

/// The list a record goes to: the requests, or the preflights.
fn records(journal: &mut CaseJournal, preflight: bool) -> &mut Vec<RequestRecord> {
    if preflight {
        &mut journal.preflights
    } else {
        &mut journal.requests
    }
}

/// A handle that can still update a record after its guard moved on.
#[derive(Clone)]
pub struct RecordHandle {
    store: Arc<JournalStore>,
    key: String,
    index: Option<usize>,
}

impl RecordHandle {
    /// Fill in the body digest once it is known.
    pub fn body_sha256(&self, sha256: String) {
        let Some(i) = self.index else { return };
        let mut keys = self.store.lock();
        if let Some(rec) = keys
            .by_key
            .get_mut(&self.key)
            .and_then(|k| k.journal.requests.get_mut(i))
        {
            rec.body_sha256 = Some(sha256);
        }
    }
}

/// A request being recorded; finishing it (or dropping it) writes how it ended.
pub struct RequestGuard {
    store: Arc<JournalStore>,
    key: String,
    // A preflight's record is in `preflights` and was never counted in flight.
    preflight: bool,
    index: Option<usize>,
    started: Instant,
    finished: bool,
    bytes: Arc<watch::Sender<u64>>,
    // How much of this response is already in the key's byte count.
    counted: AtomicU64,
}

impl RequestGuard {
    fn with(&self, f: impl FnOnce(&mut RequestRecord)) {
        let Some(i) = self.index else { return };
        let mut keys = self.store.lock();
        if let Some(rec) = keys
            .by_key
            .get_mut(&self.key)
            .and_then(|k| records(&mut k.journal, self.preflight).get_mut(i))
        {
            f(rec);
        }
    }

    /// A handle to this record for updates that come later (requests only: a preflight has
    /// no body to hash).
    pub fn handle(&self) -> RecordHandle {
        RecordHandle {
            store: self.store.clone(),
            key: self.key.clone(),
            index: if self.preflight { None } else { self.index },
        }
    }

    /// The response status sent.
    pub fn status(&self, status: u16) {
        self.with(|r| r.status = status);
    }

    /// The body the server means to send, announced up front.
    pub fn body(&self, len: Option<u64>, sha256: Option<String>) {
        self.with(|r| {
            r.body_len = len;
            // A digest computed in the background may have arrived first.
            if sha256.is_some() {
                r.body_sha256 = sha256;
            }
        });
    }

    /// Body bytes written so far.
    pub fn bytes_sent(&self, n: u64) {
        self.sending(n);
        self.with(|r| r.bytes_sent = n);
    }

    /// Body bytes written so far, for the key's byte count only: cheap enough for every write
    /// (no journal lock), so that "after N bytes" triggers see the count as it grows.
    pub fn sending(&self, n: u64) {
        let before = self.counted.fetch_max(n, Ordering::Relaxed);
        if n > before {
            self.bytes.send_modify(|total| *total += n - before);
        }
    }

    /// The upload the receiver parsed.
    pub fn upload(&self, upload: UploadRecord) {
        self.with(|r| r.upload = Some(upload));
    }

    /// Record how the response ended; later calls are ignored.
    pub fn finish(&mut self, end: ConnectionEnd) {
        if self.finished {
            return;
        }
        self.finished = true;
        let duration = self.started.elapsed().as_millis() as u64;
        let mut keys = self.store.lock();
        if let Some(state) = keys.by_key.get_mut(&self.key) {
            if !self.preflight {
                state.in_flight = state.in_flight.saturating_sub(1);
            }
            if let Some(rec) = self
                .index
                .and_then(|i| records(&mut state.journal, self.preflight).get_mut(i))
            {
                rec.end = end;
                rec.duration_ms = duration;
            }
        }
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        let end = if self.store.shutting_down.load(Ordering::SeqCst) {
            ConnectionEnd::Open
        } else {
            ConnectionEnd::ClientAbort
        };
        self.finish(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(headers: Vec<(String, String)>) -> RequestRecord {
        RequestRecord {
            method: "GET".into(),
            path: "/f/a".into(),
            listener: "http".into(),
            version: "HTTP/1.1".into(),
            headers,
            status: 200,
            body_len: None,
            body_sha256: None,
            bytes_sent: 0,
            end: ConnectionEnd::Complete,
            upload: None,
            at_ms: 0,
            duration_ms: 0,
        }
    }

    #[test]
    fn credentials_are_redacted_and_other_headers_kept() {
        let store = JournalStore::new(10);
        let record = record(vec![
            ("authorization".into(), "Bearer t-secret".into()),
            ("Cookie".into(), "sid=secret".into()),
            ("user-agent".into(), "ua".into()),
        ]);
        drop(store.begin("k", record));
        let out = redacted(store.get("k"));
        let headers = &out.requests[0].headers;
        assert_eq!(headers[0].1, "[redacted]");
        assert_eq!(headers[1].1, "[redacted]");
        assert_eq!(headers[2].1, "ua");
        assert!(!serde_json::to_string(&out).unwrap().contains("secret"));
    }

    #[test]
    fn distinct_keys_stay_within_the_budget_and_the_dropped_are_counted() {
        let store = JournalStore::with_max_keys(10, 1000);
        let busy = store.begin("busy", record(Vec::new()));
        for i in 0..200_000 {
            store.count_connection(&format!("k{i}"));
            if i % 100 == 0 {
                // A key in use now and then is never the least recently used.
                store.count_connection("recent");
            }
        }
        assert!(store.key_count() <= 1000, "{} keys kept", store.key_count());
        assert_eq!(
            store.dropped_keys() as usize + store.key_count(),
            200_000 + 2,
            "every key is either kept or counted as dropped"
        );
        // A key with a request in flight is never dropped; a recently used one survives.
        assert_eq!(store.get("busy").requests.len(), 1);
        assert!(store.get("recent").connections > 0);
        drop(busy);
    }
}
