//! Transfer slots per platform: the calls of all running cases of a platform stay within the
//! concurrency limit its spec documents.
//!
//! A candidate is one app: a platform that allows N downloads at once queues the rest across
//! every call it is given. Cases of one platform running side by side would then wait behind one
//! another inside the candidate, and their timeouts and timings would measure that wait. Holding
//! the slots in the runner instead keeps each case alone with its own calls, whatever `--jobs`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::plan::PlannedCase;

/// The slots of every platform with a documented concurrency limit.
#[derive(Debug, Default)]
pub struct PlatformSlots {
    limits: HashMap<String, (u32, Arc<Semaphore>)>,
}

impl PlatformSlots {
    /// Slots for the platforms of `cases`, from their APIs' `limits.max_concurrency`.
    pub fn for_cases(cases: &[PlannedCase]) -> PlatformSlots {
        let mut limits = HashMap::new();
        for case in cases {
            let Some(limit) = case
                .api()
                .and_then(|api| api.limits.max_concurrency.as_ref())
            else {
                continue;
            };
            let value = u32::try_from(limit.value).unwrap_or(u32::MAX).max(1);
            limits
                .entry(slot_key(case))
                .or_insert_with(|| (value, Arc::new(Semaphore::new(value as usize))));
        }
        PlatformSlots { limits }
    }

    /// Wait until the case's calls fit within its platform's limit (a case with more calls than
    /// the limit takes every slot: its own calls are what it tests). `None` for platforms
    /// without a limit.
    pub async fn acquire(&self, case: &PlannedCase) -> Option<OwnedSemaphorePermit> {
        let (limit, slots) = self.limits.get(&slot_key(case))?;
        let wanted = case.case.call.count.clamp(1, *limit);
        Arc::clone(slots).acquire_many_owned(wanted).await.ok()
    }
}

/// Cases share slots per platform and API.
fn slot_key(case: &PlannedCase) -> String {
    format!("{}/{}", case.platform.name(), case.case.api)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::plan::expand;
    use crate::runner::specs::load;
    use std::time::Duration;

    fn cases(platform: &str) -> Vec<PlannedCase> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let files: Vec<_> = load(&[root], false)
            .expect("the project's specs load")
            .into_iter()
            .map(Arc::new)
            .collect();
        expand(&files)
            .into_iter()
            .filter(|c| c.platform.name() == platform)
            .collect()
    }

    #[tokio::test]
    async fn a_platform_limit_holds_across_cases() {
        let wechat = cases("wechat");
        let slots = PlatformSlots::for_cases(&wechat);
        let single = wechat
            .iter()
            .find(|c| c.case.call.count == 1)
            .expect("a one-call case");
        let many = wechat
            .iter()
            .find(|c| c.case.call.count > 10)
            .expect("the over-limit case");
        let mut held = Vec::new();
        for _ in 0..10 {
            held.push(slots.acquire(single).await.expect("wechat has a limit"));
        }
        let blocked = tokio::time::timeout(Duration::from_millis(50), slots.acquire(single)).await;
        assert!(blocked.is_err(), "an eleventh call waits");
        held.clear();
        let all = tokio::time::timeout(Duration::from_millis(50), slots.acquire(many)).await;
        assert!(
            all.is_ok(),
            "a case over the limit takes every slot, not more"
        );
    }

    #[tokio::test]
    async fn no_limit_no_wait() {
        let douyin = cases("douyin");
        let slots = PlatformSlots::for_cases(&douyin);
        assert!(slots.acquire(&douyin[0]).await.is_none());
    }
}
