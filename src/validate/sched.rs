//! The scheduler: sends each check once, at most `per_host` at a time to one host and one every
//! `interval` per host, backs off on HTTP 429 (`Retry-After`, else 1, 2, 4 s), and stops at the
//! global deadline: a check not answered by then is an `error`, never `dead`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::http::{Client, Request, Response};
use crate::findings::ValidationStatus;

/// How to judge an answer.
pub(crate) trait Judge: Send + Sync {
    /// The verdict and a one-line detail.
    fn judge(&self, resp: &Response) -> (ValidationStatus, String);
    /// A request to send after the answer (best effort; its answer is ignored).
    fn follow_up(&self, resp: &Response) -> Option<Request>;
}

/// One check to run.
pub(crate) struct Job<'a> {
    /// Cache key (see `super::cache_key`).
    pub key: String,
    pub request: Request,
    pub judge: Box<dyn Judge + 'a>,
}

/// Limits of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub threads: usize,
    pub per_host: usize,
    pub interval: Duration,
    pub request_timeout: Duration,
    pub deadline: Instant,
    pub max_retries: u32,
}

struct HostQ<'a> {
    queue: VecDeque<(Job<'a>, u32)>,
    in_flight: usize,
    not_before: Instant,
}

struct State<'a> {
    hosts: BTreeMap<String, HostQ<'a>>,
    pending: usize,
    results: Vec<(String, ValidationStatus, String)>,
    sent: usize,
}

/// What a run produced: `(key, status, detail)` per job, and the number of requests sent.
pub(crate) struct Outcome {
    pub results: Vec<(String, ValidationStatus, String)>,
    pub sent: usize,
}

fn shown_host(url: &str) -> &str {
    let h = super::http::host_of(url);
    h.split_once("://").map_or(h, |(_, h)| h)
}

/// Runs `jobs` with `client` under `limits`.
pub(crate) fn run(jobs: Vec<Job<'_>>, client: &Client, limits: &Limits) -> Outcome {
    let now = Instant::now();
    let mut hosts: BTreeMap<String, HostQ<'_>> = BTreeMap::new();
    let pending = jobs.len();
    for j in jobs {
        hosts
            .entry(j.request.host().to_string())
            .or_insert_with(|| HostQ {
                queue: VecDeque::new(),
                in_flight: 0,
                not_before: now,
            })
            .queue
            .push_back((j, 0));
    }
    let state = Mutex::new(State {
        hosts,
        pending,
        results: Vec::with_capacity(pending),
        sent: 0,
    });
    let cv = Condvar::new();
    let workers = limits.threads.clamp(1, pending.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| worker(&state, &cv, client, limits));
        }
    });
    let st = state
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Outcome {
        results: st.results,
        sent: st.sent,
    }
}

fn lock<'s, 'a>(m: &'s Mutex<State<'a>>) -> std::sync::MutexGuard<'s, State<'a>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn worker(state: &Mutex<State<'_>>, cv: &Condvar, client: &Client, limits: &Limits) {
    loop {
        let mut st = lock(state);
        let (host, job, tries) = loop {
            if st.pending == 0 {
                cv.notify_all();
                return;
            }
            let now = Instant::now();
            if now >= limits.deadline {
                let mut late = Vec::new();
                for q in st.hosts.values_mut() {
                    late.extend(q.queue.drain(..));
                }
                for (j, _) in late {
                    let host = shown_host(&j.request.url).to_string();
                    st.results.push((
                        j.key.clone(),
                        ValidationStatus::Error,
                        format!("{host}: not checked before the global validation timeout"),
                    ));
                    st.pending -= 1;
                }
                cv.notify_all();
                if st.pending == 0 {
                    return;
                }
                st = cv
                    .wait_timeout(st, Duration::from_millis(50))
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
                continue;
            }
            let ready = st
                .hosts
                .iter()
                .find(|(_, q)| !q.queue.is_empty() && q.in_flight < limits.per_host && q.not_before <= now)
                .map(|(h, _)| h.clone());
            if let Some(h) = ready {
                let q = st.hosts.get_mut(&h).expect("found above");
                let (job, tries) = q.queue.pop_front().expect("not empty");
                q.in_flight += 1;
                q.not_before = now + limits.interval;
                st.sent += 1;
                break (h, job, tries);
            }
            let wake = st
                .hosts
                .values()
                .filter(|q| !q.queue.is_empty() && q.in_flight < limits.per_host)
                .map(|q| q.not_before)
                .min()
                .unwrap_or(limits.deadline)
                .min(limits.deadline);
            let wait = wake.saturating_duration_since(now).max(Duration::from_millis(1));
            st = cv
                .wait_timeout(st, wait)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        };
        drop(st);
        let shown = shown_host(&job.request.url).to_string();
        let left = limits.deadline.saturating_duration_since(Instant::now());
        let timeout = limits.request_timeout.min(left).max(Duration::from_millis(1));
        let answer = client.send(&job.request, timeout);
        let mut requeue = None;
        let verdict = match &answer {
            Err(reason) => (ValidationStatus::Error, format!("{shown}: {reason}")),
            Ok(resp) if resp.status == 429 => {
                let delay = Duration::from_secs(resp.retry_after.unwrap_or(1 << tries.min(4)).min(30));
                if tries < limits.max_retries && Instant::now() + delay < limits.deadline {
                    requeue = Some(delay);
                }
                (
                    ValidationStatus::Error,
                    format!("{shown}: rate limited (HTTP 429)"),
                )
            }
            Ok(resp) => {
                let (status, detail) = job.judge.judge(resp);
                if let Some(f) = job.judge.follow_up(resp) {
                    let _ = client.send(&f, timeout);
                }
                (status, format!("{shown}: {detail}"))
            }
        };
        let mut st = lock(state);
        let q = st.hosts.get_mut(&host).expect("host of a running job");
        q.in_flight -= 1;
        if let Some(delay) = requeue {
            q.not_before = Instant::now() + delay;
            q.queue.push_front((job, tries + 1));
        } else {
            st.results.push((job.key.clone(), verdict.0, verdict.1));
            st.pending -= 1;
        }
        cv.notify_all();
    }
}
