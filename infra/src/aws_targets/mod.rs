//! The `Targets` adapter: AWS services as event handlers, through the AWS SDK, with the
//! deployment's own credentials or a role assumed per target. Each service's module sends
//! messages in that service's batch calls; a call's failure fails each of its messages, an
//! entry's failure only that entry.

mod credentials;
mod errors;
mod eventbridge;
mod kinesis;
mod lambda;
mod s3;
mod sns;
mod sqs;

use std::future::Future;
use std::ops::Range;
use std::sync::Arc;

use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use futures_util::StreamExt;
use shared::ports::{Attempt, Fault, ServiceError, TargetDelivery, TargetMessage, Targets};
use shared::subscriptions::aws::{Arn, Service, TargetRef};

/// Calls in flight at once for one delivery (one at a time to a FIFO queue or topic, to keep
/// its order).
const CONCURRENT_CALLS: usize = 4;

/// Delivers to AWS targets with the credentials and endpoint of `sdk`.
pub struct AwsTargets {
    sessions: credentials::Sessions,
    queues: sqs::QueueUrls,
}

impl AwsTargets {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self {
            sessions: credentials::Sessions::new(sdk),
            queues: sqs::QueueUrls::default(),
        }
    }

    /// The clients and parsed ARN for `target`: in the ARN's region (S3's has none: the
    /// deployment's own).
    async fn call<'a>(&self, target: &'a TargetRef) -> Result<Call<'a>, ServiceError> {
        let arn = Arn::parse(&target.arn).ok_or_else(|| {
            ServiceError::new(
                Fault::Unfit,
                0,
                "InvalidArn",
                format!("'{}' is not an ARN", target.arn),
            )
        })?;
        let region = match target.service {
            Service::S3 => None,
            _ => Some(arn.region.as_str()).filter(|r| !r.is_empty()),
        };
        let clients = self.sessions.clients(target, region).await;
        Ok(Call {
            clients,
            target,
            arn,
        })
    }
}

/// The clients of one set of credentials in one region.
struct Clients {
    sqs: aws_sdk_sqs::Client,
    sns: aws_sdk_sns::Client,
    events: aws_sdk_eventbridge::Client,
    kinesis: aws_sdk_kinesis::Client,
    lambda: aws_sdk_lambda::Client,
    s3: aws_sdk_s3::Client,
}

/// The longest one call to a target may take, its SDK retries included: a webhook's timeout,
/// so a slow target holds a fan-out invocation no longer than a slow endpoint does.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Clients {
    fn new(config: &aws_config::SdkConfig) -> Self {
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .operation_timeout(CALL_TIMEOUT)
            .build();
        let config = &config.to_builder().timeout_config(timeouts).build();
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build();
        Self {
            sqs: aws_sdk_sqs::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            kinesis: aws_sdk_kinesis::Client::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3),
        }
    }
}

/// One target, ready to call.
struct Call<'a> {
    clients: Arc<Clients>,
    target: &'a TargetRef,
    arn: Arn,
}

impl Call<'_> {
    /// What a failed SDK call means.
    fn failed<E>(&self, error: &SdkError<E>) -> ServiceError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        errors::sdk(error, self.target.role_arn.is_some())
    }

    /// Calls in flight at once: one for a FIFO queue or topic.
    fn concurrency(&self) -> usize {
        match self.arn.is_fifo() {
            true => 1,
            false => CONCURRENT_CALLS,
        }
    }
}

/// What became of one message: taken, or why not.
type Sent = Result<(), ServiceError>;

/// The `n` messages of a batch call whose answer names entries by id (their index in the
/// call): those `taken`, and those `refused` with why; one it names neither way has no answer.
fn by_id(
    n: usize,
    taken: impl IntoIterator<Item = String>,
    refused: impl IntoIterator<Item = (String, ServiceError)>,
) -> Vec<Sent> {
    let mut sent = vec![Err(errors::no_result()); n];
    let answers = taken
        .into_iter()
        .map(|id| (id, Ok(())))
        .chain(refused.into_iter().map(|(id, e)| (id, Err(e))));
    for (id, answer) in answers {
        if let Some(slot) = id.parse::<usize>().ok().and_then(|i| sent.get_mut(i)) {
            *slot = answer;
        }
    }
    sent
}

