//! `DynamoStore`: the `Store` port on one DynamoDB table (layout in the parent module).

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};
use shared::error::{Error, Result, code};
use shared::ports::{Expect, Item, Key, Page, Store, Write, check_batch};

use super::{
    Attrs, BODY, COUNT_PREFIX, NOTE_PREFIX, PK, SK, TTL, VER, key_attrs, n, parse_item, s,
};

/// Error codes, and transaction cancellation reasons, of a request worth retrying.
const TRANSIENT: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
    "ThrottlingException",
    "ThrottlingError",
    "TransactionConflictException",
    "TransactionConflict",
    "InternalServerError",
    "ServiceUnavailable",
];

/// The `Store` port on a DynamoDB table with string keys `pk`/`sk`.
///
/// Failed conditions are `Conflict` (`ConcurrentUpdate`); throttling, transaction conflicts,
/// timeouts and unreachable endpoints are `Transient`; everything else is `Internal`. A `write`
/// of more than `MAX_WRITES` writes, or of two writes on one key, is a caller bug and fails
/// as `Internal` before anything is sent.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    pub(super) client: Client,
    pub(super) table: String,
}

impl DynamoStore {
    /// A store on `table`, which must exist with the layout of the module doc.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn transact(&self, ops: Vec<Op>) -> Result<()> {
        let mut items = Vec::with_capacity(ops.len());
        for op in ops {
            items.push(op.transact_item(&self.table)?);
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(classify_transaction)
    }
}

#[async_trait::async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .consistent_read(true)
            .set_key(Some(key_attrs(&key.partition, &key.sort)))
            .send()
            .await
            .map_err(|e| classify("GetItem", e))?;
        out.item.map(parse_item).transpose()
    }

    /// One Put or Delete goes out as UpdateItem/DeleteItem, anything else as one
    /// TransactWriteItems. `Check` with `Expect::Any` holds trivially and is not sent.
    async fn write(&self, writes: Vec<Write>) -> Result<()> {
        check_batch(&writes)?;
        let mut ops: Vec<Op> = writes.iter().filter_map(Op::from_write).collect();
        match (ops.pop(), ops.is_empty()) {
            (None, _) => Ok(()),
            (Some(op), true) => op.send_alone(self).await,
            (Some(op), false) => {
                ops.push(op);
                self.transact(ops).await
            }
        }
    }

    async fn query(
        &self,
        partition: &str,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page> {
        let limit = limit.clamp(1, 1000);
        let mut start = match after {
            Some(after) if after.starts_with(prefix) => Some(key_attrs(partition, after)),
            Some(after) if after > prefix => return Ok(Page::default()),
            _ => None,
        };
        let mut names = HashMap::from([("#pk".to_owned(), PK.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), s(partition))]);
        let condition = if prefix.is_empty() {
            "#pk = :pk"
        } else {
            names.insert("#sk".to_owned(), SK.to_owned());
            values.insert(":prefix".to_owned(), s(prefix));
            "#pk = :pk AND begins_with(#sk, :prefix)"
        };
        let want = limit + 1;
        let mut items = Vec::with_capacity(want);
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .scan_index_forward(true)
                .key_condition_expression(condition)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .limit(i32::try_from(want - items.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| classify("Query", e))?;
            for raw in out.items.unwrap_or_default() {
                items.push(parse_item(raw)?);
            }
            match out.last_evaluated_key {
                Some(last) if items.len() < want => start = Some(last),
                _ => break,
            }
        }
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|item| item.key.sort.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Put,
    Delete,
    Check,
}

/// One write as DynamoDB expressions, ready for a single call or a transaction item.
struct Op {
    kind: OpKind,
    key: Attrs,
    update: Option<String>,
    condition: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<Attrs>,
}

