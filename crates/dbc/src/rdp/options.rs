//! How the Remote Desktop window should behave, as chosen in the app (the UI
//! sends this object camelCase). Defaults suit Omniverse work: a large window
//! that follows its size, the clipboard shared, no local files shared.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};

/// The smallest and largest window the options accept. FreeRDP and mstsc
/// both refuse sizes outside roughly this range; 8192 covers 8K displays.
pub const MIN_WIDTH: u32 = 640;
pub const MIN_HEIGHT: u32 = 480;
pub const MAX_SIDE: u32 = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[derive(ts_rs::TS)]
pub struct RdpOptions {
    /// Full screen; `width` and `height` then only matter when leaving it.
    pub fullscreen: bool,
    /// Window size in pixels when not full screen.
    pub width: u32,
    pub height: u32,
    /// Use every local monitor.
    pub multi_monitor: bool,
    /// Share the clipboard both ways (copy a path or a command into the VM).
    pub clipboard: bool,
    /// Which local files the VM may see.
    pub drives: DriveRedirect,
    /// Resize the remote desktop when the window is resized.
    pub dynamic_resolution: bool,
}

impl Default for RdpOptions {
    fn default() -> Self {
        RdpOptions {
            fullscreen: false,
            width: 1600,
            height: 900,
            multi_monitor: false,
            clipboard: true,
            drives: DriveRedirect::None,
            dynamic_resolution: true,
        }
    }
}

/// Local folders shared with the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum DriveRedirect {
    /// Nothing is shared.
    #[default]
    None,
    /// One dedicated folder, `<data dir>/share` ([`super::file::share_dir`],
    /// created on demand, 0700), shown in the VM as the drive `DBC-Rent`;
    /// never the home folder or a whole drive: the machine's owner controls
    /// the VM and so everything it can reach. FreeRDP shares it
    /// (`/drive:DBC-Rent,<path>`); an `.rdp` file (mstsc, Windows App,
    /// Remmina) cannot name a folder, so with those clients nothing is
    /// shared. (`"home"` on the wire: the name the UI already sends.)
    #[serde(rename = "home")]
    Home,
}

impl RdpOptions {
    /// Refuse a window size no client accepts.
    pub fn validate(&self) -> Result<()> {
        let ok = |v: u32, min: u32| (min..=MAX_SIDE).contains(&v);
        if !ok(self.width, MIN_WIDTH) || !ok(self.height, MIN_HEIGHT) {
            return Err(Error::invalid_argument(format!(
                "window size {}x{} is outside {MIN_WIDTH}x{MIN_HEIGHT} to {MAX_SIDE}x{MAX_SIDE}",
                self.width, self.height
            ))
            .with_data(json!({ "width": self.width, "height": self.height })));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_camel_case() {
        let o: RdpOptions = serde_json::from_value(json!({})).unwrap();
        assert_eq!(o, RdpOptions::default());
        let o: RdpOptions = serde_json::from_value(json!({
            "fullscreen": true, "width": 1920, "height": 1080, "multiMonitor": true,
            "clipboard": false, "drives": "home", "dynamicResolution": false
        }))
        .unwrap();
        assert!(o.fullscreen && o.multi_monitor && !o.clipboard && !o.dynamic_resolution);
        assert_eq!(o.drives, DriveRedirect::Home);
        let back = serde_json::to_value(o).unwrap();
        assert_eq!(back["multiMonitor"], true);
        assert_eq!(back["drives"], "home");
    }

    #[test]
    fn unknown_fields_and_bad_sizes_are_refused() {
        assert!(serde_json::from_value::<RdpOptions>(json!({"password": "x"})).is_err());
        assert!(serde_json::from_value::<RdpOptions>(json!({"drives": "everything"})).is_err());
        assert!(RdpOptions::default().validate().is_ok());
        for (w, h) in [(0, 900), (1600, 0), (639, 900), (9000, 900), (1600, 10_000)] {
            let o = RdpOptions { width: w, height: h, ..Default::default() };
            assert_eq!(o.validate().unwrap_err().code, crate::ErrorCode::InvalidArgument, "{w}x{h}");
        }
    }
}
