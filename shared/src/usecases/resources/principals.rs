//! Operator administration of principals and authentication of every management call.

use serde::{Deserialize, Serialize};

use crate::auth::{ApiKey, Caller, KeyHash, Principal, check_principal_name};
use crate::error::{Error, Result, code};
use crate::ids::SubscriptionId;
use crate::ports::{Expect, Ports, Write};
use crate::table::{self, Versioned};
use crate::usecases::support::listing::{Listed, PageRequest, list_prefix};
use crate::usecases::support::updates::{self, Change};

/// The most subscriptions one principal may own.
pub const MAX_SUBSCRIPTIONS: usize = 50;

/// How many times a PATCH reads and writes the principal before answering 409.
const TRIES: usize = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePrincipal {
    pub name: String,
    pub subscriptions: Vec<String>,
    #[serde(default)]
    pub aws_accounts: Vec<String>,
}

/// The answer to a create: the only time the key is shown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedPrincipal {
    pub name: String,
    pub subscriptions: Vec<SubscriptionId>,
    pub aws_accounts: Vec<String>,
    pub key: String,
}

/// A PATCH of a principal: the properties it names change.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchPrincipal {
    pub aws_accounts: Option<Vec<String>>,
}

/// A principal as a PATCH answers it (never its key).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalView {
    pub name: String,
    pub subscriptions: Vec<SubscriptionId>,
    pub aws_accounts: Vec<String>,
}

impl From<Principal> for PrincipalView {
    fn from(principal: Principal) -> Self {
        Self {
            name: principal.name,
            subscriptions: principal.subscriptions,
            aws_accounts: principal.aws_accounts,
        }
    }
}

/// One subscription as Azure's `GET /subscriptions` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub id: String,
    pub subscription_id: SubscriptionId,
    /// The owning principal's name.
    pub display_name: String,
    pub state: &'static str,
}

/// The subscriptions the caller owns, in order; none for the operator, who owns none.
pub fn subscriptions_of(caller: &Caller) -> Vec<SubscriptionView> {
    match caller {
        Caller::Operator => Vec::new(),
        Caller::Principal(principal) => principal
            .subscriptions
            .iter()
            .map(|s| SubscriptionView {
                id: format!("/subscriptions/{s}"),
                subscription_id: *s,
                display_name: principal.name.clone(),
                state: "Enabled",
            })
            .collect(),
    }
}

/// The principals by name, a page at a time (operator only; never a key or its hash).
pub async fn list_principals(
    ports: &Ports,
    caller: &Caller,
    page: &PageRequest,
) -> Result<Listed<PrincipalView>> {
    caller.require_operator()?;
    let listed: Listed<Principal> =
        list_prefix(ports.store.as_ref(), table::PRINCIPALS, "", page).await?;
    Ok(Listed {
        items: listed.items.into_iter().map(PrincipalView::from).collect(),
        skip_token: listed.skip_token,
    })
}

/// The most AWS accounts one principal may be bound to.
pub const MAX_AWS_ACCOUNTS: usize = 100;

/// 12-digit account ids, at most [`MAX_AWS_ACCOUNTS`], sorted without repeats.
fn check_accounts(mut accounts: Vec<String>) -> Result<Vec<String>> {
    if let Some(bad) = accounts
        .iter()
        .find(|a| !crate::subscriptions::aws::is_account_id(a))
    {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("awsAccounts: '{bad}' is not an AWS account id (12 digits)"),
        ));
    }
    accounts.sort();
    accounts.dedup();
    if accounts.len() > MAX_AWS_ACCOUNTS {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("awsAccounts holds at most {MAX_AWS_ACCOUNTS} accounts"),
        ));
    }
    Ok(accounts)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyIndex {
    principal: String,
}

/// Resolves a presented key to the operator or a principal; anything else is 401.
pub async fn authenticate(ports: &Ports, operator: &KeyHash, presented: &str) -> Result<Caller> {
    let hash = ApiKey::from_secret(presented).hash();
    if hash.matches(operator) {
        return Ok(Caller::Operator);
    }
    let failed = || {
        Error::unauthorized(
            code::AUTHENTICATION_FAILED,
            "the bearer key is not valid (revoked, mistyped or from another deployment)",
        )
    };
    let index: KeyIndex = table::get(ports.store.as_ref(), &table::api_key_index(&hash.hex()))
        .await?
        .ok_or_else(failed)?
        .value;
    let principal: Principal = table::get(
        ports.store.as_ref(),
        &table::principal_key(&index.principal),
    )
    .await?
    .ok_or_else(failed)?
    .value;
    if hash.matches_hex(&principal.key_hash) {
        Ok(Caller::Principal(principal))
    } else {
        Err(failed())
    }
}