impl Op {
    /// `None` for a check that holds trivially.
    fn from_write(write: &Write) -> Option<Op> {
        let kind = match write {
            Write::Put { .. } | Write::Add { .. } => OpKind::Put,
            Write::Delete { .. } => OpKind::Delete,
            Write::Check { .. } => OpKind::Check,
        };
        let key = write.key();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut values = HashMap::new();
        let condition = match write.expect() {
            Expect::Absent => {
                names.insert("#pk".into(), PK.into());
                Some("attribute_not_exists(#pk)")
            }
            Expect::Exists => {
                names.insert("#pk".into(), PK.into());
                Some("attribute_exists(#pk)")
            }
            Expect::Version(v) => {
                names.insert("#ver".into(), VER.into());
                values.insert(":v".to_owned(), n(v));
                Some("#ver = :v")
            }
            Expect::Any if kind == OpKind::Check => return None,
            Expect::Any => None,
        };
        let update = match write {
            Write::Put {
                body, expires_at, ..
            } => {
                names.extend([
                    ("#body".into(), BODY.into()),
                    ("#ver".into(), VER.into()),
                    ("#ttl".into(), TTL.into()),
                ]);
                values.extend([(":b".to_owned(), s(body)), (":one".to_owned(), n(1))]);
                Some(match expires_at {
                    Some(at) => {
                        values.insert(":ttl".to_owned(), n(*at));
                        "SET #body = :b, #ttl = :ttl ADD #ver :one".to_owned()
                    }
                    None => "SET #body = :b REMOVE #ttl ADD #ver :one".to_owned(),
                })
            }
            Write::Add { counts, notes, .. } => {
                let mut adds = Vec::new();
                for (i, (name, by)) in counts.iter().enumerate() {
                    names.insert(format!("#c{i}"), format!("{COUNT_PREFIX}{name}"));
                    values.insert(format!(":c{i}"), n(by));
                    adds.push(format!("#c{i} :c{i}"));
                }
                let mut sets = Vec::new();
                for (i, (name, value)) in notes.iter().enumerate() {
                    names.insert(format!("#n{i}"), format!("{NOTE_PREFIX}{name}"));
                    values.insert(format!(":n{i}"), s(value));
                    sets.push(format!("#n{i} = :n{i}"));
                }
                let mut update = Vec::new();
                if !sets.is_empty() {
                    update.push(format!("SET {}", sets.join(", ")));
                }
                if !adds.is_empty() {
                    update.push(format!("ADD {}", adds.join(", ")));
                }
                if update.is_empty() {
                    return Some(Op::check(key, condition, names, values));
                }
                Some(update.join(" "))
            }
            _ => None,
        };
        Some(Op {
            kind,
            key: key_attrs(&key.partition, &key.sort),
            update,
            condition: condition.map(str::to_owned),
            names: (!names.is_empty()).then_some(names),
            values: (!values.is_empty()).then_some(values),
        })
    }

    /// A condition check on `key` (an `Add` with nothing to add).
    fn check(
        key: &Key,
        condition: Option<&str>,
        names: HashMap<String, String>,
        values: Attrs,
    ) -> Op {
        Op {
            kind: OpKind::Check,
            key: key_attrs(&key.partition, &key.sort),
            update: None,
            condition: condition.map(str::to_owned),
            names: (!names.is_empty()).then_some(names),
            values: (!values.is_empty()).then_some(values),
        }
    }

    async fn send_alone(self, store: &DynamoStore) -> Result<()> {
        let (table, client) = (&store.table, &store.client);
        match self.kind {
            OpKind::Put => client
                .update_item()
                .table_name(table)
                .set_key(Some(self.key))
                .set_update_expression(self.update)
                .set_condition_expression(self.condition)
                .set_expression_attribute_names(self.names)
                .set_expression_attribute_values(self.values)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("UpdateItem", e)),
            OpKind::Delete => client
                .delete_item()
                .table_name(table)
                .set_key(Some(self.key))
                .set_condition_expression(self.condition)
                .set_expression_attribute_names(self.names)
                .set_expression_attribute_values(self.values)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteItem", e)),
            OpKind::Check => store.transact(vec![self]).await,
        }
    }

    fn transact_item(self, table: &str) -> Result<TransactWriteItem> {
        let item = TransactWriteItem::builder();
        Ok(match self.kind {
            OpKind::Put => item.update(
                Update::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_update_expression(self.update)
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(self.names)
                    .set_expression_attribute_values(self.values)
                    .build()
                    .map_err(build_error)?,
            ),
            OpKind::Delete => item.delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(self.names)
                    .set_expression_attribute_values(self.values)
                    .build()
                    .map_err(build_error)?,
            ),
            OpKind::Check => item.condition_check(
                ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(self.names)
                    .set_expression_attribute_values(self.values)
                    .build()
                    .map_err(build_error)?,
            ),
        }
        .build())
    }
}

fn conflict() -> Error {
    Error::conflict(
        code::CONCURRENT_UPDATE,
        "the resource was changed by another request; read it again and retry",
    )
}

pub(super) fn build_error(err: BuildError) -> Error {
    Error::internal(format!("building a DynamoDB request: {err}"))
}

fn render<E>(operation: &str, err: &SdkError<E>) -> String
where
    E: std::error::Error + 'static,
{
    format!("DynamoDB {operation}: {}", DisplayErrorContext(err))
}

/// Like [`classify`], reading the cancellation reasons of a cancelled transaction.
fn classify_transaction(err: SdkError<TransactWriteItemsError>) -> Error {
    if let Some(TransactWriteItemsError::TransactionCanceledException(e)) = err.as_service_error() {
        let mut reasons = e.cancellation_reasons().iter().filter_map(|r| r.code());
        if reasons.clone().any(|r| r == "ConditionalCheckFailed") {
            return conflict();
        }
        if reasons.any(|r| TRANSIENT.contains(&r)) {
            return Error::transient(render("TransactWriteItems", &err));
        }
    }
    classify("TransactWriteItems", err)
}

/// Maps an SDK error to the domain error, per the contract on [`DynamoStore`].
pub(super) fn classify<E>(operation: &str, err: SdkError<E>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    ) {
        return Error::transient(render(operation, &err));
    }
    match err.code() {
        Some("ConditionalCheckFailedException") => conflict(),
        Some(c) if TRANSIENT.contains(&c) => Error::transient(render(operation, &err)),
        _ => Error::internal(render(operation, &err)),
    }
}
