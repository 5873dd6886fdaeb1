//! The languages the app speaks, and the default picked from the OS locale.

use crate::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(ts_rs::TS)]
pub enum Language {
    /// 简体中文
    Zh,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// Map a BCP-47 / POSIX locale ("zh-CN", "zh_TW.UTF-8", "en_US") to a
    /// catalog. Every Chinese locale gets the Simplified catalog (the only
    /// Chinese one we have); everything else gets English.
    pub fn from_locale(locale: &str) -> Language {
        let lower = locale.trim().to_ascii_lowercase();
        if lower == "zh" || lower.starts_with("zh-") || lower.starts_with("zh_") || lower.starts_with("zh.") {
            Language::Zh
        } else {
            Language::En
        }
    }

    /// The default for a user who has not chosen: the OS locale.
    pub fn system_default() -> Language {
        sys_locale::get_locale().map(|l| Language::from_locale(&l)).unwrap_or(Language::En)
    }
}

impl FromStr for Language {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "zh" => Ok(Language::Zh),
            "en" => Ok(Language::En),
            other => Err(Error::new(ErrorCode::UnsupportedLanguage, format!("no catalog for language {other:?}"))
                .with_data(serde_json::json!({ "language": other }))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_mapping() {
        for zh in ["zh", "zh-CN", "zh_CN.UTF-8", "zh-Hans-CN", "ZH_tw", "zh.UTF-8"] {
            assert_eq!(Language::from_locale(zh), Language::Zh, "{zh}");
        }
        for en in ["en_US.UTF-8", "C", "POSIX", "", "de-DE", "zhx"] {
            assert_eq!(Language::from_locale(en), Language::En, "{en}");
        }
    }

    #[test]
    fn parse_rejects_unknown_with_code_and_data() {
        assert_eq!("zh".parse::<Language>().unwrap(), Language::Zh);
        let err = "fr".parse::<Language>().unwrap_err();
        assert_eq!(err.code, ErrorCode::UnsupportedLanguage);
        assert_eq!(err.data.unwrap()["language"], "fr");
    }
}