/// Creates a principal owning the given subscriptions; each subscription has one owner.
pub async fn create_principal(
    ports: &Ports,
    caller: &Caller,
    input: CreatePrincipal,
) -> Result<CreatedPrincipal> {
    caller.require_operator()?;
    check_principal_name(&input.name)?;
    let mut subscriptions = input
        .subscriptions
        .iter()
        .map(|s| SubscriptionId::parse(s))
        .collect::<Result<Vec<_>>>()?;
    subscriptions.sort();
    subscriptions.dedup();
    if subscriptions.is_empty() || subscriptions.len() > MAX_SUBSCRIPTIONS {
        return Err(Error::invalid(
            code::INVALID_PROPERTY,
            format!("subscriptions needs 1 to {MAX_SUBSCRIPTIONS} subscription ids (UUIDs)"),
        ));
    }
    let aws_accounts = check_accounts(input.aws_accounts)?;
    let key = ApiKey::generate()?;
    let hash = key.hash().hex();
    let principal = Principal {
        name: input.name.clone(),
        subscriptions: subscriptions.clone(),
        key_hash: hash.clone(),
        aws_accounts: aws_accounts.clone(),
    };
    let index = KeyIndex {
        principal: input.name.clone(),
    };
    let mut writes = vec![
        table::put(
            table::principal_key(&input.name),
            &principal,
            Expect::Absent,
        )?,
        table::put(table::api_key_index(&hash), &index, Expect::Absent)?,
    ];
    for s in &subscriptions {
        writes.push(table::put(table::owner_key(*s), &index, Expect::Absent)?);
    }
    match ports.store.write(writes).await {
        Ok(()) => Ok(CreatedPrincipal {
            name: input.name,
            subscriptions,
            aws_accounts,
            key: key.secret().to_owned(),
        }),
        Err(e) if e.is_conflict() => {
            Err(explain_conflict(ports, &input.name, &subscriptions).await?)
        }
        Err(e) => Err(e),
    }
}

/// Changes what a PATCH names (the bound AWS accounts). A subscription written before keeps
/// its destination; the accounts are checked when a destination is written.
pub async fn patch_principal(
    ports: &Ports,
    caller: &Caller,
    name: &str,
    patch: PatchPrincipal,
) -> Result<PrincipalView> {
    caller.require_operator()?;
    check_principal_name(name)?;
    let accounts = patch.aws_accounts.map(check_accounts).transpose()?;
    let key = table::principal_key(name);
    let patched = updates::update(ports, &key, TRIES, |found: Option<Versioned<Principal>>| {
        let found = found.ok_or_else(|| {
            Error::not_found(
                code::RESOURCE_NOT_FOUND,
                format!("there is no principal named '{name}'"),
            )
        })?;
        let expect = found.expect();
        let mut principal = found.value;
        if let Some(accounts) = &accounts {
            principal.aws_accounts = accounts.clone();
        }
        Change::put(key.clone(), principal, expect)
    })
    .await;
    match patched {
        Ok(principal) => Ok(principal.into()),
        Err(e) if e.is_conflict() => Err(Error::conflict(
            code::CONCURRENT_UPDATE,
            "the principal kept changing meanwhile; retry",
        )),
        Err(e) => Err(e),
    }
}

async fn explain_conflict(
    ports: &Ports,
    name: &str,
    subscriptions: &[SubscriptionId],
) -> Result<Error> {
    if ports
        .store
        .get(&table::principal_key(name))
        .await?
        .is_some()
    {
        return Ok(Error::conflict(
            code::PRINCIPAL_EXISTS,
            format!("a principal named '{name}' exists; choose another name or delete it first"),
        ));
    }
    for s in subscriptions {
        if ports.store.get(&table::owner_key(*s)).await?.is_some() {
            return Ok(Error::conflict(
                code::SUBSCRIPTION_OWNED,
                format!("subscription '{s}' already belongs to another principal"),
            ));
        }
    }
    Ok(Error::conflict(
        code::CONCURRENT_UPDATE,
        "a concurrent change interfered; retry",
    ))
}

/// Revokes a principal: its key stops working and its subscriptions become unowned. The
/// resources under those subscriptions stay. Deleting an unknown principal succeeds.
pub async fn delete_principal(ports: &Ports, caller: &Caller, name: &str) -> Result<()> {
    caller.require_operator()?;
    check_principal_name(name)?;
    let key = table::principal_key(name);
    let Some(found) = table::get::<Principal>(ports.store.as_ref(), &key).await? else {
        return Ok(());
    };
    let principal = found.value;
    let mut writes = vec![
        Write::Delete {
            key,
            expect: Expect::Version(found.version),
        },
        Write::Delete {
            key: table::api_key_index(&principal.key_hash),
            expect: Expect::Any,
        },
    ];
    for s in &principal.subscriptions {
        writes.push(Write::Delete {
            key: table::owner_key(*s),
            expect: Expect::Any,
        });
    }
    ports.store.write(writes).await
}
