//! Azure Resource Manager resource ids and Azure's naming rules.
//!
//! `/subscriptions/{uuid}/resourceGroups/{rg}/providers/Microsoft.EventGrid/{type}/{name}[/{child}/{name}]`.
//! Literal segments parse case-insensitively and print in Azure's casing; names keep their
//! casing but compare case-insensitively (see [`ResourceId::storage_sort_key`]).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::{Error, Result, code};

pub const PROVIDER: &str = "Microsoft.EventGrid";

/// An Azure subscription id (a tenant's account), always a UUID.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct SubscriptionId(pub Uuid);

impl SubscriptionId {
    pub fn parse(s: &str) -> Result<Self> {
        Uuid::try_parse(s).map(Self).map_err(|_| {
            Error::invalid(
                code::INVALID_SUBSCRIPTION_ID,
                format!("subscription id '{s}' is not a UUID (expected e.g. 5b4b650e-28b9-4790-b3ab-ddbd88d727c4)"),
            )
        })
    }
}

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Checks a resource group name: 1–90 characters of letters, digits, `-_.()`, not ending in `.`.
pub fn check_resource_group(name: &str) -> Result<()> {
    let len = name.chars().count();
    let ok = (1..=90).contains(&len)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.()".contains(c))
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            code::INVALID_RESOURCE_GROUP_NAME,
            format!(
                "resource group name '{name}' is invalid: use 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'"
            ),
        ))
    }
}

/// Checks an Event Grid resource name: 3–50 ASCII letters, digits and `-`.
pub fn check_resource_name(what: &str, name: &str) -> Result<()> {
    check_name(what, name, 3, 50)
}

/// Checks a name of `min..=max` ASCII letters, digits and `-`; the error names `what`.
pub fn check_name(what: &str, name: &str, min: usize, max: usize) -> Result<()> {
    let ok = (min..=max).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            code::INVALID_RESOURCE_NAME,
            format!("{what} name '{name}' is invalid: use {min}-{max} letters, digits or '-'"),
        ))
    }
}

/// The Event Grid resource types this service serves, with their Azure spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceType {
    PartnerRegistrations,
    PartnerConfigurations,
    PartnerNamespaces,
    Channels,
    PartnerTopics,
    PartnerDestinations,
    Topics,
    SystemTopics,
    EventSubscriptions,
}

impl ResourceType {
    const ALL: [ResourceType; 9] = [
        Self::PartnerRegistrations,
        Self::PartnerConfigurations,
        Self::PartnerNamespaces,
        Self::Channels,
        Self::PartnerTopics,
        Self::PartnerDestinations,
        Self::Topics,
        Self::SystemTopics,
        Self::EventSubscriptions,
    ];

    /// The path segment, e.g. `partnerTopics`.
    pub fn segment(self) -> &'static str {
        match self {
            Self::PartnerRegistrations => "partnerRegistrations",
            Self::PartnerConfigurations => "partnerConfigurations",
            Self::PartnerNamespaces => "partnerNamespaces",
            Self::Channels => "channels",
            Self::PartnerTopics => "partnerTopics",
            Self::PartnerDestinations => "partnerDestinations",
            Self::Topics => "topics",
            Self::SystemTopics => "systemTopics",
            Self::EventSubscriptions => "eventSubscriptions",
        }
    }

    fn is_child(self) -> bool {
        matches!(self, Self::Channels | Self::EventSubscriptions)
    }

    fn from_segment(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.segment().eq_ignore_ascii_case(s))
    }
}

/// A parsed, validated resource id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceId {
    pub subscription: SubscriptionId,
    pub resource_group: String,
    /// The top-level type and name, then an optional child type and name.
    pub path: Vec<(ResourceType, String)>,
}

impl ResourceId {
    /// A top-level resource id, validating the resource group and name.
    pub fn new(
        subscription: SubscriptionId,
        resource_group: &str,
        kind: ResourceType,
        name: &str,
    ) -> Result<Self> {
        check_resource_group(resource_group)?;
        check_segment_name(kind, name)?;
        Ok(Self {
            subscription,
            resource_group: resource_group.to_owned(),
            path: vec![(kind, name.to_owned())],
        })
    }

    /// A top-level resource id from the raw segments of a request path.
    pub fn from_path(
        subscription: &str,
        resource_group: &str,
        kind: ResourceType,
        name: &str,
    ) -> Result<Self> {
        Self::new(
            SubscriptionId::parse(subscription)?,
            resource_group,
            kind,
            name,
        )
    }

    /// A child of this resource, validating the name.
    pub fn child(&self, kind: ResourceType, name: &str) -> Result<Self> {
        check_segment_name(kind, name)?;
        let mut path = self.path.clone();
        path.push((kind, name.to_owned()));
        Ok(Self {
            path,
            ..self.clone()
        })
    }

