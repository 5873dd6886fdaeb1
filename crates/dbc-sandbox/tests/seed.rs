//! The seed encodes against the real spec-400 metadata (no chain needed).

use dbc_sandbox::seed::{self, SeedConfig};
use dbc_sandbox::{js::JsEnv, metadata, spec};
use std::path::PathBuf;

async fn runtime_metadata() -> metadata::RuntimeMetadata {
    let js = JsEnv::locate(None).expect("node + chopsticks (make sandbox-deps)");
    let src = spec::resolve(&spec::SpecSources::new(
        None,
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spec-cache.json"),
    ))
    .await
    .expect("chain spec");
    let s = spec::Spec::read(&src.path).unwrap();
    // The same cache the network tests use (tests/common).
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("sandbox-cache")
        .join(format!("metadata-{}.scale", s.code_sha256().unwrap()));
    metadata::load(&js, &src.path, &cache).await.expect("metadata")
}

#[tokio::test]
async fn seed_encodes_and_decodes_back() {
    let md = runtime_metadata().await;
    let t = std::time::Instant::now();
    let s = seed::build(&md.metadata, &SeedConfig::default(), 0).expect("seed builds");
    eprintln!("60 machines: {:?}, {:?}", t.elapsed(), s.summary);
    assert_eq!(s.summary.machines, 60);
    // Pinned: the seed is deterministic (fixed RNG seed, rand locked in Cargo.lock).
    // If this changes on purpose, bump seed::SEED_VERSION and update the numbers.
    let got = (
        s.summary.idle,
        s.summary.partly_rented,
        s.summary.fully_rented,
        s.summary.offline,
        s.summary.exited,
        s.summary.orders,
        s.summary.waiting_orders,
    );
    assert_eq!(got, (21, 10, 15, 7, 7, 33, 6), "the default seed changed");
    for n in [s.summary.idle, s.summary.partly_rented, s.summary.fully_rented, s.summary.offline, s.summary.exited] {
        assert!(n > 0, "{:?}", s.summary);
    }
    // Decode one MachinesInfo back through the metadata.
    let w = seed::encode::StorageWriter::new(&md.metadata);
    let m = &s.machines[1];
    let key = w.key("OnlineProfile", "MachinesInfo", vec![seed::encode::bytes(m.id.as_bytes())]).unwrap();
    let (_, value) = s.entries.iter().find(|(k, _)| *k == key).expect("machine 1 is seeded");
    use subxt::ext::frame_decode::storage::StorageTypeInfo;
    let info = md.metadata.storage_info("OnlineProfile", "MachinesInfo").unwrap();
    let v = scale_value::scale::decode_as_type(&mut &value[..], info.value_id, md.metadata.types()).unwrap();
    let text = v.to_string();
    eprintln!("{text}");
    assert!(text.contains("Rented"), "{text}");

    let t = std::time::Instant::now();
    let big = seed::build(&md.metadata, &SeedConfig { machines: 2000, ..SeedConfig::default() }, 0).unwrap();
    eprintln!("2000 machines: {:?}, {:?}", t.elapsed(), big.summary);
    assert_eq!(big.summary.machines, 2000);
}