/// The `n` messages of a batch call whose answer lists entries in order, each with an error
/// code and message when it was refused (Kinesis, EventBridge).
fn in_order(
    n: usize,
    entries: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> Vec<Sent> {
    let mut sent: Vec<Sent> = entries
        .into_iter()
        .map(|(code, message)| match code {
            Some(code) => Err(errors::entry(&code, message.as_deref(), false)),
            None => Ok(()),
        })
        .collect();
    sent.resize(n, Err(errors::no_result()));
    sent
}

/// Splits `items` into consecutive runs of at most `count` items and `bytes` bytes (an item
/// larger than `bytes` goes alone).
fn runs<T>(
    items: &[T],
    count: usize,
    bytes: usize,
    size: impl Fn(&T) -> usize,
) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let (mut start, mut total) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let n = size(item);
        if i > start && (i - start == count || total + n > bytes) {
            runs.push(start..i);
            (start, total) = (i, 0);
        }
        total += n;
    }
    if start < items.len() {
        runs.push(start..items.len());
    }
    runs
}

/// Sends each run with `send`, `concurrency` at a time; the answers in the messages' order.
async fn send_runs<F, Fut>(runs: Vec<Range<usize>>, concurrency: usize, send: F) -> Vec<Sent>
where
    F: FnMut(Range<usize>) -> Fut,
    Fut: Future<Output = Vec<Sent>>,
{
    let answers: Vec<Vec<Sent>> = futures_util::stream::iter(runs)
        .map(send)
        .buffered(concurrency.max(1))
        .collect()
        .await;
    answers.into_iter().flatten().collect()
}

/// The size of a message's attributes as SQS and SNS count them (name, type and value).
fn attributes_size(message: &TargetMessage) -> usize {
    message
        .attributes
        .iter()
        .map(|(name, value)| name.len() + "String".len() + value.len())
        .sum()
}

fn not_a_destination() -> ServiceError {
    ServiceError::new(
        Fault::Unfit,
        0,
        "NotADestination",
        "an S3 bucket takes dead letters, not deliveries",
    )
}

#[async_trait::async_trait]
impl Targets for AwsTargets {
    async fn check(&self, target: &TargetRef) -> Result<(), String> {
        let call = self.call(target).await.map_err(|e| errors::said(&e))?;
        let checked = match target.service {
            Service::Sqs => self.queues.look_up(&call).await.map(drop),
            Service::Sns => sns::check(&call).await,
            Service::EventBridge => eventbridge::check(&call).await,
            Service::Kinesis => kinesis::check(&call).await,
            Service::Lambda => lambda::check(&call).await,
            Service::S3 => s3::check(&call).await,
        };
        checked.map_err(|e| errors::said(&e))
    }

    async fn deliver(&self, delivery: &TargetDelivery) -> Vec<Attempt> {
        let messages = &delivery.messages;
        if messages.is_empty() {
            return Vec::new();
        }
        let mut sent = match self.call(&delivery.target).await {
            Err(e) => vec![Err(e); messages.len()],
            Ok(call) => match delivery.target.service {
                Service::Sqs => sqs::deliver(&call, &self.queues, messages).await,
                Service::Sns => sns::deliver(&call, messages).await,
                Service::EventBridge => eventbridge::deliver(&call, messages).await,
                Service::Kinesis => kinesis::deliver(&call, messages).await,
                Service::Lambda => lambda::deliver(&call, messages).await,
                Service::S3 => vec![Err(not_a_destination()); messages.len()],
            },
        };
        sent.resize(messages.len(), Err(errors::no_result()));
        sent.into_iter()
            .map(|s| match s {
                Ok(()) => Attempt::answered(200),
                Err(e) => Attempt::Service(e),
            })
            .collect()
    }

    async fn put_object(
        &self,
        bucket: &TargetRef,
        key: &str,
        body: String,
    ) -> Result<(), ServiceError> {
        let call = self.call(bucket).await?;
        s3::put_object(&call, key, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_end_at_the_count_or_before_the_bytes_would_pass_the_limit() {
        let sizes = [3, 3, 3, 3, 3];
        assert_eq!(runs(&sizes, 2, 100, |s| *s), vec![0..2, 2..4, 4..5]);
        assert_eq!(runs(&sizes, 10, 7, |s| *s), vec![0..2, 2..4, 4..5]);
        assert_eq!(runs(&sizes, 10, 100, |s| *s), vec![0..5]);
    }

    #[test]
    fn a_message_larger_than_the_limit_goes_alone() {
        assert_eq!(runs(&[1, 9, 1], 10, 5, |s| *s), vec![0..1, 1..2, 2..3]);
        assert!(runs(&[] as &[usize], 10, 5, |s| *s).is_empty());
    }
}
