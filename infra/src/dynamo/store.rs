//! `DynamoStore`: the `Store` port on one DynamoDB table (layout in the parent module).

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};
use shared::error::{Error, Result, code};
use shared::ports::{Expect, Item, Key, Page, Store, Write, check_batch};

use super::{Attrs, BODY, PK, SK, TTL, VER, key_attrs, n, parse_item, s};

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
        let (kind, key, expect) = match write {
            Write::Put { key, expect, .. } => (OpKind::Put, key, *expect),
            Write::Delete { key, expect } => (OpKind::Delete, key, *expect),
            Write::Check { key, expect } => (OpKind::Check, key, *expect),
        };
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        let condition = match expect {
            Expect::Absent => {
                names.insert("#pk", PK);
                Some("attribute_not_exists(#pk)")
            }
            Expect::Version(v) => {
                names.insert("#ver", VER);
                values.insert(":v", n(v));
                Some("#ver = :v")
            }
            Expect::Any if kind == OpKind::Check => return None,
            Expect::Any => None,
        };
        let mut update = None;
        if let Write::Put {
            body, expires_at, ..
        } = write
        {
            names.extend([("#body", BODY), ("#ver", VER), ("#ttl", TTL)]);
            values.extend([(":b", s(body)), (":one", n(1))]);
            update = Some(match expires_at {
                Some(at) => {
                    values.insert(":ttl", n(*at));
                    "SET #body = :b, #ttl = :ttl ADD #ver :one"
                }
                None => "SET #body = :b REMOVE #ttl ADD #ver :one",
            });
        }
        let owned = |k: &str| k.to_owned();
        Some(Op {
            kind,
            key: key_attrs(&key.partition, &key.sort),
            update: update.map(owned),
            condition: condition.map(owned),
            names: (!names.is_empty()).then(|| {
                names
                    .into_iter()
                    .map(|(k, v)| (owned(k), owned(v)))
                    .collect()
            }),
            values: (!values.is_empty())
                .then(|| values.into_iter().map(|(k, v)| (owned(k), v)).collect()),
        })
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
