//! A container's lines through `aws-sdk-cloudwatchlogs`: one `GetLogEvents` call on the
//! stream the shared rule names ([`berth_shared::ops::logs::log_location`]), in the region of
//! the container's log configuration.

use aws_sdk_cloudwatchlogs::{Client, config::Region};
use berth_shared::{
    logs::{LogEvent, LogLocation, LogPage},
    time::Timestamp,
};

use crate::{
    aws::{Asked, map_sdk_error},
    error::SourceError,
};

/// The latest `limit` lines of the stream, or up to `limit` after `token`.
pub(super) async fn log_events(
    client: &Client,
    location: &LogLocation,
    token: Option<&str>,
    limit: usize,
) -> Result<LogPage, SourceError> {
    let client = in_region(client, &location.region);
    let output = client
        .get_log_events()
        .log_group_name(&location.group)
        .log_stream_name(&location.stream)
        .set_next_token(token.map(str::to_owned))
        // Forward from a token; the latest lines (the stream's tail) without one.
        .start_from_head(token.is_some())
        .limit(i32::try_from(limit).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| {
            let named = format!("{}/{}", location.group, location.stream);
            map_sdk_error("logs:GetLogEvents", &[Asked::LogStream(&named)], e)
        })?;
    let events = output
        .events()
        .iter()
        .map(|event| LogEvent {
            timestamp: Timestamp(event.timestamp().unwrap_or_default()),
            message: event.message().unwrap_or_default().to_owned(),
        })
        .collect();
    Ok(LogPage {
        events,
        next_token: output.next_forward_token().map(str::to_owned),
    })
}

/// The client itself when it already speaks to `region`, else one like it for `region`.
fn in_region(client: &Client, region: &str) -> Client {
    let config = client.config();
    if config.region().is_some_and(|r| r.as_ref() == region) {
        return client.clone();
    }
    Client::from_conf(
        config
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build(),
    )
}
