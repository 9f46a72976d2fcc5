//! Filter engine benchmarks: one ~1 KB CloudEvent against a topic of 500 subscriptions with 5
//! advanced filters each (mixed operators), and compile + match of a single subscription.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use shared::filter::{CompiledFilter, EventSubscriptionFilter, TopicMatcher};

const SUBSCRIPTIONS: usize = 500;
const EVENT_TYPE: &str = "Contoso.Orders.OrderCreated";

fn event() -> Value {
    json!({
        "specversion": "1.0",
        "id": "4f6e2d1c-8a9b-4c3d-9e7f-0a1b2c3d4e5f",
        "source": "/partners/contoso/regions/westeurope/orders",
        "type": EVENT_TYPE,
        "subject": "/orders/2025/ORD-0012345",
        "time": "2025-06-01T12:34:56.789Z",
        "datacontenttype": "application/json",
        "tenant": "Tenant-7",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "data": {
            "orderId": "ORD-0012345",
            "amount": 125.5,
            "quantity": 3,
            "currency": "EUR",
            "priority": true,
            "channel": "web",
            "customer": {
                "id": "C-000991",
                "tier": "Gold",
                "country": "NL",
                "email": "jane.doe@example.com",
                "since": 2019
            },
            "tags": ["vip", "express", "gift", "newsletter"],
            "items": [
                {"sku": "SKU-1001", "name": "Espresso machine", "qty": 1, "price": 99.0},
                {"sku": "SKU-2002", "name": "Coffee beans 1kg", "qty": 2, "price": 13.25}
            ],
            "shipping": {"method": "Express", "carrier": "PostNL", "postcode": "1011 AB", "street": "Damrak 12", "city": "Amsterdam"},
            "notes": "Leave the parcel with the neighbours at number 12 if nobody is at home; express delivery requested by the customer."
        }
    })
}

/// Five advanced filters for subscription `i`, drawn from a pool of mixed operators with
/// thresholds varying by `i`, so that some subscriptions match and all must be evaluated.
fn advanced_filters(i: usize) -> Vec<Value> {
    let pool = [
        json!({"operatorType": "StringIn", "key": "data.customer.tier", "values": ["gold", "platinum", format!("tier-{i}")]}),
        json!({"operatorType": "NumberGreaterThanOrEquals", "key": "data.amount", "value": i % 150}),
        json!({"operatorType": "NumberInRange", "key": "data.quantity", "values": [[1, 1 + i % 10]]}),
        json!({"operatorType": "StringBeginsWith", "key": "subject", "values": ["/orders/", format!("/returns/{i}")]}),
        json!({"operatorType": "StringContains", "key": "data.notes", "values": ["express", format!("code-{i}")]}),
        json!({"operatorType": "BoolEquals", "key": "data.priority", "value": !i.is_multiple_of(7)}),
        json!({"operatorType": "StringNotIn", "key": "data.customer.country", "values": ["US", "CA", format!("X{i}")]}),
        json!({"operatorType": "NumberLessThan", "key": "data.amount", "value": 100 + i}),
        json!({"operatorType": "IsNotNull", "key": "data.orderId"}),
        json!({"operatorType": "StringEndsWith", "key": "source", "values": ["/orders"]}),
        json!({"operatorType": "NumberIn", "key": "data.quantity", "values": [1, 2, 3, i % 20]}),
        json!({"operatorType": "StringNotContains", "key": "data.customer.email", "values": ["spam", format!("blocked{i}")]}),
        json!({"operatorType": "StringIn", "key": "tenant", "values": [format!("tenant-{}", i % 10)]}),
        json!({"operatorType": "NumberNotInRange", "key": "data.customer.since", "values": [[2000, 2000 + i % 30]]}),
    ];
    (0..5)
        .map(|k| pool[(i + k * 3) % pool.len()].clone())
        .collect()
}

fn compiled(filter: Value) -> CompiledFilter {
    let filter: EventSubscriptionFilter = match serde_json::from_value(filter) {
        Ok(filter) => filter,
        Err(e) => panic!("benchmark filter does not parse: {e}"),
    };
    match CompiledFilter::compile(&filter) {
        Ok(compiled) => compiled,
        Err(e) => panic!("benchmark filter is invalid: {e}"),
    }
}

/// 500 subscriptions; `types(i)` gives subscription `i`'s `includedEventTypes`.
fn topic(types: impl Fn(usize) -> Option<Vec<String>>) -> TopicMatcher<usize> {
    TopicMatcher::new(
        (0..SUBSCRIPTIONS)
            .map(|i| {
                let mut filter = json!({"advancedFilters": advanced_filters(i)});
                if let Some(types) = types(i) {
                    filter["includedEventTypes"] = json!(types);
                }
                (i, compiled(filter))
            })
            .collect(),
    )
}

fn topic_fan_out(c: &mut Criterion) {
    let event = event();
    let size = event.to_string().len();
    let every_type = topic(|_| None);
    let same_type = topic(|i| Some(vec![EVENT_TYPE.to_owned(), format!("Other.Type{i}")]));
    let ten_types = topic(|i| {
        Some(vec![if i.is_multiple_of(10) {
            EVENT_TYPE.to_owned()
        } else {
            format!("Contoso.Orders.Type{}", i % 10)
        }])
    });
    eprintln!(
        "event is {size} bytes; matches: {} of 500 (type-agnostic), {} of 500 (same type), {} of 500 (ten types)",
        every_type.matching(&event).len(),
        same_type.matching(&event).len(),
        ten_types.matching(&event).len(),
    );
    let mut group = c.benchmark_group("topic_500_subscriptions_5_filters");
    group.bench_function("type_agnostic_all_evaluated", |b| {
        b.iter(|| every_type.matching(black_box(&event)))
    });
    group.bench_function("all_include_the_event_type", |b| {
        b.iter(|| same_type.matching(black_box(&event)))
    });
    group.bench_function("ten_types_indexed", |b| {
        b.iter(|| ten_types.matching(black_box(&event)))
    });
    group.finish();
}

fn single_subscription(c: &mut Criterion) {
    let event = event();
    let filter: EventSubscriptionFilter = match serde_json::from_value(json!({
        "includedEventTypes": [EVENT_TYPE, "Contoso.Orders.OrderUpdated"],
        "subjectBeginsWith": "/orders/",
        "advancedFilters": advanced_filters(1),
    })) {
        Ok(filter) => filter,
        Err(e) => panic!("benchmark filter does not parse: {e}"),
    };
    c.bench_function("compile_and_match_one_subscription", |b| {
        b.iter(|| {
            CompiledFilter::compile(black_box(&filter))
                .is_ok_and(|compiled| compiled.matches(black_box(&event)))
        })
    });
    let compiled = compiled(serde_json::to_value(&filter).unwrap_or_default());
    c.bench_function("match_one_compiled_subscription", |b| {
        b.iter(|| compiled.matches(black_box(&event)))
    });
}

criterion_group!(benches, topic_fan_out, single_subscription);
criterion_main!(benches);