    /// The top-level resource this one hangs under: an event subscription's topic, a
    /// channel's namespace.
    pub fn top(&self) -> Result<Self> {
        let (kind, name) = self
            .path
            .first()
            .ok_or_else(|| Error::internal("resource id without a type"))?;
        Self::new(self.subscription, &self.resource_group, *kind, name)
    }

    /// The name of the top-level resource this one hangs under.
    pub fn top_name(&self) -> &str {
        self.path.first().map_or("", |(_, n)| n.as_str())
    }

    /// The last type segment.
    pub fn kind(&self) -> ResourceType {
        self.path.last().map_or(ResourceType::Topics, |(t, _)| *t)
    }

    /// The last name segment.
    pub fn name(&self) -> &str {
        self.path.last().map_or("", |(_, n)| n.as_str())
    }

    /// The ARM `type`, e.g. `Microsoft.EventGrid/partnerNamespaces/channels`.
    pub fn type_name(&self) -> String {
        let mut s = PROVIDER.to_owned();
        for (t, _) in &self.path {
            s.push('/');
            s.push_str(t.segment());
        }
        s
    }

    /// The sort key of this resource inside its subscription's partition: type path, then the
    /// lower-cased resource group and names, so names are unique case-insensitively and a
    /// prefix lists one type per subscription or per resource group.
    pub fn storage_sort_key(&self) -> String {
        let types: Vec<&str> = self.path.iter().map(|(t, _)| t.segment()).collect();
        let mut key = format!("{}#{}", types.join("/"), self.resource_group.to_lowercase());
        for (_, name) in &self.path {
            key.push('#');
            key.push_str(&name.to_lowercase());
        }
        key
    }
}

fn check_segment_name(kind: ResourceType, name: &str) -> Result<()> {
    match kind {
        ResourceType::EventSubscriptions => check_name("event subscription", name, 3, 64),
        _ => check_resource_name(kind.segment().trim_end_matches('s'), name),
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "/subscriptions/{}/resourceGroups/{}/providers/{PROVIDER}",
            self.subscription, self.resource_group
        )?;
        for (t, n) in &self.path {
            write!(f, "/{}/{n}", t.segment())?;
        }
        Ok(())
    }
}

impl FromStr for ResourceId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |what: String| {
            Error::invalid(
                code::INVALID_RESOURCE_ID,
                format!(
                    "resource id '{s}' is invalid: {what}; expected /subscriptions/{{uuid}}/resourceGroups/{{name}}/providers/Microsoft.EventGrid/{{type}}/{{name}}"
                ),
            )
        };
        let parts: Vec<&str> = s.strip_prefix('/').unwrap_or(s).split('/').collect();
        let literal = |i: usize, want: &str| -> Result<()> {
            match parts.get(i) {
                Some(p) if p.eq_ignore_ascii_case(want) => Ok(()),
                Some(p) => Err(bad(format!(
                    "segment {} is '{p}', expected '{want}'",
                    i + 1
                ))),
                None => Err(bad(format!("it ends before '{want}'"))),
            }
        };
        literal(0, "subscriptions")?;
        let subscription = SubscriptionId::parse(parts.get(1).copied().unwrap_or_default())?;
        literal(2, "resourceGroups")?;
        let resource_group = parts.get(3).copied().unwrap_or_default();
        check_resource_group(resource_group)?;
        literal(4, "providers")?;
        literal(5, PROVIDER)?;
        let rest = &parts[6.min(parts.len())..];
        if rest.is_empty() || !rest.len().is_multiple_of(2) || rest.len() > 4 {
            return Err(bad(
                "it needs a type and a name, optionally a child type and name".into(),
            ));
        }
        let mut path = Vec::new();
        for (depth, pair) in rest.chunks(2).enumerate() {
            let kind = ResourceType::from_segment(pair[0]).ok_or_else(|| {
                Error::invalid(
                    code::INVALID_RESOURCE_TYPE,
                    format!(
                        "resource type '{}' in '{s}' is not an Event Grid type served here",
                        pair[0]
                    ),
                )
            })?;
            if kind.is_child() != (depth == 1) {
                return Err(bad(format!(
                    "'{}' cannot stand at depth {}",
                    pair[0],
                    depth + 1
                )));
            }
            check_segment_name(kind, pair[1])?;
            path.push((kind, pair[1].to_owned()));
        }
        Ok(Self {
            subscription,
            resource_group: resource_group.to_owned(),
            path,
        })
    }
}

impl serde::Serialize for ResourceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ResourceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: Error| serde::de::Error::custom(e.message))
    }
}
