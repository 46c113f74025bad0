//! `--partition k/n`: parsing, exact cover, stability, balance over the real specs.

use std::path::Path;

use dlconform::partition::{Partition, PartitionError, bucket};
use proptest::prelude::*;
use rstest::rstest;

#[rstest]
#[case("1/1", 1, 1)]
#[case("2/3", 2, 3)]
#[case("3/3", 3, 3)]
#[case(" 4/7 ", 4, 7)]
fn parses_k_of_n(#[case] text: &str, #[case] index: u32, #[case] count: u32) {
    assert_eq!(Partition::parse(text), Partition::new(index, count));
    let partition = text.parse::<Partition>();
    assert_eq!(
        partition.map(|p| (p.index(), p.count(), p.to_string())),
        Ok((index, count, format!("{index}/{count}")))
    );
}

#[rstest]
#[case("0/3", "partition `0/3`: partitions are numbered from 1")]
#[case("4/3", "partition `4/3`: partition 4 does not exist, there are only 3")]
#[case("1/0", "partition `1/0`: the number of partitions must be at least 1")]
#[case("x/y", "partition `x/y`: `x` is not a whole number")]
#[case("2/y", "partition `2/y`: `y` is not a whole number")]
#[case("-1/3", "partition `-1/3`: `-1` is not a whole number")]
#[case("2", "partition `2` is not of the form k/n (e.g. 2/3)")]
#[case("", "partition `` is not of the form k/n (e.g. 2/3)")]
#[case("1/2/3", "partition `1/2/3`: `2/3` is not a whole number")]
fn rejects_bad_values_clearly(#[case] text: &str, #[case] message: &str) {
    match Partition::parse(text) {
        Ok(p) => panic!("{text} parsed as {p}"),
        Err(err) => assert_eq!(err.to_string(), message),
    }
}

#[test]
fn new_checks_bounds_like_parse() {
    assert!(matches!(
        Partition::new(0, 2),
        Err(PartitionError::ZeroIndex(_))
    ));
    assert!(matches!(
        Partition::new(3, 2),
        Err(PartitionError::IndexTooLarge {
            index: 3,
            count: 2,
            ..
        })
    ));
    assert!(matches!(
        Partition::new(1, 0),
        Err(PartitionError::ZeroCount(_))
    ));
    assert_eq!(Partition::default(), Partition::WHOLE);
}

/// Pinned assignments: a change of hash (and so of every CI shard) shows up here. The values
/// come from outside the crate: `int.from_bytes(hashlib.sha256(id).digest()[:8], "big") % n`.
#[rstest]
#[case("douyin/download/timeout/headers-late", 4, 1)]
#[case("feishu-openapi/file-get/ok", 5, 0)]
#[case("wechat/download/basic", 3, 2)]
#[case("baidu/upload/multipart/fields", 5, 2)]
fn assignment_is_pinned(#[case] id: &str, #[case] pinned_mod_8: u32, #[case] pinned_mod_3: u32) {
    assert_eq!(bucket(id, 8), pinned_mod_8, "{id}");
    assert_eq!(bucket(id, 3), pinned_mod_3, "{id}");
    let owner = Partition::new(pinned_mod_8 + 1, 8).map(|p| p.contains(id));
    assert_eq!(owner, Ok(true));
}

#[test]
fn split_keeps_order_and_uses_the_id() {
    let items: Vec<(String, usize)> = (0..50)
        .map(|i| (format!("douyin/download/case-{i}"), i))
        .collect();
    let mut seen = Vec::new();
    for k in 1..=3 {
        let Ok(part) = Partition::new(k, 3) else {
            panic!("valid partition")
        };
        let chosen = part.split(&items, |item| item.0.as_str());
        let order: Vec<usize> = chosen.iter().map(|item| item.1).collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted, "split keeps the input order");
        assert!(chosen.iter().all(|item| part.contains(&item.0)));
        seen.extend(order);
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..50).collect::<Vec<_>>());
}

proptest! {
    /// Every id lands in exactly one of the n parts.
    #[test]
    fn every_case_in_exactly_one_part(
        ids in prop::collection::hash_set("[a-z-]{1,10}(/[a-z0-9-]{1,10}){0,4}", 0..60),
        n in 1u32..8,
    ) {
        let parts: Vec<Partition> = (1..=n).filter_map(|k| Partition::new(k, n).ok()).collect();
        prop_assert_eq!(parts.len() as u32, n);
        for id in &ids {
            let owners = parts.iter().filter(|p| p.contains(id)).count();
            prop_assert_eq!(owners, 1, "{}", id);
        }
        let ids: Vec<&String> = ids.iter().collect();
        let total: usize = parts.iter().map(|p| p.split(&ids, |s| s.as_str()).len()).sum();
        prop_assert_eq!(total, ids.len());
    }

    /// The same id always gets the same part.
    #[test]
    fn same_id_same_part(id in "\\PC{0,40}", n in 1u32..8) {
        prop_assert_eq!(bucket(&id, n), bucket(&id.clone(), n));
        prop_assert!(bucket(&id, n) < n);
    }
}

/// Full ids of every case in the repository's specs.
fn real_case_ids() -> Vec<String> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut ids = Vec::new();
    let Ok(dir) = std::fs::read_dir(&specs) else {
        panic!("no specs folder at {}", specs.display())
    };
    let mut paths: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    for path in paths {
        let spec = match dlconform::spec::load_spec_file(&path) {
            Ok(spec) => spec,
            Err(err) => panic!("{err}"),
        };
        ids.extend(
            spec.cases
                .iter()
                .map(|case| format!("{}/{}", spec.platform.name(), case.id)),
        );
    }
    ids
}

#[test]
fn real_cases_are_reasonably_balanced() {
    let ids = real_case_ids();
    assert!(
        ids.len() >= 100,
        "expected the real specs, found {} cases",
        ids.len()
    );
    for n in 2..=6u32 {
        let sizes: Vec<usize> = (1..=n)
            .filter_map(|k| Partition::new(k, n).ok())
            .map(|p| p.split(&ids, |s| s.as_str()).len())
            .collect();
        let mean = ids.len() as f64 / f64::from(n);
        for size in &sizes {
            // Within 30% of the mean: a hash that clumps ids (e.g. by platform prefix) fails this.
            assert!(
                (*size as f64 - mean).abs() <= 0.3 * mean,
                "n={n}: sizes {sizes:?}, mean {mean:.1}"
            );
        }
        eprintln!("n={n}: {sizes:?}");
    }
}
