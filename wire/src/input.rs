//! Reading user input (pasted JSON, request bodies, CLI files) with errors that name the field.
//!
//! Every simulator and validator in this crate takes typed input and reports problems as an
//! [`InputError`]: the JSON path of the offending field (`placementStrategy[1].type`) and a
//! sentence saying what was wrong. The backend turns it into HTTP 400 / exit code 2.

use serde::de::DeserializeOwned;

/// A problem with user input, located by JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    /// JSON path of the field, e.g. `containerDefinitions[2].portMappings[0].hostPort`;
    /// `.` (a single dot) means the document as a whole.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl InputError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Parses JSON text into `T`, naming the field that failed.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(located)?;
    deserializer.end().map_err(|e| {
        InputError::new(
            ".",
            format!("trailing characters after the JSON document ({e})"),
        )
    })?;
    Ok(value)
}

/// Converts an already-parsed JSON value into `T`, naming the field that failed.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, InputError> {
    serde_path_to_error::deserialize(value).map_err(located)
}

fn located(error: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let mut path = error.path().to_string();
    let inner = error.into_inner();
    let message = match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON: {inner}")
        }
        _ => strip_position(&inner.to_string()),
    };
    // A missing field is located at its parent; name the field itself.
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        path = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return InputError::new(path, "is required");
    }
    InputError::new(path, message)
}

/// serde_json appends " at line L column C" to data errors; the path already locates them.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs::TaskDefinition;

    #[test]
    fn names_the_failing_field() {
        let error = from_json::<TaskDefinition>(
            r#"{"family": "web", "containerDefinitions": [{"name": "a"}, {"name": "b", "cpu": "lots"}]}"#,
        )
        .unwrap_err();
        assert_eq!(error.field, "containerDefinitions[1].cpu");
        assert!(error.message.contains("invalid type"), "{}", error.message);
    }

    #[test]
    fn names_missing_fields_by_their_own_path() {
        let error = from_json::<TaskDefinition>(r#"{"containerDefinitions": [{"name": "a"}]}"#);
        assert!(error.is_ok(), "family has a default");
        let error = from_json::<crate::ecs::PlacementConstraint>("{}").unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.message.as_str()),
            ("type", "is required")
        );
        let error = from_json::<Vec<crate::ecs::Tag>>(r#"[{"key": "a"}, {}]"#).unwrap_err();
        assert_eq!(error.field, "[1].key");
    }

    #[test]
    fn reports_syntax_errors_with_their_position() {
        let error = from_json::<TaskDefinition>("{\"family\": ").unwrap_err();
        assert!(
            error.message.starts_with("not valid JSON"),
            "{}",
            error.message
        );
        assert!(error.message.contains("line 1"), "{}", error.message);
    }
}
