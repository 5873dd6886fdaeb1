//! Where a machine is: its country and continent from the coordinates its
//! owner put on chain, offline.
//!
//! The boundaries come embedded in the `country-boundaries` crate (its 60×30
//! raster, ~300 KB: the same polygons as the larger rasters, only slower to
//! query, which does not matter for a few thousand machines). That data is
//! derived from OpenStreetMap and licensed ODbL, © OpenStreetMap
//! contributors. It knows land borders only: a point at sea, or outside
//! every country, has no country, and then no continent either, rather than
//! a guess. Country names are left to the UI (`Intl.DisplayNames`).

mod continents;

use country_boundaries::{CountryBoundaries, LatLon, BOUNDARIES_ODBL_60X30};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// A continent, as the market's region filter offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum Region {
    Asia,
    Europe,
    NorthAmerica,
    SouthAmerica,
    Africa,
    Oceania,
    Antarctica,
}

impl Region {
    pub const ALL: [Region; 7] = [
        Region::Asia,
        Region::Europe,
        Region::NorthAmerica,
        Region::SouthAmerica,
        Region::Africa,
        Region::Oceania,
        Region::Antarctica,
    ];

    /// The kebab-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Asia => "asia",
            Region::Europe => "europe",
            Region::NorthAmerica => "north-america",
            Region::SouthAmerica => "south-america",
            Region::Africa => "africa",
            Region::Oceania => "oceania",
            Region::Antarctica => "antarctica",
        }
    }

    /// Parse [`as_str`](Self::as_str) (case-insensitive, `_` or `-`).
    pub fn parse(s: &str) -> Option<Region> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        Region::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Parsed once, on first use; `None` only if the embedded data were broken
/// (then every lookup says "unknown" instead of taking the app down).
static BOUNDARIES: LazyLock<Option<CountryBoundaries>> = LazyLock::new(|| {
    CountryBoundaries::from_reader(BOUNDARIES_ODBL_60X30)
        .inspect_err(|e| tracing::error!("the embedded country boundaries do not load: {e}"))
        .ok()
});

/// The ISO 3166-1 alpha-2 code (uppercase) of the country at `lat`, `lon`
/// (degrees ×10^4, north and east positive, as stored on chain). `None` at
/// sea, outside every country, or for impossible coordinates.
pub fn country_at(lat_e4: i64, lon_e4: i64) -> Option<String> {
    // Degrees for the lookup only; f64 is exact for these magnitudes.
    let pos = LatLon::new(lat_e4 as f64 / 1e4, lon_e4 as f64 / 1e4).ok()?;
    // Ids come smallest area first: a subdivision (`US-TX`), then its
    // country. A territory with its own ISO code (HK, PR) comes before the
    // country it belongs to, and is what we want; the data's exceptionally
    // reserved codes (IC Canary Islands, EA Ceuta and Melilla, AC, TA, DG, CP)
    // are not ISO 3166-1 countries and give way to the country behind them.
    BOUNDARIES.as_ref()?.ids(pos).into_iter().find(|id| region_of(id).is_some()).map(str::to_string)
}

/// The continent of an ISO 3166-1 alpha-2 country code (any case).
pub fn region_of(country: &str) -> Option<Region> {
    let code = country.trim().to_ascii_uppercase();
    continents::CONTINENTS.binary_search_by(|(c, _)| (*c).cmp(code.as_str())).ok().map(|i| continents::CONTINENTS[i].1)
}

