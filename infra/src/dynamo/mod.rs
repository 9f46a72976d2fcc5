//! The DynamoDB adapter of the `Store` port: one table, single-table design.
//!
//! # Layout
//! Every item has these attributes:
//! - `pk` (S, partition key): the partition, a tenant scope.
//! - `sk` (S, sort key): the resource path within the partition.
//! - `ver` (N): the version, 1 on first put and one more on every put.
//! - `body` (S): the item's JSON.
//! - `ttl` (N, optional): Unix seconds after which DynamoDB may delete the item (the table's
//!   TTL attribute). Deletion is lazy and absent on emulators, so readers filter on it.
//! - `c_{name}` (N) and `n_{name}` (S), optional: the tally's counters and notes, written by
//!   `UpdateItem ADD c_{name} :n SET n_{name} = :v` under `attribute_exists(pk)`.
//!
//! No secondary index is needed by the port.
//!
//! # Access patterns
//! - Get by (`pk`, `sk`), strongly consistent.
//! - Conditional put (UpdateItem `SET body, ttl ADD ver 1` under `attribute_not_exists(pk)` or
//!   `ver = :v`) and conditional delete (DeleteItem under the same conditions).
//! - All-or-nothing multi-writes, conditions included, via TransactWriteItems (at most 100).
//! - Query by `pk` and `begins_with(sk, prefix)` in ascending `sk` order, strongly consistent,
//!   paginated by `sk` (ExclusiveStartKey). A query keeps reading past DynamoDB's 1 MB page
//!   cut until it has a full page, so `next` is `None` exactly when nothing follows.
//!
//! This module holds the layout (attribute names, item decoding, table creation); `store`
//! holds the port's operations and the mapping of SDK errors to domain errors.

mod store;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use shared::error::{Error, Result};
use shared::ports::{Item, Key, Tally};

pub use store::DynamoStore;

use store::{build_error, classify};

/// The attribute names of the layout above.
const PK: &str = "pk";
const SK: &str = "sk";
const VER: &str = "ver";
const BODY: &str = "body";
const TTL: &str = "ttl";
const COUNT_PREFIX: &str = "c_";
const NOTE_PREFIX: &str = "n_";

/// One item as DynamoDB attributes.
type Attrs = HashMap<String, AttributeValue>;

impl DynamoStore {
    /// Creates the table (pk/sk string keys, on-demand billing) if it does not exist, waits
    /// until it is active and enables TTL on `ttl`. For tests and local runs against an
    /// emulator; production tables come from template.yaml.
    pub async fn create_table_if_missing(&self) -> Result<()> {
        if let Err(err) = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            if err.code() != Some("ResourceNotFoundException") {
                return Err(classify("DescribeTable", err));
            }
            let created = self
                .client
                .create_table()
                .table_name(&self.table)
                .billing_mode(BillingMode::PayPerRequest)
                .attribute_definitions(attribute(PK)?)
                .attribute_definitions(attribute(SK)?)
                .key_schema(key_schema(PK, KeyType::Hash)?)
                .key_schema(key_schema(SK, KeyType::Range)?)
                .send()
                .await;
            if let Err(err) = created
                && err.code() != Some("ResourceInUseException")
            {
                return Err(classify("CreateTable", err));
            }
        }
        self.wait_until_active().await?;
        let ttl = self
            .client
            .describe_time_to_live()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| classify("DescribeTimeToLive", e))?;
        let status = ttl
            .time_to_live_description()
            .and_then(|d| d.time_to_live_status());
        if matches!(
            status,
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ) {
            return Ok(());
        }
        let spec = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(TTL)
            .build()
            .map_err(build_error)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(spec)
            .send()
            .await
            .map_err(|e| classify("UpdateTimeToLive", e))?;
        Ok(())
    }

    async fn wait_until_active(&self) -> Result<()> {
        for _ in 0..240 {
            let out = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(|e| classify("DescribeTable", e))?;
            if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(Error::transient(format!(
            "DynamoDB table {} did not become active within 2 minutes",
            self.table
        )))
    }
}

fn attribute(name: &str) -> Result<AttributeDefinition> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(build_error)
}

fn key_schema(name: &str, key_type: KeyType) -> Result<KeySchemaElement> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(build_error)
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key_attrs(partition: &str, sort: &str) -> Attrs {
    HashMap::from([(PK.to_owned(), s(partition)), (SK.to_owned(), s(sort))])
}

/// The item stored in `attrs`; `Internal` when an attribute is missing or mistyped.
fn parse_item(mut attrs: Attrs) -> Result<Item> {
    let partition = take_s(&mut attrs, PK)?;
    let sort = take_s(&mut attrs, SK)?;
    let body = take_s(&mut attrs, BODY)?;
    let version = take_n(&mut attrs, VER)?.ok_or_else(|| malformed(VER))?;
    let expires_at = take_n(&mut attrs, TTL)?;
    let mut tally = Tally::default();
    for (name, value) in attrs {
        match (
            name.strip_prefix(COUNT_PREFIX),
            name.strip_prefix(NOTE_PREFIX),
            value,
        ) {
            (Some(counter), _, AttributeValue::N(n)) => {
                let n = n.parse().map_err(|_| malformed(&name))?;
                tally.counts.insert(counter.to_owned(), n);
            }
            (_, Some(note), AttributeValue::S(text)) => {
                tally.notes.insert(note.to_owned(), text);
            }
            _ => {}
        }
    }
    Ok(Item {
        key: Key { partition, sort },
        version,
        body,
        expires_at,
        tally,
    })
}

fn take_s(attrs: &mut Attrs, name: &str) -> Result<String> {
    match attrs.remove(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(malformed(name)),
    }
}

fn take_n<T: std::str::FromStr>(attrs: &mut Attrs, name: &str) -> Result<Option<T>> {
    match attrs.remove(name) {
        None => Ok(None),
        Some(AttributeValue::N(value)) => value.parse().map(Some).map_err(|_| malformed(name)),
        Some(_) => Err(malformed(name)),
    }
}

fn malformed(attr: &str) -> Error {
    Error::internal(format!(
        "DynamoDB item attribute `{attr}` is missing or of the wrong type"
    ))
}
