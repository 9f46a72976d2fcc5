//! The `Queue` contract: every case runs against every adapter, each on a fresh queue
//! (embedded: a new temporary directory; SQS: a new uniquely named queue, with its dead-letter
//! queue after 3 receives, on the emulator at `PARTNER_EVENTS_TEST_AWS_ENDPOINT`). Cases that
//! only one adapter can show (a reopen; a redrive) follow the shared ones.

on_every_queue!(cases:
    send_then_receive_returns_every_body_once,
    a_batch_larger_than_ten_and_256_kib_is_sent_whole,
    ack_removes_a_message_for_good,
    an_unacked_message_is_redelivered_after_its_visibility_timeout_with_a_higher_receive_count,
    a_delayed_message_stays_hidden_until_its_delay,
    receive_waits_for_a_message_up_to_wait,
    an_empty_queue_returns_nothing_after_wait,
    a_body_over_the_limit_is_refused,
    a_stale_receipt_is_ignored,
    an_empty_send_and_an_empty_ack_succeed,
);

/// The cases, each on a fresh queue.
#[cfg(test)]
mod cases {
    use std::collections::BTreeSet;
    use std::slice;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use shared::error::ErrorKind;
    use shared::ports::{MAX_MESSAGE_BYTES, Queue, Received};

    type Q = Arc<dyn Queue>;

    /// A visibility that outlasts any case.
    const HIDE: Duration = Duration::from_secs(30);
    const SHORT: Duration = Duration::from_secs(1);
    /// Long enough for a [`SHORT`] visibility or delay to pass.
    const LAPSE: Duration = Duration::from_millis(1500);

    async fn send(queue: &Q, bodies: &[&str], delay: Duration) {
        let bodies = bodies.iter().map(|b| (*b).to_owned()).collect();
        queue.send(bodies, delay).await.unwrap();
    }

    async fn receive(queue: &Q, visibility: Duration) -> Vec<Received> {
        queue.receive(10, visibility, Duration::ZERO).await.unwrap()
    }

    /// Receives (hiding for [`HIDE`]) until a receive comes back empty.
    pub(crate) async fn receive_all(queue: &Q) -> Vec<Received> {
        let mut out = Vec::new();
        loop {
            let got = receive(queue, HIDE).await;
            if got.is_empty() {
                return out;
            }
            out.extend(got);
        }
    }

    fn bodies(got: &[Received]) -> Vec<String> {
        let mut bodies: Vec<String> = got.iter().map(|m| m.body.clone()).collect();
        bodies.sort();
        bodies
    }

    fn strings(bodies: &[&str]) -> Vec<String> {
        bodies.iter().map(|b| (*b).to_owned()).collect()
    }

    pub async fn send_then_receive_returns_every_body_once(queue: Q) {
        let sent: Vec<String> = (0..15).map(|i| format!("message {i:02}")).collect();
        queue.send(sent.clone(), Duration::ZERO).await.unwrap();
        let got = receive_all(&queue).await;
        assert_eq!(bodies(&got), sent);
        assert!(got.iter().all(|m| m.receive_count == 1), "{got:?}");
        let receipts: BTreeSet<&str> = got.iter().map(|m| m.receipt.as_str()).collect();
        assert_eq!(receipts.len(), got.len(), "every receipt is distinct");
    }

    pub async fn a_batch_larger_than_ten_and_256_kib_is_sent_whole(queue: Q) {
        let sent: Vec<String> = (0..25)
            .map(|i| format!("{i:03}{}", "x".repeat(20 * 1024)))
            .collect();
        queue.send(sent.clone(), Duration::ZERO).await.unwrap();
        let got = receive_all(&queue).await;
        assert_eq!(got.len(), 25, "every body exactly once");
        assert_eq!(bodies(&got), sent);
    }

    pub async fn ack_removes_a_message_for_good(queue: Q) {
        send(&queue, &["once", "kept"], Duration::ZERO).await;
        let got = receive(&queue, SHORT).await;
        assert_eq!(got.len(), 2);
        let once = got.iter().find(|m| m.body == "once").unwrap();
        queue.ack(slice::from_ref(&once.receipt)).await.unwrap();
        tokio::time::sleep(LAPSE).await;
        assert_eq!(bodies(&receive_all(&queue).await), strings(&["kept"]));
    }

