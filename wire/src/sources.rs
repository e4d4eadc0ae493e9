//! Which account a request reads: the sandbox or one AWS region.
//!
//! A `berth` server offers several sources and opens on one of them (its default). Requests
//! choose another with `?source=`, whose value is a [`SourceId`] in its text form: `sandbox`
//! or `aws:<region>` (`aws:eu-west-1`). The console keeps that parameter in every URL, so a
//! deep link names the account and region it shows.
//!
//! [`AWS_REGIONS`] lists the commercial AWS regions where ECS runs, with their console names;
//! a server offers them unless told otherwise (`--regions`).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The query parameter that chooses a source.
pub const SOURCE_PARAMETER: &str = "source";

/// One account a server can show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceId {
    /// The embedded simulated account.
    Sandbox,
    /// An AWS region, reached with the server's credentials (or its `--endpoint-url`).
    Aws {
        /// Region code, e.g. `eu-west-1`.
        region: String,
    },
}

impl SourceId {
    /// An AWS source; `region` must look like a region code (see [`is_region_code`]).
    pub fn aws(region: &str) -> Result<Self, SourceIdError> {
        if is_region_code(region) {
            Ok(Self::Aws {
                region: region.to_owned(),
            })
        } else {
            Err(SourceIdError::Region(region.to_owned()))
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sandbox => f.write_str("sandbox"),
            Self::Aws { region } => write!(f, "aws:{region}"),
        }
    }
}

/// Why a text is not a [`SourceId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceIdError {
    /// Neither `sandbox` nor `aws:<region>`.
    #[error(
        "\"{0}\" is not a source; expected \"sandbox\" or \"aws:<region>\" such as \"aws:eu-west-1\""
    )]
    Shape(String),
    /// `aws:` followed by something that is not a region code.
    #[error("\"{0}\" is not an AWS region code such as \"eu-west-1\"")]
    Region(String),
}

impl FromStr for SourceId {
    type Err = SourceIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            None if text == "sandbox" => Ok(Self::Sandbox),
            Some(("aws", region)) => Self::aws(region),
            _ => Err(SourceIdError::Shape(text.to_owned())),
        }
    }
}

impl Serialize for SourceId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether `text` has the shape of an AWS region code: a two-letter prefix, one or more
/// lowercase words, and a number (`us-east-1`, `us-gov-west-1`, `ap-southeast-7`).
pub fn is_region_code(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [prefix, words @ .., number] = parts.as_slice() else {
        return false;
    };
    prefix.len() == 2
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && !words.is_empty()
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Commercial AWS regions where ECS runs, with the names the AWS console gives them, in the
/// console's order.
pub const AWS_REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("mx-central-1", "Mexico (Central)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("sa-east-1", "South America (São Paulo)"),
];

/// The console name of a region (`Europe (Ireland)`), when it is a known one.
pub fn region_name(region: &str) -> Option<&'static str> {
    AWS_REGIONS
        .iter()
        .find(|(code, _)| *code == region)
        .map(|(_, name)| *name)
}

/// `GET /api/sources`: what the source switch offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceList {
    /// The source of requests that choose none.
    pub default_source: SourceId,
    /// Every source this server offers: the sandbox first, then AWS regions.
    pub sources: Vec<SourceOption>,
}

/// One entry of the source switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceOption {
    /// The value of `?source=`.
    pub id: SourceId,
    /// The region: the simulated one for the sandbox.
    pub region: String,
    /// What a person reads: `Sandbox (simulated us-east-1)`, `Europe (Ireland)`.
    pub name: String,
}

impl SourceOption {
    /// The entry of the sandbox, which simulates `region`.
    pub fn sandbox(region: &str) -> Self {
        Self {
            id: SourceId::Sandbox,
            region: region.to_owned(),
            name: format!("Sandbox (simulated {region})"),
        }
    }

    /// The entry of an AWS region, named as the AWS console names it when it is known.
    pub fn aws(region: &str) -> Result<Self, SourceIdError> {
        Ok(Self {
            id: SourceId::aws(region)?,
            region: region.to_owned(),
            name: region_name(region).unwrap_or(region).to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_read_and_print_the_same() {
        for (text, id) in [
            ("sandbox", SourceId::Sandbox),
            (
                "aws:eu-west-1",
                SourceId::Aws {
                    region: "eu-west-1".into(),
                },
            ),
            (
                "aws:us-gov-west-1",
                SourceId::Aws {
                    region: "us-gov-west-1".into(),
                },
            ),
        ] {
            assert_eq!(text.parse::<SourceId>(), Ok(id.clone()), "{text}");
            assert_eq!(id.to_string(), text);
            assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        }
    }

    #[test]
    fn malformed_source_ids_say_what_is_expected() {
        for (text, error) in [
            ("", SourceIdError::Shape(String::new())),
            ("Sandbox", SourceIdError::Shape("Sandbox".into())),
            (
                "gcp:europe-west1",
                SourceIdError::Shape("gcp:europe-west1".into()),
            ),
            ("aws:", SourceIdError::Region(String::new())),
            ("aws:EU-WEST-1", SourceIdError::Region("EU-WEST-1".into())),
            ("aws:eu-west", SourceIdError::Region("eu-west".into())),
            (
                "aws:eu-west-1/x",
                SourceIdError::Region("eu-west-1/x".into()),
            ),
            ("aws:e-west-1", SourceIdError::Region("e-west-1".into())),
            ("aws:eu--1", SourceIdError::Region("eu--1".into())),
        ] {
            assert_eq!(text.parse::<SourceId>(), Err(error), "{text:?}");
        }
        let message = "aws:mars".parse::<SourceId>().unwrap_err().to_string();
        assert!(message.contains("eu-west-1"), "{message}");
        assert!(serde_json::from_str::<SourceId>("\"moon\"").is_err());
    }

    #[test]
    fn every_listed_region_is_a_region_code_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, name) in AWS_REGIONS {
            assert!(is_region_code(code), "{code}");
            assert!(!name.is_empty());
            assert!(seen.insert(*code), "{code} twice");
        }
        assert_eq!(region_name("eu-west-1"), Some("Europe (Ireland)"));
        assert_eq!(region_name("xx-nowhere-9"), None);
    }

    #[test]
    fn options_name_their_source() {
        assert_eq!(
            SourceOption::sandbox("us-east-1").name,
            "Sandbox (simulated us-east-1)"
        );
        assert_eq!(
            SourceOption::aws("eu-west-3").unwrap().name,
            "Europe (Paris)"
        );
        assert_eq!(SourceOption::aws("xx-new-1").unwrap().name, "xx-new-1");
        assert!(SourceOption::aws("nowhere").is_err());
    }
}
