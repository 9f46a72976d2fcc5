//! The `Queue` contract: every case runs against every adapter (embedded redb; SQS on the
//! emulator), each on a fresh queue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

on_every_queue!(
    cases: send_then_receive_returns_every_body_once,
    a_batch_larger_than_ten_messages_and_256_kib_is_sent_whole,
    ack_removes_a_message_for_good,
    an_unacked_message_comes_back_after_its_visibility_timeout_with_a_higher_count,
    a_delayed_message_stays_hidden_until_its_delay,
    receive_waits_for_a_message_that_arrives,
    an_empty_queue_answers_nothing_after_the_wait,
    a_body_over_the_limit_is_refused,
    a_stale_receipt_is_ignored,
);

#[cfg(test)]
mod cases {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::time::Duration;

    use shared::ports::{MAX_MESSAGE_BYTES, Queue, Received};

    type Q = Arc<dyn Queue>;
    const HIDE: Duration = Duration::from_secs(30);

    async fn receive_all(queue: &Q, visibility: Duration) -> Vec<Received> {
        let mut out = Vec::new();
        loop {
            let got = queue.receive(10, visibility, Duration::ZERO).await.unwrap();
            if got.is_empty() {
                return out;
            }
            out.extend(got);
        }
    }

    fn bodies(got: &[Received]) -> BTreeSet<String> {
        got.iter().map(|m| m.body.clone()).collect()
    }

    pub async fn send_then_receive_returns_every_body_once(queue: Q) {
        let sent: BTreeSet<String> = (0..15).map(|i| format!("message {i}")).collect();
        queue
            .send(sent.iter().cloned().collect(), Duration::ZERO)
            .await
            .unwrap();
        let got = receive_all(&queue, HIDE).await;
        assert_eq!(got.len(), 15);
        assert_eq!(bodies(&got), sent);
        assert!(got.iter().all(|m| m.receive_count == 1));
    }

    pub async fn a_batch_larger_than_ten_messages_and_256_kib_is_sent_whole(queue: Q) {
        let sent: Vec<String> = (0..25)
            .map(|i| format!("{i:03}{}", "x".repeat(20 * 1024)))
            .collect();
        queue.send(sent.clone(), Duration::ZERO).await.unwrap();
        assert_eq!(
            bodies(&receive_all(&queue, HIDE).await),
            sent.into_iter().collect()
        );
    }

    pub async fn ack_removes_a_message_for_good(queue: Q) {
        queue
            .send(vec!["once".into()], Duration::ZERO)
            .await
            .unwrap();
        let got = queue
            .receive(10, Duration::from_secs(1), Duration::ZERO)
            .await
            .unwrap();
        queue.ack(&[got[0].receipt.clone()]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(receive_all(&queue, HIDE).await.is_empty());
    }

    pub async fn an_unacked_message_comes_back_after_its_visibility_timeout_with_a_higher_count(
        queue: Q,
    ) {
        queue
            .send(vec!["again".into()], Duration::ZERO)
            .await
            .unwrap();
        let first = queue
            .receive(10, Duration::from_secs(1), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert!(
            queue
                .receive(10, HIDE, Duration::ZERO)
                .await
                .unwrap()
                .is_empty(),
            "hidden while in flight"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let second = queue.receive(10, HIDE, Duration::ZERO).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].body, "again");
        assert_eq!(second[0].receive_count, 2);
    }

    pub async fn a_delayed_message_stays_hidden_until_its_delay(queue: Q) {
        queue
            .send(vec!["later".into()], Duration::from_secs(1))
            .await
            .unwrap();
        assert!(
            queue
                .receive(10, HIDE, Duration::ZERO)
                .await
                .unwrap()
                .is_empty()
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            bodies(&receive_all(&queue, HIDE).await),
            ["later".to_owned()].into()
        );
    }

    pub async fn receive_waits_for_a_message_that_arrives(queue: Q) {
        let sender = queue.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            sender
                .send(vec!["arrived".into()], Duration::ZERO)
                .await
                .unwrap();
        });
        let started = std::time::Instant::now();
        let got = queue
            .receive(10, HIDE, Duration::from_secs(3))
            .await
            .unwrap();
        assert_eq!(bodies(&got), ["arrived".to_owned()].into());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "it did not wait out the whole wait"
        );
    }

    pub async fn an_empty_queue_answers_nothing_after_the_wait(queue: Q) {
        let started = std::time::Instant::now();
        assert!(
            queue
                .receive(10, HIDE, Duration::from_secs(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(started.elapsed() >= Duration::from_millis(900));
    }

    pub async fn a_body_over_the_limit_is_refused(queue: Q) {
        let e = queue
            .send(
                vec!["ok".into(), "x".repeat(MAX_MESSAGE_BYTES + 1)],
                Duration::ZERO,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "MessageTooLarge");
        assert!(
            receive_all(&queue, HIDE).await.is_empty(),
            "nothing of a refused send is stored"
        );
    }

    pub async fn a_stale_receipt_is_ignored(queue: Q) {
        queue
            .send(vec!["kept".into()], Duration::ZERO)
            .await
            .unwrap();
        let first = queue
            .receive(10, Duration::from_secs(1), Duration::ZERO)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let second = queue
            .receive(10, Duration::from_secs(1), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(second.len(), 1);
        queue.ack(&[first[0].receipt.clone()]).await.unwrap();
        queue.ack(&[second[0].receipt.clone()]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(receive_all(&queue, HIDE).await.is_empty());
    }
}

#[tokio::test]
async fn nothing_in_the_embedded_queue_is_lost_across_a_reopen() {
    use shared::ports::Queue;
    let dir = tempfile::tempdir().unwrap();
    let queue = infra::embedded::EmbeddedQueue::open(dir.path(), "durable").unwrap();
    queue
        .send(
            (0..5).map(|i| i.to_string()).collect(),
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    let in_flight = queue
        .receive(
            2,
            std::time::Duration::from_millis(200),
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    assert_eq!(in_flight.len(), 2);
    drop(queue);
    let reopened = infra::embedded::EmbeddedQueue::open(dir.path(), "durable").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got = reopened
        .receive(
            10,
            std::time::Duration::from_secs(30),
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    assert_eq!(got.len(), 5, "received-but-unacked messages come back too");
}

#[tokio::test]
async fn a_poison_sqs_message_moves_to_the_dlq_after_max_receives() {
    use shared::ports::Queue;
    let name = uuid::Uuid::new_v4().to_string();
    let queue = support::sqs_queue(&name, 2).await;
    queue
        .send(vec!["poison".into()], std::time::Duration::ZERO)
        .await
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            queue
                .receive(
                    1,
                    std::time::Duration::ZERO,
                    std::time::Duration::from_secs(1)
                )
                .await
                .unwrap()
                .len(),
            1
        );
    }
    assert!(
        queue
            .receive(1, std::time::Duration::ZERO, std::time::Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
    let client = support::sqs_client();
    let url = client
        .get_queue_url()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .unwrap();
    let dlq = infra::sqs::SqsQueue::new(client, url.queue_url().unwrap());
    let dead = dlq
        .receive(
            1,
            std::time::Duration::from_secs(30),
            std::time::Duration::ZERO,
        )
        .await
        .unwrap();
    assert_eq!(dead[0].body, "poison");
}
