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

/// Sends 20 MB, receives and acknowledges all of it, then sends `after` small messages.
async fn drain_a_backlog(queue: &EmbeddedQueue, after: usize) {
    let body = "x".repeat(100 * 1024);
    for _ in 0..20 {
        let bodies = vec![body.clone(); 10];
        queue.send(bodies, Duration::ZERO).await.unwrap();
    }
    let hour = Duration::from_secs(3600);
    loop {
        let got = queue.receive(10, hour, Duration::ZERO).await.unwrap();
        if got.is_empty() {
            break;
        }
        let receipts: Vec<String> = got.into_iter().map(|m| m.receipt).collect();
        queue.ack(&receipts).await.unwrap();
    }
    for i in 0..after {
        let bodies = vec![format!("after {i}")];
        queue.send(bodies, Duration::ZERO).await.unwrap();
    }
}

fn len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_drained_backlog_leaves_the_file_its_size_until_the_queue_closes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("queue-backlog.redb");
    let queue = EmbeddedQueue::open(dir.path(), "backlog").unwrap();
    drain_a_backlog(&queue, 10).await;
    let open = len(&file);
    assert!(
        open > 20 << 20,
        "no commit truncates the file while the queue is open: {open} bytes"
    );
    drop(queue);
    let closed = len(&file);
    assert!(
        closed < 2 << 20,
        "closing cuts the file to what it holds: {closed} bytes"
    );

    let reopened: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(dir.path(), "backlog").unwrap());
    let got = super::cases::receive_all(&reopened).await;
    assert_eq!(got.len(), 10, "the messages sent after the backlog");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_left_longer_by_a_crash_opens_with_every_message() {
    let dir = tempfile::tempdir().unwrap();
    let queue = EmbeddedQueue::open(dir.path(), "crash").unwrap();
    drain_a_backlog(&queue, 10).await;
    let crashed = tempfile::tempdir().unwrap();
    let copy = crashed.path().join("queue-crash.redb");
    std::fs::copy(dir.path().join("queue-crash.redb"), &copy).unwrap();
    assert!(
        len(&copy) > 20 << 20,
        "the copy keeps the open file's length"
    );

    let recovered: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open(crashed.path(), "crash").unwrap());
    let got = super::cases::receive_all(&recovered).await;
    let mut bodies: Vec<String> = got.into_iter().map(|m| m.body).collect();
    bodies.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("after {i}")).collect();
    want.sort();
    assert_eq!(bodies, want);
    recovered
        .send(vec!["more".into()], Duration::ZERO)
        .await
        .unwrap();
}
