//! The Azure Resource Manager envelope every management resource shares: what a PUT body may
//! carry and what every GET returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, code};
use crate::ids::ResourceId;

pub type Tags = BTreeMap<String, String>;

/// The body of a PUT or PATCH: envelope fields around resource-specific `properties`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body<P> {
    pub location: Option<String>,
    pub tags: Option<Tags>,
    pub properties: Option<P>,
}

impl<P> Default for Body<P> {
    fn default() -> Self {
        Self {
            location: None,
            tags: None,
            properties: None,
        }
    }
}

/// A resource as the API returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View<P> {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    pub properties: P,
}

impl<P> View<P> {
    pub fn new(
        id: &ResourceId,
        location: Option<String>,
        tags: Option<Tags>,
        properties: P,
    ) -> Self {
        Self {
            id: id.to_string(),
            name: id.name().to_owned(),
            kind: id.type_name(),
            location,
            tags,
            properties,
        }
    }
}

/// A page of a collection: `{"value": [...], "nextLink": "..."}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct List<T> {
    pub value: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// Azure's `provisioningState` for synchronous work.
pub const SUCCEEDED: &str = "Succeeded";

/// Checks Azure's tag limits: at most 50 tags, names 1–512 and values up to 256 characters.
pub fn check_tags(tags: &Tags) -> Result<()> {
    if tags.len() > 50 {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("tags has {} entries; at most 50 are allowed", tags.len()),
        ));
    }
    for (name, value) in tags {
        if name.is_empty()
            || name.chars().count() > 512
            || name.contains(['<', '>', '%', '&', '\\', '?', '/'])
        {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!(
                    "tag name '{name}' is invalid: use 1-512 characters without < > % & \\ ? /"
                ),
            ));
        }
        if value.chars().count() > 256 {
            return Err(Error::invalid(
                code::INVALID_PROPERTY,
                format!("tag '{name}' has a value longer than 256 characters"),
            ));
        }
    }
    Ok(())
}

/// The `location` of a global resource: absent or `global` (any case).
pub fn global_location(location: Option<&str>) -> Result<String> {
    match location {
        None => Ok("global".into()),
        Some(l) if l.eq_ignore_ascii_case("global") => Ok("global".into()),
        Some(l) => Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("location '{l}' is not supported for this resource; use 'global'"),
        )),
    }
}
