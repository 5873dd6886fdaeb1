//! The Machine step in the real window, on the practice network: the list
//! shows the chain's machines (its counters equal what the chain says, read
//! independently here, for the idle filter and for every status), a GPU model
//! narrows it, sorting by price orders it, a row opens the detail panel, and
//! "Rent this" opens the Rent step with that machine. Screenshots of the list,
//! the detail panel and the Rent step in English and Chinese.

use dbc::market::{filter, Filter, SortKey};
use dbc_e2e::{has_cjk, start_on_practice, Session};
use std::path::Path;
use std::time::{Duration, Instant};

const PRACTICE_START: Duration = Duration::from_secs(150);
/// The list follows the chain block by block; a seeded order may end meanwhile.
const AGREE_WITHIN: Duration = Duration::from_secs(60);

/// Machines, GPUs and idle GPUs as the core counts them, read from the
/// practice chain the app started (its URL in `practice/state.json`).
async fn chain_counters(data: &Path, f: &Filter) -> (usize, u64, u64) {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("practice/state.json")).expect("practice/state.json")).unwrap();
    let url = state["chain"].as_str().expect("chain url").to_string();
    let (client, _) = dbc::chain::client::connect("practice", &url, None, Default::default(), None)
        .await
        .expect("connect to the practice chain");
    let market = dbc::market::load_all(&client).await.expect("load the market");
    let c = filter::counters(&filter::list(&market, f, SortKey::PricePerGpuHour));
    (c.machines, c.gpus, c.idle_gpus)
}

fn number(text: &str) -> u64 {
    text.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(u64::MAX)
}

async fn app_counters(s: &Session) -> (usize, u64, u64) {
    (
        number(&s.text("market-count-machines").await) as usize,
        number(&s.text("market-count-gpus").await),
        number(&s.text("market-count-idle-gpus").await),
    )
}

/// The app's counters equal the chain's (both re-read until they agree: a
/// block may land between the two reads).
async fn counters_agree(s: &Session, data: &Path, f: &Filter, what: &str) -> (usize, u64, u64) {
    let deadline = Instant::now() + AGREE_WITHIN;
    loop {
        let (app, chain) = (app_counters(s).await, chain_counters(data, f).await);
        if app == chain {
            return app;
        }
        assert!(Instant::now() < deadline, "[{what}] the app shows {app:?}, the chain has {chain:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The rows in the DOM (the virtualized window), top to bottom: (id, planck per GPU-hour, text).
async fn visible_rows(s: &Session) -> Vec<(String, Option<u128>, String)> {
    let v = s
        .client
        .execute(
            r#"const rows = Array.from(document.querySelectorAll('[data-testid^="machine-row-"]'));
               const top = (el) => Number((/translateY\((\d+)px\)/.exec(el.getAttribute('style') || '') || [0, 0])[1]);
               rows.sort((a, b) => top(a) - top(b));
               return rows.map((el) => {
                 const id = el.getAttribute('data-testid').slice('machine-row-'.length);
                 const price = el.querySelector('[data-testid="machine-price-' + id + '"]');
                 return [id, price ? price.getAttribute('data-planck') : '', el.textContent];
               });"#,
            vec![],
        )
        .await
        .expect("read the rows");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r[0].as_str().unwrap().to_string();
            let planck = r[1].as_str().filter(|p| !p.is_empty()).map(|p| p.parse().unwrap());
            (id, planck, r[2].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_filters_sorts_and_rents_from_the_chain() {
    let data = tempfile::tempdir().unwrap();
    let s = start_on_practice("market", "en_US.UTF-8", data.path(), PRACTICE_START).await;

    // The list from the chain (a fresh data dir has no cached copy).
    s.click("nav-machine").await;
    s.wait_for("market-live", Duration::from_secs(60)).await;
    assert!(!s.exists("market-cached").await, "read from the chain: not marked cached");
    assert_eq!(s.attr("market-filter-status", "value").await.as_deref(), Some("idle"), "idle is the default");
    let idle = counters_agree(&s, data.path(), &Filter { idle_only: true, ..Filter::default() }, "idle").await;
    assert!(idle.0 > 0 && idle.2 > 0, "{idle:?}");
    s.screenshot("list", "en").await;

    // Every status: all the seeded machines.
    s.select("market-filter-status", "all").await;
    let all = counters_agree(&s, data.path(), &Filter::default(), "all statuses").await;
    assert_eq!(all.0, 60, "the 60 seeded machines");
    assert!(all.0 > idle.0);
    s.select("market-filter-status", "idle").await;

    // A GPU model narrows the list, and only that model is listed.
    let model = s
        .client
        .execute("return Array.from(document.querySelector('[data-testid=\"market-filter-gpu\"]').options).map(o => o.value).filter(v => v)[0];", vec![])
        .await
        .unwrap()
        .as_str()
        .expect("a GPU model to choose")
        .to_string();
    s.select("market-filter-gpu", &model).await;
    let narrowed = counters_agree(
        &s,
        data.path(),
        &Filter { idle_only: true, gpu_model: Some(model.clone()), ..Filter::default() },
        "one model",
    )
    .await;
    assert!(narrowed.0 > 0 && narrowed.0 < idle.0, "{model}: {narrowed:?} of {idle:?}");
    for (id, _, text) in visible_rows(&s).await {
        assert!(text.contains(&model), "row {id} is not a {model}: {text}");
    }
    s.select("market-filter-gpu", "").await;

    // Sorted by price: cheapest per GPU-hour first, in the core's order.
    s.select("market-sort", "free").await;
    s.select("market-sort", "price").await;
    let rows = visible_rows(&s).await;
    assert!(rows.len() >= 5, "{rows:?}");
    let prices: Vec<u128> = rows.iter().map(|r| r.1.expect("a priced row")).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "not ascending: {prices:?}");

    // A row opens its details; Rent this carries it into the Rent step.
    let (id, _, _) = rows[0].clone();
    s.click(&format!("machine-row-{id}")).await;
    s.wait("machine-detail").await;
    assert_eq!(s.text("machine-detail-id").await, id);
    assert_eq!(s.attr("machine-rent-this", "disabled").await, None, "an idle machine can be rented");
    s.screenshot("detail", "en").await;
    s.click("machine-rent-this").await;
    s.wait("screen-rent").await;
    assert_eq!(s.text("rent-machine-id").await, id);
    s.screenshot("rent", "en").await;

    // The same in Chinese.
    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    s.click("nav-rent").await;
    assert_eq!(s.text("rent-machine-id").await, id, "the choice stays");
    assert!(has_cjk(&s.text("screen-title").await));
    s.screenshot("rent", "zh").await;
    s.click("nav-machine").await;
    s.wait("machine-list").await;
    s.click("machine-detail-close").await;
    s.screenshot("list", "zh").await;
    s.click(&format!("machine-row-{id}")).await;
    s.wait("machine-detail").await;
    assert!(has_cjk(&s.text("machine-rent-this").await));
    s.screenshot("detail", "zh").await;
    s.close().await;
}
