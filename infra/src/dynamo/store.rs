//! `DynamoStore`: the `Store` port on one DynamoDB table (layout in the parent module).

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, TransactWriteItem, Update};
use shared::error::{Error, Result, code};
use shared::ports::{Expect, Item, Key, MAX_WRITES, Page, Store, Write};

pub(super) const PK: &str = "pk";
pub(super) const SK: &str = "sk";
const VER: &str = "ver";
const BODY: &str = "body";
pub(super) const TTL: &str = "ttl";

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

type Attrs = HashMap<String, AttributeValue>;

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
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(err) => {
                if let Some(TransactWriteItemsError::TransactionCanceledException(e)) =
                    err.as_service_error()
                {
                    let reasons: Vec<&str> = e
                        .cancellation_reasons()
                        .iter()
                        .filter_map(|r| r.code())
                        .collect();
                    if reasons.contains(&"ConditionalCheckFailed") {
                        return Err(conflict());
                    }
                    if reasons.iter().any(|r| TRANSIENT.contains(r)) {
                        return Err(Error::transient(render("TransactWriteItems", &err)));
                    }
                }
                Err(classify("TransactWriteItems", err))
            }
        }
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
        if writes.len() > MAX_WRITES {
            return Err(Error::internal(format!(
                "a store write carries {} writes; at most {MAX_WRITES} are allowed",
                writes.len()
            )));
        }
        let mut keys = HashSet::with_capacity(writes.len());
        if let Some(dup) = writes.iter().map(Write::key).find(|k| !keys.insert(*k)) {
            return Err(Error::internal(format!(
                "a store write touches {}/{} twice",
                dup.partition, dup.sort
            )));
        }
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
    names: HashMap<String, String>,
    values: Attrs,
}

impl Op {
    /// `None` for a check that holds trivially.
    fn from_write(write: &Write) -> Option<Op> {
        let key = write.key();
        let mut op = Op {
            kind: OpKind::Check,
            key: key_attrs(&key.partition, &key.sort),
            update: None,
            condition: None,
            names: HashMap::new(),
            values: HashMap::new(),
        };
        let expect = match write {
            Write::Put {
                body,
                expires_at,
                expect,
                ..
            } => {
                op.kind = OpKind::Put;
                op.name(BODY);
                op.name(VER);
                op.name(TTL);
                op.values.insert(":b".to_owned(), s(body));
                op.values.insert(":one".to_owned(), n(1));
                op.update = Some(match expires_at {
                    Some(at) => {
                        op.values.insert(":ttl".to_owned(), n(*at));
                        "SET #body = :b, #ttl = :ttl ADD #ver :one".to_owned()
                    }
                    None => "SET #body = :b REMOVE #ttl ADD #ver :one".to_owned(),
                });
                *expect
            }
            Write::Delete { expect, .. } => {
                op.kind = OpKind::Delete;
                *expect
            }
            Write::Check { expect, .. } => *expect,
        };
        op.condition = match expect {
            Expect::Absent => Some(format!("attribute_not_exists({})", op.name(PK))),
            Expect::Version(v) => {
                op.values.insert(":v".to_owned(), n(v));
                Some(format!("{} = :v", op.name(VER)))
            }
            Expect::Any => None,
        };
        (op.kind != OpKind::Check || op.condition.is_some()).then_some(op)
    }

    fn name(&mut self, attr: &str) -> String {
        let placeholder = format!("#{attr}");
        self.names.insert(placeholder.clone(), attr.to_owned());
        placeholder
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<Attrs> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    async fn send_alone(self, store: &DynamoStore) -> Result<()> {
        let (table, client) = (&store.table, &store.client);
        match self.kind {
            OpKind::Put => client
                .update_item()
                .table_name(table)
                .set_key(Some(self.key.clone()))
                .set_update_expression(self.update.clone())
                .set_condition_expression(self.condition.clone())
                .set_expression_attribute_names(self.names())
                .set_expression_attribute_values(self.values())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("UpdateItem", e)),
            OpKind::Check => store.transact(vec![self]).await,
            OpKind::Delete => client
                .delete_item()
                .table_name(table)
                .set_key(Some(self.key.clone()))
                .set_condition_expression(self.condition.clone())
                .set_expression_attribute_names(self.names())
                .set_expression_attribute_values(self.values())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("DeleteItem", e)),
        }
    }

    fn transact_item(self, table: &str) -> Result<TransactWriteItem> {
        let (names, values) = (self.names(), self.values());
        let item = TransactWriteItem::builder();
        Ok(match self.kind {
            OpKind::Put => item.update(
                Update::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_update_expression(self.update)
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?,
            ),
            OpKind::Delete => item.delete(
                Delete::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?,
            ),
            OpKind::Check => item.condition_check(
                ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(self.key))
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(build_error)?,
            ),
        }
        .build())
    }
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

fn parse_item(mut attrs: Attrs) -> Result<Item> {
    let partition = take_s(&mut attrs, PK)?;
    let sort = take_s(&mut attrs, SK)?;
    let body = take_s(&mut attrs, BODY)?;
    let version = take_n(&mut attrs, VER)?.ok_or_else(|| malformed(VER))?;
    let expires_at = take_n(&mut attrs, TTL)?;
    Ok(Item {
        key: Key { partition, sort },
        version,
        body,
        expires_at,
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
