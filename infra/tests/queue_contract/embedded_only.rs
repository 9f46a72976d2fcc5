//! Cases of the embedded adapter alone: durability across a reopen, the messages of a process
//! that died, stale receipts, and sends and acks sharing commits.

use std::slice;
use std::sync::Arc;
use std::time::Duration;

use infra::embedded::EmbeddedQueue;
use shared::ports::{ManualClock, Queue};
use time::OffsetDateTime;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_share_commits_and_each_is_whole_and_durable_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let queue = Arc::new(EmbeddedQueue::open(dir.path(), "grouped").unwrap());
    let sends = (0..200).map(|i| {
        let queue = queue.clone();
        tokio::spawn(async move {
            let bodies = (0..3).map(|j| format!("{i:03}-{j}")).collect();
            queue.send(bodies, Duration::ZERO).await.unwrap();
        })
    });
    for send in futures_util::future::join_all(sends).await {
        send.unwrap();
    }
    drop(queue);
    let reopened: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(dir.path(), "grouped").unwrap());
    let got = super::cases::receive_all(&reopened).await;
    let bodies: Vec<String> = got.iter().map(|m| m.body.clone()).collect();
    assert_eq!(bodies.len(), 600);
    for i in 0..200 {
        let at = |j| {
            bodies
                .iter()
                .position(|b| *b == format!("{i:03}-{j}"))
                .unwrap()
        };
        assert_eq!(
            at(1),
            at(0) + 1,
            "a send's messages stay together, in order"
        );
        assert_eq!(at(2), at(0) + 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acks_made_while_sends_commit_are_durable_when_they_return() {
    let dir = tempfile::tempdir().unwrap();
    let queue = Arc::new(EmbeddedQueue::open(dir.path(), "acks").unwrap());
    let first: Vec<String> = (0..100).map(|i| format!("first {i}")).collect();
    queue.send(first, Duration::ZERO).await.unwrap();
    let hour = Duration::from_secs(3600);
    let mut received = Vec::new();
    while received.len() < 100 {
        received.extend(queue.receive(10, hour, Duration::ZERO).await.unwrap());
    }
    let acks = received.chunks(10).map(|chunk| {
        let (queue, receipts) = (queue.clone(), chunk.iter().map(|m| m.receipt.clone()));
        let receipts: Vec<String> = receipts.collect();
        tokio::spawn(async move { queue.ack(&receipts).await.unwrap() })
    });
    let sends = (0..20).map(|i| {
        let queue = queue.clone();
        tokio::spawn(async move {
            queue
                .send(vec![format!("second {i}")], Duration::ZERO)
                .await
        })
    });
    let (acks, sends) = futures_util::future::join(
        futures_util::future::join_all(acks),
        futures_util::future::join_all(sends),
    )
    .await;
    for ack in acks {
        ack.unwrap();
    }
    for send in sends {
        send.unwrap().unwrap();
    }
    drop(queue);
    let reopened: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(dir.path(), "acks").unwrap());
    let got = super::cases::receive_all(&reopened).await;
    let mut bodies: Vec<String> = got.into_iter().map(|m| m.body).collect();
    bodies.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("second {i}")).collect();
    want.sort();
    assert_eq!(
        bodies, want,
        "every acked message is gone, every sent one kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let queue = EmbeddedQueue::open(dir.path(), "durable").unwrap();
    let sent: Vec<String> = (0..5).map(|i| format!("message {i}")).collect();
    queue.send(sent.clone(), Duration::ZERO).await.unwrap();
    let delayed = vec!["delayed".to_owned()];
    queue.send(delayed, Duration::from_secs(1)).await.unwrap();
    let in_flight = queue
        .receive(2, Duration::from_millis(200), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(in_flight.len(), 2);
    drop(queue);

    let reopened: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(dir.path(), "durable").unwrap());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = super::cases::receive_all(&reopened).await;
    let mut bodies: Vec<String> = got.iter().map(|m| m.body.clone()).collect();
    bodies.sort();
    let mut want = sent;
    want.push("delayed".to_owned());
    want.sort();
    assert_eq!(
        bodies, want,
        "received-but-unacked and delayed messages come back too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_in_flight_when_the_process_died_is_visible_at_once_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
    let queue = EmbeddedQueue::open_with_clock(dir.path(), "restart", clock.clone()).unwrap();
    queue
        .send(vec!["in flight".into()], Duration::ZERO)
        .await
        .unwrap();
    let hour = Duration::from_secs(3600);
    let taken = queue.receive(10, hour, Duration::ZERO).await.unwrap();
    assert_eq!(taken.len(), 1);
    queue
        .send(vec!["delayed".into()], Duration::from_secs(600))
        .await
        .unwrap();
    drop(queue);

    let reopened = EmbeddedQueue::open_with_clock(dir.path(), "restart", clock.clone()).unwrap();
    let got = reopened.receive(10, hour, Duration::ZERO).await.unwrap();
    assert_eq!(
        got.iter()
            .map(|m| (m.body.as_str(), m.receive_count))
            .collect::<Vec<_>>(),
        [("in flight", 2)],
        "the dead process's message is back at once, and a delayed one stays delayed"
    );
    drop(reopened);

    let again = EmbeddedQueue::open_with_clock(dir.path(), "restart", clock.clone()).unwrap();
    clock.advance(time::Duration::seconds(600));
    let got = again.receive(10, hour, Duration::ZERO).await.unwrap();
    let mut bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["delayed", "in flight"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_receipt_leaves_the_message_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let queue = EmbeddedQueue::open(dir.path(), "stale").unwrap();
    queue
        .send(vec!["kept".into()], Duration::ZERO)
        .await
        .unwrap();
    let visibility = Duration::from_secs(1);
    let first = queue.receive(10, visibility, Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = queue.receive(10, visibility, Duration::ZERO).await.unwrap();
    assert_eq!(second.len(), 1);
    queue.ack(slice::from_ref(&first[0].receipt)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let third = queue.receive(10, visibility, Duration::ZERO).await.unwrap();
    assert_eq!(third.len(), 1, "the stale ack removed nothing");
    assert_eq!(
        (third[0].body.as_str(), third[0].receive_count),
        ("kept", 3)
    );
    queue.ack(slice::from_ref(&third[0].receipt)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = queue.receive(10, visibility, Duration::ZERO).await.unwrap();
    assert!(after.is_empty(), "the current receipt removed it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_drained_backlog_gives_its_disk_space_back_before_the_next_send() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("queue-backlog.redb");
    let queue = EmbeddedQueue::open(dir.path(), "backlog").unwrap();
    let body = "x".repeat(100 * 1024);
    for _ in 0..20 {
        queue
            .send(vec![body.clone(); 10], Duration::ZERO)
            .await
            .unwrap();
    }
    let grown = std::fs::metadata(&file).unwrap().len();
    assert!(grown > 20 << 20, "200 messages of 100 KB: {grown} bytes");
    let hour = Duration::from_secs(3600);
    loop {
        let got = queue.receive(10, hour, Duration::ZERO).await.unwrap();
        if got.is_empty() {
            break;
        }
        let receipts: Vec<String> = got.into_iter().map(|m| m.receipt).collect();
        queue.ack(&receipts).await.unwrap();
    }

    let trimmed = std::fs::metadata(&file).unwrap().len();
    assert!(
        trimmed < 2 << 20,
        "the last ack returns with the file trimmed: {grown} bytes, then {trimmed}"
    );
    queue
        .send(vec!["after".into()], Duration::ZERO)
        .await
        .unwrap();
    let after = queue.receive(10, hour, Duration::ZERO).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].body, "after");
}