    pub async fn an_unacked_message_is_redelivered_after_its_visibility_timeout_with_a_higher_receive_count(
        queue: Q,
    ) {
        send(&queue, &["again"], Duration::ZERO).await;
        let first = receive(&queue, SHORT).await;
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].receive_count, 1);
        assert!(
            receive(&queue, HIDE).await.is_empty(),
            "hidden while in flight"
        );
        tokio::time::sleep(LAPSE).await;
        let second = receive(&queue, HIDE).await;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].body, "again");
        assert_eq!(second[0].receive_count, 2);
        assert_ne!(
            second[0].receipt, first[0].receipt,
            "a new receipt per receive"
        );
    }

    pub async fn a_delayed_message_stays_hidden_until_its_delay(queue: Q) {
        send(&queue, &["later"], SHORT).await;
        send(&queue, &["now"], Duration::ZERO).await;
        assert_eq!(bodies(&receive_all(&queue).await), strings(&["now"]));
        tokio::time::sleep(LAPSE).await;
        let got = receive_all(&queue).await;
        assert_eq!(bodies(&got), strings(&["later"]));
        assert_eq!(got[0].receive_count, 1);
    }

    pub async fn receive_waits_for_a_message_up_to_wait(queue: Q) {
        let sender = queue.clone();
        let sending = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            send(&sender, &["arrived"], Duration::ZERO).await;
        });
        let started = Instant::now();
        let got = queue
            .receive(10, HIDE, Duration::from_secs(3))
            .await
            .unwrap();
        let waited = started.elapsed();
        sending.await.unwrap();
        assert_eq!(bodies(&got), strings(&["arrived"]));
        assert!(
            waited >= Duration::from_millis(250),
            "it waited: {waited:?}"
        );
        assert!(
            waited < Duration::from_millis(2500),
            "it answered when the message came, not at the end of the wait: {waited:?}"
        );
    }

    pub async fn an_empty_queue_returns_nothing_after_wait(queue: Q) {
        let started = Instant::now();
        let got = queue.receive(10, HIDE, SHORT).await.unwrap();
        let waited = started.elapsed();
        assert!(got.is_empty());
        assert!(
            waited >= Duration::from_millis(900),
            "it waited: {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(5),
            "not much longer: {waited:?}"
        );
    }

    pub async fn a_body_over_the_limit_is_refused(queue: Q) {
        let err = queue
            .send(
                vec!["ok".into(), "x".repeat(MAX_MESSAGE_BYTES + 1)],
                Duration::ZERO,
            )
            .await
            .unwrap_err();
        assert_eq!(
            (err.kind, err.code),
            (ErrorKind::Invalid, "MessageTooLarge"),
            "{err}"
        );
        assert!(
            receive_all(&queue).await.is_empty(),
            "nothing of a refused send is stored"
        );
        let at_the_limit = "y".repeat(MAX_MESSAGE_BYTES);
        queue
            .send(vec![at_the_limit.clone()], Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(bodies(&receive_all(&queue).await), [at_the_limit]);
    }

    /// An ack with a receipt of an earlier receive is no error. Whether it also removes the
    /// message differs (the embedded queue ignores it; SQS may remove it, moto always does):
    /// see `embedded_only::a_stale_receipt_leaves_the_message_in_place`.
    pub async fn a_stale_receipt_is_ignored(queue: Q) {
        send(&queue, &["kept"], Duration::ZERO).await;
        let first = receive(&queue, SHORT).await;
        assert_eq!(first.len(), 1);
        tokio::time::sleep(LAPSE).await;
        let second = receive(&queue, HIDE).await;
        assert_eq!(second.len(), 1);
        queue.ack(slice::from_ref(&first[0].receipt)).await.unwrap();
        queue.ack(slice::from_ref(&first[0].receipt)).await.unwrap();
        queue
            .ack(slice::from_ref(&second[0].receipt))
            .await
            .unwrap();
        queue
            .ack(slice::from_ref(&second[0].receipt))
            .await
            .unwrap();
        assert!(receive_all(&queue).await.is_empty());
    }

    pub async fn an_empty_send_and_an_empty_ack_succeed(queue: Q) {
        queue.send(Vec::new(), Duration::ZERO).await.unwrap();
        queue.ack(&[]).await.unwrap();
        assert!(receive_all(&queue).await.is_empty());
    }
}

mod embedded_only;

/// Cases of the SQS adapter alone, on the emulator.
mod sqs_only {
    use std::time::Duration;

    use infra::sqs::SqsQueue;
    use shared::ports::Queue;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_poison_message_moves_to_the_dlq_after_max_receives() {
        let name = uuid::Uuid::new_v4().to_string();
        let queue = crate::support::sqs_queue(&name, 2).await;
        queue
            .send(vec!["poison".into()], Duration::ZERO)
            .await
            .unwrap();
        let mut receives = 0;
        for _ in 0..10 {
            let got = queue
                .receive(10, Duration::ZERO, Duration::from_secs(1))
                .await
                .unwrap();
            if got.is_empty() {
                break;
            }
            receives += 1;
            assert_eq!(got[0].receive_count, receives, "{got:?}");
        }
        assert_eq!(receives, 2, "received max_receives times, then gone");

        let client = crate::support::sqs_client();
        let dlq_url = client
            .get_queue_url()
            .queue_name(format!("{name}-dlq"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let dlq = SqsQueue::new(client, dlq_url);
        let dead = dlq
            .receive(10, Duration::from_secs(30), Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].body, "poison");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn create_if_missing_twice_returns_the_same_queue() {
        let name = uuid::Uuid::new_v4().to_string();
        let first = crate::support::sqs_queue(&name, 3).await;
        let again = crate::support::sqs_queue(&name, 3).await;
        first
            .send(vec!["one".into()], Duration::ZERO)
            .await
            .unwrap();
        let got = again
            .receive(10, Duration::from_secs(30), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "one");
    }
}