/// Country and continent at a machine's coordinates, when it has both.
pub fn locate(lat_e4: Option<i64>, lon_e4: Option<i64>) -> (Option<String>, Option<Region>) {
    let country = match (lat_e4, lon_e4) {
        (Some(lat), Some(lon)) => country_at(lat, lon),
        _ => None,
    };
    let region = country.as_deref().and_then(region_of);
    (country, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The practice network's 15 cities (crates/dbc-sandbox/src/seed/machines.rs).
    const CITIES: &[(&str, i64, i64, &str, Region)] = &[
        ("Chengdu", 306_667, 1_040_667, "CN", Region::Asia),
        ("Shanghai", 312_304, 1_214_737, "CN", Region::Asia),
        ("Shenzhen", 225_431, 1_140_579, "CN", Region::Asia),
        ("Hong Kong", 223_193, 1_141_694, "HK", Region::Asia),
        ("Singapore", 13_521, 1_038_198, "SG", Region::Asia),
        ("Tokyo", 356_762, 1_396_503, "JP", Region::Asia),
        ("Seoul", 375_665, 1_269_780, "KR", Region::Asia),
        ("Frankfurt", 501_109, 86_821, "DE", Region::Europe),
        ("London", 515_072, -1_276, "GB", Region::Europe),
        ("New York", 407_128, -740_060, "US", Region::NorthAmerica),
        ("Los Angeles", 340_522, -1_182_437, "US", Region::NorthAmerica),
        ("São Paulo", -235_505, -466_333, "BR", Region::SouthAmerica),
        ("Sydney", -338_688, 1_512_093, "AU", Region::Oceania),
        ("Johannesburg", -262_041, 280_473, "ZA", Region::Africa),
        ("Dubai", 252_048, 552_708, "AE", Region::Asia),
    ];

    #[test]
    fn the_seeded_cities() {
        for (city, lat, lon, country, region) in CITIES {
            assert_eq!(locate(Some(*lat), Some(*lon)), (Some(country.to_string()), Some(*region)), "{city}");
        }
    }

    #[test]
    fn more_places_on_every_continent() {
        for (lat, lon, country, region) in [
            (557_558, 376_173, "RU", Region::Europe), // Moscow
            (550_084, 828_357, "RU", Region::Europe), // Novosibirsk: Russia is one country, in Europe
            (410_082, 289_784, "TR", Region::Asia),   // Istanbul
            (300_444, 312_357, "EG", Region::Africa), // Cairo
            (-12_921, 368_219, "KE", Region::Africa), // Nairobi
            (194_326, -991_332, "MX", Region::NorthAmerica),
            (436_532, -793_832, "CA", Region::NorthAmerica),
            (-346_037, -583_816, "AR", Region::SouthAmerica),
            (-368_485, 1_747_633, "NZ", Region::Oceania),
            (250_330, 1_215_654, "TW", Region::Asia),
            (193_433, 727_933 + 1_000, "IN", Region::Asia), // Mumbai, inland a bit
            (281_235, -154_363, "ES", Region::Europe),      // Las Palmas: IC in the data, Spain in ISO
            (359_000, -53_000, "ES", Region::Europe),       // Ceuta: EA in the data
        ] {
            assert_eq!(locate(Some(lat), Some(lon)), (Some(country.to_string()), Some(region)), "{lat},{lon}");
        }
    }

    #[test]
    fn sea_unknown_and_impossible_give_none() {
        assert_eq!(locate(Some(0), Some(-1_400_000)), (None, None), "mid-Pacific");
        assert_eq!(locate(Some(-300_000), Some(-200_000)), (None, None), "mid-Atlantic");
        assert_eq!(locate(None, Some(1_000_000)), (None, None));
        assert_eq!(locate(Some(1_000_000), None), (None, None));
        assert_eq!(country_at(950_000, 0), None, "latitude over 90");
        assert_eq!(country_at(0, 1_900_000), None, "longitude over 180");
        assert_eq!(country_at(i64::MAX, i64::MIN), None);
    }

    #[test]
    fn the_shenzhen_hong_kong_border_does_not_panic() {
        // Across the Shenzhen River, every 0.005°: either side is fine, and
        // whatever is found is one of the two (or the sea).
        for dlat in -10..=10 {
            for dlon in -10..=10 {
                let c = country_at(225_300 + dlat * 50, 1_141_000 + dlon * 50);
                assert!(matches!(c.as_deref(), None | Some("CN") | Some("HK")), "{c:?}");
            }
        }
    }

    #[test]
    fn the_continent_table_is_complete_and_sorted() {
        let codes: Vec<&str> = continents::CONTINENTS.iter().map(|(c, _)| *c).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        // 249 officially assigned ISO 3166-1 alpha-2 codes, plus XK.
        assert_eq!(codes.len(), 250);
        assert!(codes.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        let used: BTreeSet<Region> = continents::CONTINENTS.iter().map(|(_, r)| *r).collect();
        assert_eq!(used.len(), Region::ALL.len());
        assert_eq!(region_of("de"), Some(Region::Europe));
        assert_eq!(region_of("ZZ"), None);
    }

    #[test]
    fn every_country_in_the_boundaries_has_a_continent() {
        let b = BOUNDARIES.as_ref().expect("embedded boundaries load");
        // Every id of every raster cell (6° × 6°, slightly inside each cell).
        let mut countries = BTreeSet::new();
        for row in 0..30 {
            for col in 0..60 {
                let (lat, lon) = (-90.0 + 6.0 * f64::from(row), -180.0 + 6.0 * f64::from(col));
                let cell =
                    country_boundaries::BoundingBox::new(lat + 0.01, lon + 0.01, lat + 5.99, lon + 5.99).unwrap();
                countries.extend(b.intersecting_ids(cell).into_iter().filter(|id| id.len() == 2));
            }
        }
        assert!(countries.len() > 200, "{}", countries.len());
        let missing: Vec<&&str> = countries.iter().filter(|c| region_of(c).is_none()).collect();
        // Exceptionally reserved codes, each inside an assigned country's area.
        assert_eq!(missing, [&"AC", &"CP", &"DG", &"EA", &"IC", &"TA"], "no continent for {missing:?}");
    }

    #[test]
    fn region_names() {
        for r in Region::ALL {
            assert_eq!(Region::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::Value::String(r.as_str().into()));
        }
        assert_eq!(Region::parse("North_America"), Some(Region::NorthAmerica));
        assert_eq!(Region::parse("atlantis"), None);
    }
}
