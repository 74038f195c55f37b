//! The stand-in against the contract's wire conventions, over real TCP with
//! a raw HTTP/1.1 client (so what is tested is the bytes, not a library's
//! reading of them): discovery, auth, every filter operator, paging,
//! IncludeFields, counts, records by id, writes and their validation,
//! picklists, the request threshold, the thread limit, every fault kind.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use fieldkit_standin::{FaultKind, Faults, Seed, Standin};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const API: &str = "/atservicesrest/V1.0";

/// One answer as it came off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first of Autotask's `{"errors":[…]}` messages.
    fn error(&self) -> String {
        let body = self.json();
        let errors = body["errors"].as_array().unwrap_or_else(|| panic!("no errors array: {}", self.body));
        assert!(!errors.is_empty(), "an empty errors array");
        errors[0].as_str().unwrap_or_default().to_string()
    }
}

/// Reads one answer: status line, headers, a Content-Length body.
async fn read_answer(reader: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("a length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Answer { status, body: String::from_utf8_lossy(&body).into_owned() })
}

fn request_bytes(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

struct Client {
    base: String,
    auth: Vec<(&'static str, String)>,
}

impl Client {
    fn new(standin: &Standin) -> Client {
        let c = standin.credentials();
        Client {
            base: standin.base_url(),
            auth: vec![("ApiIntegrationCode", c.integration_code), ("UserName", c.api_user), ("Secret", c.secret)],
        }
    }

    fn path<'a>(&self, target: &'a str) -> &'a str {
        target.strip_prefix(self.base.as_str()).unwrap_or(target)
    }

    /// One request on a fresh connection, with the given headers only.
    async fn raw(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<Answer> {
        let address = self.base.trim_start_matches("http://");
        let mut stream = BufReader::new(TcpStream::connect(address).await?);
        stream.get_mut().write_all(&request_bytes(method, self.path(target), headers, body)).await?;
        tokio::time::timeout(Duration::from_secs(10), read_answer(&mut stream))
            .await
            .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        let mut headers: Vec<(&str, &str)> = self.auth.iter().map(|(n, v)| (*n, v.as_str())).collect();
        headers.push(("Content-Type", "application/json"));
        headers
    }

    async fn try_call(&self, method: &str, target: &str, body: Option<&Value>) -> std::io::Result<Answer> {
        let body = body.map(Value::to_string).unwrap_or_default();
        self.raw(method, target, &self.headers(), body.as_bytes()).await
    }

    /// An authenticated call that must be answered.
    async fn call(&self, method: &str, target: &str, body: Option<&Value>) -> Answer {
        self.try_call(method, target, body).await.unwrap_or_else(|e| panic!("{method} {target}: {e}"))
    }

    async fn query(&self, entity: &str, body: Value) -> Answer {
        self.call("POST", &format!("{API}/{entity}/query"), Some(&body)).await
    }

    /// The ids a query returns (one page).
    async fn ids(&self, entity: &str, filter: Value) -> Vec<i64> {
        let answer = self.query(entity, json!({ "filter": filter })).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_i64()).collect()
    }
}

fn ids_where(records: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<i64> {
    records.iter().filter(|r| keep(r)).filter_map(|r| r["id"].as_i64()).collect()
}

/// A company and a ticket in an otherwise empty stand-in.
fn company_and_ticket(standin: &Standin) -> (i64, i64) {
    let company = standin.insert("Companies", json!({ "companyName": "Acme Dental", "isActive": true }));
    let ticket = standin.insert(
        "Tickets",
        json!({ "ticketNumber": "T20261124.0001", "title": "Printer jam", "status": 1, "priority": 2,
                "queueID": 29683, "companyID": company, "createDate": "2026-11-24T09:00:00.000Z" }),
    );
    (company, ticket)
}

fn technician(standin: &Standin) -> i64 {
    standin
        .snapshot("Resources")
        .iter()
        .find(|r| r["title"] == "Technician")
        .and_then(|r| r["id"].as_i64())
        .expect("a technician")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_and_auth() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let base = standin.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));

    let versions = client.raw("GET", "/atservicesrest/versioninformation", &[], b"").await.expect("versions");
    assert_eq!((versions.status, versions.json()), (200, json!({ "apiVersions": ["1.0"] })));
    let user = standin.credentials().api_user;
    let zone = client.raw("GET", &format!("{API}/zoneInformation?user={user}"), &[], b"").await.expect("zone");
    assert_eq!(zone.status, 200);
    assert_eq!(
        zone.json(),
        json!({ "zoneName": "Stand-in", "url": format!("{base}/atservicesrest/"), "webUrl": format!("{base}/"), "ci": 0 })
    );
    // The zone's url is where later calls go.
    let from_zone = format!("{}V1.0/ThresholdInformation", zone.json()["url"].as_str().unwrap_or_default());
    assert_eq!(client.call("GET", &from_zone, None).await.status, 200);
    let stranger = client.raw("GET", &format!("{API}/zoneInformation?user=someone%40else.example"), &[], b"").await;
    let stranger = stranger.expect("an answer");
    assert_eq!(stranger.status, 404);
    assert!(stranger.error().contains("someone@else.example"));

    // Every other V1.0 call needs the three headers (names in any case).
    let query = json!({ "filter": [{ "op": "gt", "field": "id", "value": 0 }] }).to_string();
    let path = format!("{API}/Resources/query");
    let none = client.raw("POST", &path, &[], query.as_bytes()).await.expect("an answer");
    assert_eq!(none.status, 401);
    assert!(!none.error().is_empty());
    let c = standin.credentials();
    let wrong =
        [("ApiIntegrationCode", c.integration_code.as_str()), ("UserName", c.api_user.as_str()), ("Secret", "guess")];
    assert_eq!(client.raw("POST", &path, &wrong, query.as_bytes()).await.expect("an answer").status, 401);
    let lower = [
        ("apiintegrationcode", c.integration_code.as_str()),
        ("USERNAME", c.api_user.as_str()),
        ("secret", c.secret.as_str()),
    ];
    let answer = client.raw("POST", &path, &lower, query.as_bytes()).await.expect("an answer");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(!answer.json()["items"].as_array().expect("items").is_empty(), "the sample team");
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_operator_and_nested_groups() {
    let standin = Standin::start(Seed::scaled(1), 0).await.expect("start");
    let client = Client::new(&standin);
    let tickets = standin.snapshot("Tickets");
    assert!(tickets.len() >= 60, "the sample's tickets");
    let pivot = tickets[tickets.len() / 2].clone();
    let pivot_id = pivot["id"].as_i64().unwrap_or_default();
    let pivot_time = pivot["lastActivityDate"].as_str().unwrap_or_default().to_string();
    let instant = |t: &Value| t.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    let pivot_instant = instant(&pivot["lastActivityDate"]);
    let title = |t: &Value| t["title"].as_str().unwrap_or_default().to_lowercase();
    // Pieces of a real title, sent in another case: text compares without regard to case.
    let words: Vec<char> = title(&pivot).chars().collect();
    let piece = |from: usize, to: usize| words[from.min(words.len())..to.min(words.len())].iter().collect::<String>();
    let (head, tail, middle) = (piece(0, 4), piece(words.len().saturating_sub(3), words.len()), piece(2, 6));

    let cases: Vec<(Value, Vec<i64>)> = vec![
        (json!([{ "op": "eq", "field": "id", "value": pivot_id }]), vec![pivot_id]),
        (json!([{ "op": "noteq", "field": "status", "value": 5 }]), ids_where(&tickets, |t| t["status"] != 5)),
        (
            json!([{ "op": "gt", "field": "id", "value": pivot_id }]),
            ids_where(&tickets, |t| t["id"].as_i64() > Some(pivot_id)),
        ),
        (
            json!([{ "op": "gte", "field": "id", "value": pivot_id }]),
            ids_where(&tickets, |t| t["id"].as_i64() >= Some(pivot_id)),
        ),
        (
            json!([{ "op": "lt", "field": "id", "value": pivot_id }]),
            ids_where(&tickets, |t| t["id"].as_i64() < Some(pivot_id)),
        ),
        (
            json!([{ "op": "lte", "field": "id", "value": pivot_id }]),
            ids_where(&tickets, |t| t["id"].as_i64() <= Some(pivot_id)),
        ),
        // Date-times compare as instants, whatever their zone.
        (
            json!([{ "op": "gt", "field": "lastActivityDate", "value": pivot_time }]),
            ids_where(&tickets, |t| instant(&t["lastActivityDate"]) > pivot_instant),
        ),
        (
            json!([{ "op": "beginsWith", "field": "title", "value": head.to_uppercase() }]),
            ids_where(&tickets, |t| title(t).starts_with(&head)),
        ),
        (
            json!([{ "op": "endsWith", "field": "title", "value": tail.to_uppercase() }]),
            ids_where(&tickets, |t| title(t).ends_with(&tail)),
        ),
        (
            json!([{ "op": "contains", "field": "title", "value": middle.to_uppercase() }]),
            ids_where(&tickets, |t| title(t).contains(&middle)),
        ),
        (json!([{ "op": "exist", "field": "completedDate" }]), ids_where(&tickets, |t| !t["completedDate"].is_null())),
        (
            json!([{ "op": "notExist", "field": "completedDate" }]),
            ids_where(&tickets, |t| t["completedDate"].is_null()),
        ),
        (
            json!([{ "op": "in", "field": "queueID", "value": [29683, "29682"] }]),
            ids_where(&tickets, |t| t["queueID"] == 29683 || t["queueID"] == 29682),
        ),
        (
            json!([{ "op": "notIn", "field": "priority", "value": [1, 4] }]),
            ids_where(&tickets, |t| t["priority"] != 1 && t["priority"] != 4),
        ),
        // The top level is AND; groups nest.
        (
            json!([{ "op": "eq", "field": "queueID", "value": 29683 },
                   { "op": "or", "items": [
                       { "op": "eq", "field": "priority", "value": 4 },
                       { "op": "and", "items": [{ "op": "eq", "field": "status", "value": 1 }, { "op": "exist", "field": "assignedResourceID" }] }
                   ] }]),
            ids_where(&tickets, |t| {
                t["queueID"] == 29683
                    && (t["priority"] == 4 || (t["status"] == 1 && !t["assignedResourceID"].is_null()))
            }),
        ),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "the case selects something: {filter}");
        assert_eq!(client.ids("Tickets", filter.clone()).await, expected, "{filter}");
    }

    // A UDF condition matches userDefinedFields[{name, value}].
    let companies = standin.snapshot("Companies");
    let msa = ids_where(&companies, |c| c["userDefinedFields"][0]["value"] == "Yes");
    assert!(!msa.is_empty());
    assert_eq!(
        client.ids("Companies", json!([{ "op": "eq", "field": "MSA", "value": "yes", "udf": true }])).await,
        msa
    );

    // Keys without regard to case.
    let answer = client
        .query("Tickets", json!({ "Filter": [{ "op": "EQ", "field": "ID", "value": pivot_id }], "maxrecords": 5 }))
        .await;
    assert_eq!(answer.json()["items"][0]["id"], pivot_id);

    // Refusals: an unknown field, no filter, a bad operator, a malformed body.
    let unknown =
        client.query("Tickets", json!({ "filter": [{ "op": "eq", "field": "colour", "value": "red" }] })).await;
    assert_eq!((unknown.status, unknown.error()), (500, "Unable to find colour in the Tickets Entity.".to_string()));
    let empty = client.query("Tickets", json!({ "filter": [] })).await;
    assert_eq!(empty.status, 500);
    assert!(empty.error().contains("filter"));
    assert_eq!(client.query("Tickets", json!({ "MaxRecords": 10 })).await.status, 500);
    assert_eq!(
        client.query("Tickets", json!({ "filter": [{ "op": "like", "field": "id", "value": 1 }] })).await.status,
        500
    );
    let garbage = client.raw("POST", &format!("{API}/Tickets/query"), &client.headers(), b"{\"filter\":[").await;
    let garbage = garbage.expect("an answer");
    assert_eq!(garbage.status, 500);
    assert!(garbage.error().contains("JSON"));
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_include_fields_count_and_get() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let (_, ticket) = company_and_ticket(&standin);
    for n in 0..1_200 {
        standin.insert(
            "TicketNotes",
            json!({ "ticketID": ticket, "title": format!("Note {n}"), "description": "Checked the toner.", "noteType": 1, "publish": 1 }),
        );
    }
    let body = json!({ "filter": [{ "op": "eq", "field": "ticketID", "value": ticket }], "MaxRecords": 500 });
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!("{API}/TicketNotes/query"));
    let mut second_page = None;
    while let Some(url) = next {
        let answer = client.call("POST", &url, Some(&body)).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = answer.json();
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert_eq!(page["pageDetails"]["count"], items.len());
        assert_eq!(page["pageDetails"]["requestCount"], 500);
        seen.extend(items.iter().filter_map(|i| i["id"].as_i64()));
        next = page["pageDetails"]["nextPageUrl"].as_str().map(String::from);
        if let Some(url) = &next {
            assert!(url.starts_with(&format!("{}{API}/TicketNotes/query/next?paging=", standin.base_url())), "{url}");
            second_page.get_or_insert_with(|| url.clone());
        }
        if pages == 2 {
            assert!(page["pageDetails"]["prevPageUrl"].is_string(), "page 2 links back");
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 1_200);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending id, no repeats");
    let second_page = second_page.expect("a next page");
    assert_eq!(client.call("GET", &second_page, None).await.status, 405, "a next page is POSTed");
    let other = json!({ "filter": [{ "op": "gt", "field": "id", "value": 0 }] });
    let changed = client.call("POST", &second_page, Some(&other)).await;
    assert_eq!(changed.status, 500);
    assert!(!changed.error().is_empty());
    // The same query by GET with ?search=.
    let search: String = body.to_string().bytes().map(|b| format!("%{b:02X}")).collect();
    let by_get = client.call("GET", &format!("{API}/TicketNotes/query?search={search}"), None).await;
    assert_eq!(by_get.json()["items"].as_array().map(Vec::len), Some(500));
    // A lower MaxRecords caps the page.
    let small = client.query("TicketNotes", json!({ "filter": body["filter"], "MaxRecords": 7 })).await.json();
    assert_eq!(
        (small["items"].as_array().map(Vec::len), small["pageDetails"]["requestCount"].clone()),
        (Some(7), json!(7))
    );

    // IncludeFields: those fields and the id.
    let slim = client
        .query(
            "TicketNotes",
            json!({ "filter": body["filter"], "MaxRecords": 3, "IncludeFields": ["Title", "ticketID"] }),
        )
        .await
        .json();
    let keys: BTreeSet<String> = slim["items"][0].as_object().expect("an item").keys().cloned().collect();
    assert_eq!(keys, ["id", "ticketID", "title"].into_iter().map(String::from).collect());

    // Count, by POST and by GET.
    let count = client.call("POST", &format!("{API}/TicketNotes/query/count"), Some(&body)).await;
    assert_eq!(count.json(), json!({ "queryCount": 1_200 }));
    let count = client.call("GET", &format!("{API}/TicketNotes/query/count?search={search}"), None).await;
    assert_eq!(count.json(), json!({ "queryCount": 1_200 }));

    // A record by id; an unknown id is a null item.
    let item = client.call("GET", &format!("{API}/Tickets/{ticket}"), None).await.json();
    assert_eq!((item["item"]["id"].as_i64(), item["item"]["title"].as_str()), (Some(ticket), Some("Printer jam")));
    assert_eq!(client.call("GET", &format!("{API}/Tickets/999999999"), None).await.json(), json!({ "item": null }));
    // Children under their parent.
    let notes = client.call("GET", &format!("{API}/Tickets/{ticket}/Notes"), None).await.json();
    assert_eq!(notes["items"].as_array().map(Vec::len), Some(500));
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_updates_and_their_validation() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let (company, _) = company_and_ticket(&standin);
    let me = technician(&standin);

    // A ticket.
    let ticket = json!({ "id": 0, "companyID": company, "title": "No dial tone", "status": 1, "priority": 2, "queueID": 29683,
                         "Description": "Front desk phone", "externalID": "outbox-1" });
    let created = client.call("POST", &format!("{API}/Tickets"), Some(&ticket)).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()["itemId"].as_i64().expect("itemId");
    let stored = standin.snapshot("Tickets").into_iter().find(|t| t["id"] == id).expect("created");
    let number = stored["ticketNumber"].as_str().unwrap_or_default();
    let today = Utc::now().format("%Y%m%d").to_string();
    assert!(number.len() == 14 && number.starts_with(&format!("T{today}.")), "{number}");
    assert!(stored["createDate"].is_string() && stored["lastActivityDate"].is_string());
    assert_eq!(stored["description"], "Front desk phone", "field names read without regard to case");
    for (missing, body) in [
        ("title", json!({ "companyID": company, "status": 1, "priority": 2, "queueID": 29683 })),
        ("queueID", json!({ "companyID": company, "title": "x", "status": 1, "priority": 2 })),
        ("companyID", json!({ "title": "x", "status": 1, "priority": 2, "queueID": 29683 })),
    ] {
        let refused = client.call("POST", &format!("{API}/Tickets"), Some(&body)).await;
        assert_eq!(refused.status, 500, "without {missing}");
        assert!(refused.error().contains(missing), "{missing}: {}", refused.body);
    }
    let bad_status = json!({ "companyID": company, "title": "x", "status": 77, "priority": 2, "queueID": 29683 });
    assert_eq!(client.call("POST", &format!("{API}/Tickets"), Some(&bad_status)).await.status, 500);

    // PATCH: the id in the body; only the fields sent change; the change time moves.
    let before = stored["lastActivityDate"].clone();
    let patched = client.call("PATCH", &format!("{API}/Tickets"), Some(&json!({ "id": id, "status": 5 }))).await;
    assert_eq!(patched.json(), json!({ "itemId": id }));
    let after = standin.snapshot("Tickets").into_iter().find(|t| t["id"] == id).expect("still there");
    assert_eq!((after["status"].clone(), after["title"].clone()), (json!(5), json!("No dial tone")));
    assert!(after["lastActivityDate"].as_str() > before.as_str());
    assert!(after["completedDate"].is_string(), "Complete stamps completedDate");
    let unknown = client.call("PATCH", &format!("{API}/Tickets"), Some(&json!({ "id": 424242, "status": 8 }))).await;
    assert_eq!(unknown.status, 500);
    assert!(unknown.error().contains("424242"));

    // A note: bumps the ticket's lastActivityDate.
    let note =
        json!({ "ticketID": id, "title": "Called", "description": "Line is back.", "noteType": 1, "publish": 1 });
    let created = client.call("POST", &format!("{API}/Tickets/{id}/Notes"), Some(&note)).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let note_id = created.json()["itemId"].as_i64().expect("itemId");
    let stored = standin.snapshot("TicketNotes").into_iter().find(|n| n["id"] == note_id).expect("created");
    assert_eq!((stored["ticketID"].as_i64(), stored["createDateTime"].is_string()), (Some(id), true));
    let ticket_now = standin.snapshot("Tickets").into_iter().find(|t| t["id"] == id).expect("ticket");
    assert!(ticket_now["lastActivityDate"].as_str() > after["lastActivityDate"].as_str());
    let long =
        json!({ "ticketID": id, "title": "Log", "description": "x".repeat(32_001), "noteType": 1, "publish": 1 });
    assert_eq!(client.call("POST", &format!("{API}/Tickets/{id}/Notes"), Some(&long)).await.status, 500);
    let untyped = json!({ "ticketID": id, "title": "Log", "description": "x", "publish": 1 });
    let refused = client.call("POST", &format!("{API}/Tickets/{id}/Notes"), Some(&untyped)).await;
    assert!(refused.status == 500 && refused.error().contains("noteType"));
    assert_eq!(client.call("POST", &format!("{API}/Tickets/999999/Notes"), Some(&note)).await.status, 500);

    // A time entry, and each rule it must keep.
    let day = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).single().expect("a day");
    let at = |h: u32, m: u32| (day + chrono::Duration::minutes(i64::from(h * 60 + m))).to_rfc3339();
    let entry = |start: String, end: String, hours: f64, ticket: i64| {
        json!({ "ticketID": ticket, "resourceID": me, "roleID": 29_683_461, "billingCodeID": 29682790, "dateWorked": "2026-11-23",
                "startDateTime": start, "endDateTime": end, "hoursWorked": hours, "summaryNotes": "Replaced the handset",
                "internalNotes": "", "isNonBillable": false })
    };
    let good = client.call("POST", &format!("{API}/TimeEntries"), Some(&entry(at(9, 0), at(10, 30), 1.5, id))).await;
    assert_eq!(good.status, 200, "{}", good.body);
    let time_id = good.json()["itemId"].as_i64().expect("itemId");
    let stored = standin.snapshot("TimeEntries").into_iter().find(|e| e["id"] == time_id).expect("created");
    assert!(stored["lastModifiedDateTime"].is_string());
    for (why, body) in [
        ("no hours", entry(at(9, 0), at(10, 0), 0.0, id)),
        ("more than 24 hours", entry(at(9, 0), at(10, 0), 24.5, id)),
        ("end before start", entry(at(10, 0), at(9, 0), 1.0, id)),
        ("across midnight", entry(at(23, 0), at(25, 0), 2.0, id)),
        ("unknown ticket", entry(at(9, 0), at(10, 0), 1.0, 999_999)),
    ] {
        let refused = client.call("POST", &format!("{API}/TimeEntries"), Some(&body)).await;
        assert_eq!(refused.status, 500, "{why}: {}", refused.body);
        assert!(!refused.error().is_empty(), "{why}");
    }
    // Autotask wants one of the resource's service desk roles with the entry.
    for (why, role) in [("no role", Value::Null), ("a role they do not hold", json!(29_683_463))] {
        let mut body = entry(at(11, 0), at(12, 0), 1.0, id);
        body["roleID"] = role;
        let refused = client.call("POST", &format!("{API}/TimeEntries"), Some(&body)).await;
        assert!(
            refused.status == 500 && refused.error().contains("roleID") || refused.error().contains("role"),
            "{why}: {}",
            refused.body
        );
    }
    // And so does a ticket's primary resource.
    let assigned = json!({ "id": id, "assignedResourceID": me });
    let refused = client.call("PATCH", &format!("{API}/Tickets"), Some(&assigned)).await;
    assert!(refused.status == 500 && refused.error().contains("assignedResourceRoleID"), "{}", refused.body);
    let assigned = json!({ "id": id, "assignedResourceID": me, "assignedResourceRoleID": 29_683_461 });
    assert_eq!(client.call("PATCH", &format!("{API}/Tickets"), Some(&assigned)).await.status, 200);
    let patched =
        client.call("PATCH", &format!("{API}/TimeEntries"), Some(&json!({ "id": time_id, "hoursWorked": 25 }))).await;
    assert_eq!(patched.status, 500, "an update keeps the rules");

    // A service call with its ticket and technician, a secondary resource.
    let call =
        json!({ "companyID": company, "startDateTime": at(13, 0), "endDateTime": at(14, 0), "description": "On site" });
    let call =
        client.call("POST", &format!("{API}/ServiceCalls"), Some(&call)).await.json()["itemId"].as_i64().expect("call");
    let link = json!({ "serviceCallID": call, "ticketID": id });
    let link = client.call("POST", &format!("{API}/ServiceCallTickets"), Some(&link)).await.json()["itemId"]
        .as_i64()
        .expect("link");
    let person = json!({ "serviceCallTicketID": link, "resourceID": me });
    assert!(client.call("POST", &format!("{API}/ServiceCallTicketResources"), Some(&person)).await.json()["itemId"]
        .is_i64());
    let again = client.call("POST", &format!("{API}/ServiceCallTicketResources"), Some(&person)).await;
    assert_eq!(again.status, 500, "a link exists once");
    let helper = json!({ "ticketID": id, "resourceID": me, "roleID": 29_683_461 });
    assert!(
        client.call("POST", &format!("{API}/TicketSecondaryResources"), Some(&helper)).await.json()["itemId"].is_i64()
    );
    // The contract's child paths work too.
    let child =
        client.call("POST", &format!("{API}/ServiceCalls/{call}/Tickets"), Some(&json!({ "ticketID": id }))).await;
    assert_eq!(child.status, 500, "already linked: {}", child.body);

    // A body that is not JSON, a wrong method, an unknown path.
    let garbage =
        client.raw("POST", &format!("{API}/Tickets"), &client.headers(), b"{title: oops").await.expect("an answer");
    assert_eq!(garbage.status, 500);
    assert!(garbage.error().contains("JSON"));
    assert_eq!(client.call("DELETE", &format!("{API}/Tickets/{id}"), None).await.status, 405);
    assert_eq!(client.call("PUT", &format!("{API}/Tickets"), Some(&ticket)).await.status, 405);
    assert_eq!(client.call("POST", &format!("{API}/Resources"), Some(&json!({}))).await.status, 405);
    let nowhere = client.call("GET", &format!("{API}/Spaceships/1"), None).await;
    assert_eq!(nowhere.status, 404);
    assert!(!nowhere.error().is_empty());
    assert_eq!(client.call("GET", &format!("{API}/Tickets/{id}/Whatever"), None).await.status, 404);
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_and_their_limits() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let (_, ticket) = company_and_ticket(&standin);
    let path = format!("{API}/Tickets/{ticket}/Attachments");
    let attachment = |data: String| json!({ "id": 0, "attachmentType": "FILE_ATTACHMENT", "fullPath": "report.pdf", "title": "report.pdf", "publish": 1, "data": data });
    let encode = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    let created = client.call("POST", &path, Some(&attachment(encode(1_000)))).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()["itemId"].as_i64().expect("itemId");
    let stored = standin.snapshot("TicketAttachments").into_iter().find(|a| a["id"] == id).expect("stored");
    assert_eq!((stored["parentID"].as_i64(), stored["fileSize"].as_i64()), (Some(ticket), Some(1_000)));
    assert_eq!(stored["data"].as_str(), Some(encode(1_000).as_str()), "the bytes as received, for tests to check");
    let invalid = client.call("POST", &path, Some(&attachment("not base64!".into()))).await;
    assert!(invalid.status == 500 && invalid.error().contains("base64"));
    let huge = client.call("POST", &path, Some(&attachment(encode(6 * 1024 * 1024 + 1)))).await;
    assert_eq!(huge.status, 500);
    // 10,000,000 bytes per 5 minutes: the second 6 MB file is over.
    let first = client.call("POST", &path, Some(&attachment(encode(6_000_000)))).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let second = client.call("POST", &path, Some(&attachment(encode(6_000_000)))).await;
    assert_eq!(second.status, 429);
    assert!(!second.error().is_empty());
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picklists_and_user_defined_fields() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let fields = client.call("GET", &format!("{API}/Tickets/entityInformation/fields"), None).await.json();
    let fields = fields["fields"].as_array().expect("fields").clone();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).cloned().unwrap_or_else(|| panic!("{name}"));
    for name in ["status", "priority", "queueID", "issueType", "subIssueType", "source"] {
        assert_eq!(field(name)["isPickList"], true, "{name}");
    }
    let label = |field: &Value, value: &str| {
        field["picklistValues"]
            .as_array()
            .and_then(|v| v.iter().find(|p| p["value"] == value))
            .map(|p| p["label"].clone())
    };
    assert_eq!(label(&field("status"), "1"), Some(json!("New")));
    assert_eq!(label(&field("status"), "5"), Some(json!("Complete")));
    assert_eq!(label(&field("queueID"), "29683"), Some(json!("Technicians")));
    let value = &field("priority")["picklistValues"][0];
    for key in ["value", "label", "isDefaultValue", "sortOrder", "parentValue", "isActive", "isSystem"] {
        assert!(value.get(key).is_some(), "picklist values carry {key}");
    }
    assert_eq!(field("title")["isPickList"], false);
    assert_eq!(field("id")["dataType"], "long");
    for key in ["name", "dataType", "isPickList", "isRequired", "isReadOnly", "isQueryable", "picklistValues"] {
        assert!(field("title").get(key).is_some(), "fields carry {key}");
    }
    let notes = client.call("GET", &format!("{API}/TicketNotes/entityInformation/fields"), None).await.json();
    let picklists: BTreeSet<String> = notes["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["isPickList"] == true)
        .filter_map(|f| f["name"].as_str().map(String::from))
        .collect();
    assert_eq!(picklists, ["noteType", "publish"].into_iter().map(String::from).collect());
    let companies = client.call("GET", &format!("{API}/Companies/entityInformation/fields"), None).await.json();
    assert!(companies["fields"].as_array().is_some_and(|f| f.len() > 20 && f.iter().all(|f| f["isPickList"] == false)));
    let udfs = client.call("GET", &format!("{API}/Companies/entityInformation/userDefinedFields"), None).await.json();
    assert_eq!(udfs["fields"][0]["name"], "MSA");
    let none = client.call("GET", &format!("{API}/Tickets/entityInformation/userDefinedFields"), None).await.json();
    assert_eq!(none, json!({ "fields": [] }));
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threshold_information_counts_requests() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let path = format!("{API}/ThresholdInformation");
    let threshold = || client.call("GET", &path, None);
    let first = threshold().await.json();
    assert_eq!(
        (first["externalRequestThreshold"].clone(), first["requestThresholdTimeframe"].clone()),
        (json!(10_000), json!(60))
    );
    let before = first["currentTimeframeRequestCount"].as_u64().expect("a count");
    for _ in 0..5 {
        client.call("GET", &format!("{API}/Resources/1"), None).await;
    }
    let after = threshold().await.json()["currentTimeframeRequestCount"].as_u64().expect("a count");
    assert_eq!(after, before + 6, "five reads and this request");
    assert_eq!(standin.request_count(), after);
    let by_path = standin.requests_by_path();
    assert!(by_path.contains(&("GET /V1.0/Resources/{id}".to_string(), 5)), "{by_path:?}");
    assert!(by_path.contains(&("GET /V1.0/ThresholdInformation".to_string(), 2)), "{by_path:?}");
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fourth_concurrent_request_on_an_endpoint_is_refused() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    standin.set_faults(Faults { latency_ms: 400, ..Faults::default() });
    let base = standin.base_url();
    let credentials = standin.credentials();
    let body = json!({ "filter": [{ "op": "gt", "field": "id", "value": 0 }] });
    let mut calls = Vec::new();
    for _ in 0..4 {
        let client = Client { base: base.clone(), auth: Client::new(&standin).auth };
        let body = body.clone();
        calls.push(tokio::spawn(async move { client.query("Resources", body).await }));
    }
    // Another endpoint has its own three places.
    let other = Client::new(&standin);
    let count = tokio::spawn(async move {
        other
            .call(
                "POST",
                &format!("{API}/Resources/query/count"),
                Some(&json!({ "filter": [{ "op": "gt", "field": "id", "value": 0 }] })),
            )
            .await
    });
    let mut statuses = Vec::new();
    let mut refusal = String::new();
    for call in calls {
        let answer = call.await.expect("joined");
        if answer.status == 429 {
            refusal = answer.error();
        }
        statuses.push(answer.status);
    }
    statuses.sort();
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    assert!(refusal.contains("thread threshold of 3 threads has been exceeded"), "{refusal}");
    assert_eq!(count.await.expect("joined").status, 200);
    // The places come back once the requests are answered.
    standin.set_faults(Faults::default());
    let client = Client {
        base,
        auth: vec![
            ("ApiIntegrationCode", credentials.integration_code),
            ("UserName", credentials.api_user),
            ("Secret", credentials.secret),
        ],
    };
    assert_eq!(client.query("Resources", body).await.status, 200);
    standin.stop().await;
}

/// A create under a fault that always strikes: what the client sees, and whether it was applied.
async fn create_under(standin: &Standin, kind: FaultKind) -> (std::io::Result<Answer>, usize) {
    let client = Client::new(standin);
    let company = standin.snapshot("Companies")[0]["id"].clone();
    let before = standin.snapshot("Tickets").len();
    standin.set_faults(Faults { latency_ms: 0, rate: 1.0, kinds: vec![kind], seed: 3 });
    let ticket =
        json!({ "companyID": company, "title": format!("{kind:?}"), "status": 1, "priority": 2, "queueID": 29683 });
    let outcome = client.try_call("POST", &format!("{API}/Tickets"), Some(&ticket)).await;
    standin.set_faults(Faults::default());
    (outcome, standin.snapshot("Tickets").len() - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    company_and_ticket(&standin);

    let (answer, created) = create_under(&standin, FaultKind::TooManyRequests).await;
    let answer = answer.expect("an answer");
    assert_eq!((answer.status, created), (429, 0));
    assert!(!answer.error().is_empty());

    let (answer, created) = create_under(&standin, FaultKind::ServerError).await;
    let answer = answer.expect("an answer");
    assert_eq!((answer.status, created), (500, 0), "a server error applies nothing");
    assert_eq!(answer.json()["errors"], json!(["Internal error (injected)"]));
    assert!(answer.json()["errorId"].is_string());

    let (answer, created) = create_under(&standin, FaultKind::ConnectionReset).await;
    assert!(answer.is_err(), "no answer: {answer:?}");
    assert_eq!(created, 0, "a reset applies nothing");

    let (answer, created) = create_under(&standin, FaultKind::ResponseLostAfterCommit).await;
    assert!(answer.is_err(), "no answer: {answer:?}");
    assert_eq!(created, 1, "the create really happened");

    let (answer, created) = create_under(&standin, FaultKind::MalformedJson).await;
    let answer = answer.expect("an answer");
    assert_eq!((answer.status, created), (200, 0));
    assert!(serde_json::from_str::<Value>(&answer.body).is_err(), "not JSON: {}", answer.body);

    let (answer, created) = create_under(&standin, FaultKind::Truncated).await;
    let error = answer.expect_err("the body ends before its length");
    assert_eq!((error.kind(), created), (std::io::ErrorKind::UnexpectedEof, 1));

    // Reads are faulted too; the draws repeat with the seed.
    let client = Client::new(&standin);
    let statuses = |seed: u64| {
        let client = &client;
        let standin = &standin;
        async move {
            standin.set_faults(Faults { latency_ms: 0, rate: 0.5, kinds: vec![FaultKind::ServerError], seed });
            let mut statuses = Vec::new();
            for _ in 0..16 {
                statuses.push(client.call("GET", &format!("{API}/Resources/1"), None).await.status);
            }
            statuses
        }
    };
    let first = statuses(11).await;
    assert_eq!(first, statuses(11).await);
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");

    // Faults over HTTP, for a stand-in run as a process; the controls themselves are never faulted.
    let plan = br#"{"latencyMs":0,"rate":1.0,"kinds":["ServerError"],"seed":1}"#;
    let set = client.raw("POST", "/_standin/faults", &[], plan).await.expect("an answer");
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(client.call("GET", &format!("{API}/Resources/1"), None).await.status, 500);
    let clear = client.raw("POST", "/_standin/faults", &[], br#"{"rate":0}"#).await.expect("an answer");
    assert_eq!(clear.status, 200);
    assert_eq!(client.call("GET", &format!("{API}/Resources/1"), None).await.status, 200);
    let bad = client.raw("POST", "/_standin/faults", &[], br#"{"kinds":["Gremlins"]}"#).await.expect("an answer");
    assert_eq!(bad.status, 400);
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_keep_alive_and_test_hooks() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    standin.set_faults(Faults { latency_ms: 150, ..Faults::default() });
    let started = Instant::now();
    assert_eq!(client.call("GET", &format!("{API}/ThresholdInformation"), None).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    standin.set_faults(Faults::default());

    // Two requests on one connection.
    let address = standin.base_url().trim_start_matches("http://").to_string();
    let mut stream = BufReader::new(TcpStream::connect(&address).await.expect("connect"));
    let path = format!("{API}/ThresholdInformation");
    for _ in 0..2 {
        stream.get_mut().write_all(&request_bytes("GET", &path, &client.headers(), b"")).await.expect("sent");
        assert_eq!(read_answer(&mut stream).await.expect("an answer").status, 200);
    }

    // What tests use to play the PSA's own users.
    let (company, ticket) = company_and_ticket(&standin);
    let before = standin.snapshot("Tickets")[0]["lastActivityDate"].clone();
    standin.patch("Tickets", ticket, json!({ "Status": 8 }));
    let after = standin.snapshot("Tickets").into_iter().find(|t| t["id"] == ticket).expect("ticket");
    assert_eq!(after["status"], 8);
    assert!(after["lastActivityDate"].as_str() > before.as_str());
    let contact =
        standin.insert("Contacts", json!({ "id": 0, "companyID": company, "firstName": "Ana", "lastName": "Ruiz" }));
    assert!(standin.snapshot("Contacts").iter().any(|c| c["id"] == contact && c["lastActivityDate"].is_string()));
    standin.delete("Contacts", contact);
    assert!(standin.snapshot("Contacts").is_empty());
    standin.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_maps_the_sample_msp() {
    let standin = Standin::start(Seed::scaled(1), 0).await.expect("start");
    let resources = standin.snapshot("Resources");
    assert!(resources.iter().all(|r| r["id"].as_i64().is_some_and(|id| id >= 29_682_000)));
    let titles: BTreeSet<&str> = resources.iter().filter_map(|r| r["title"].as_str()).collect();
    assert_eq!(titles, ["Office Admin", "Senior Technician", "Technician"].into_iter().collect());
    let companies = standin.snapshot("Companies");
    assert!(companies.iter().filter(|c| c["id"] != 0).all(|c| c["id"].as_i64() >= Some(1_000)));
    let tickets = standin.snapshot("Tickets");
    let ids =
        |entity: &str| -> BTreeSet<i64> { standin.snapshot(entity).iter().filter_map(|r| r["id"].as_i64()).collect() };
    let (company_ids, resource_ids, ticket_ids) = (ids("Companies"), ids("Resources"), ids("Tickets"));
    // References point at records that exist.
    assert!(tickets.iter().all(|t| t["companyID"].as_i64().is_some_and(|c| company_ids.contains(&c))));
    assert!(tickets.iter().filter_map(|t| t["assignedResourceID"].as_i64()).all(|r| resource_ids.contains(&r)));
    for entity in
        ["TicketNotes", "TimeEntries", "TicketSecondaryResources", "ServiceCallTickets", "TicketChecklistItems"]
    {
        let records = standin.snapshot(entity);
        assert!(!records.is_empty(), "{entity} seeded");
        assert!(records.iter().all(|r| r["ticketID"].as_i64().is_some_and(|t| ticket_ids.contains(&t))), "{entity}");
    }
    for entity in ["CompanyLocations", "Contacts", "ConfigurationItems", "ServiceCalls", "ServiceCallTicketResources"] {
        assert!(!standin.snapshot(entity).is_empty(), "{entity} seeded");
    }
    standin.stop().await;
}

/// A ticket's checklist (`TicketChecklistItems`): queried by ticket, read as
/// the ticket's child collection, and ticked with a PATCH of that collection
/// (the item's id in the body), validated as the other writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checklist_items_query_and_patch() {
    let standin = Standin::start(Seed::empty(), 0).await.expect("start");
    let client = Client::new(&standin);
    let (company, ticket) = company_and_ticket(&standin);
    let (_, other_ticket) = company_and_ticket(&standin);
    let _ = company;
    let me = technician(&standin);
    let items: Vec<i64> = ["Check the backup", "Apply updates", "Confirm with the user"]
        .iter()
        .enumerate()
        .map(|(position, name)| {
            standin.insert(
                "TicketChecklistItems",
                json!({ "ticketID": ticket, "itemName": name, "position": position, "isCompleted": false, "isImportant": position == 0 }),
            )
        })
        .collect();
    standin.insert("TicketChecklistItems", json!({ "ticketID": other_ticket, "itemName": "Elsewhere", "position": 0 }));

    // Queried by ticket, as the connector pulls them.
    assert_eq!(
        client.ids("TicketChecklistItems", json!([{ "op": "in", "field": "ticketID", "value": [ticket] }])).await,
        items
    );
    let page = client
        .query("TicketChecklistItems", json!({ "filter": [{ "op": "eq", "field": "ticketID", "value": ticket }] }))
        .await
        .json();
    let first = &page["items"][0];
    assert_eq!(
        (first["itemName"].clone(), first["isImportant"].clone(), first["isCompleted"].clone()),
        (json!("Check the backup"), json!(true), json!(false))
    );
    // A field the entity does not have is refused, as Autotask refuses it.
    let unknown = client
        .query("TicketChecklistItems", json!({ "filter": [{ "op": "eq", "field": "colour", "value": 1 }] }))
        .await;
    assert_eq!(unknown.status, 500);
    // The ticket's child collection.
    let children = client.call("GET", &format!("{API}/Tickets/{ticket}/ChecklistItems"), None).await;
    assert_eq!(children.json()["items"].as_array().map(Vec::len), Some(3));

    // Ticked: PATCH of the child collection, the item's id in the body; its ticket's activity moves.
    let before =
        standin.snapshot("Tickets").into_iter().find(|t| t["id"] == ticket).unwrap()["lastActivityDate"].clone();
    let tick = json!({ "id": items[1], "ticketID": ticket, "isCompleted": true, "completedByResourceID": me,
                       "completedDateTime": "2026-11-24T10:15:00.000Z" });
    let patched = client.call("PATCH", &format!("{API}/Tickets/{ticket}/ChecklistItems"), Some(&tick)).await;
    assert_eq!(patched.json(), json!({ "itemId": items[1] }), "{}", patched.body);
    let stored = standin.snapshot("TicketChecklistItems").into_iter().find(|i| i["id"] == items[1]).unwrap();
    assert_eq!(
        (
            stored["isCompleted"].clone(),
            stored["completedByResourceID"].clone(),
            stored["completedDateTime"].clone(),
            stored["itemName"].clone()
        ),
        (json!(true), json!(me), json!("2026-11-24T10:15:00.000Z"), json!("Apply updates"))
    );
    let after =
        standin.snapshot("Tickets").into_iter().find(|t| t["id"] == ticket).unwrap()["lastActivityDate"].clone();
    assert!(after.as_str() > before.as_str(), "ticking is activity on the ticket");
    // Unticked: the completion cleared.
    let untick =
        json!({ "id": items[1], "isCompleted": false, "completedByResourceID": null, "completedDateTime": null });
    assert_eq!(
        client.call("PATCH", &format!("{API}/Tickets/{ticket}/ChecklistItems"), Some(&untick)).await.status,
        200
    );
    let stored = standin.snapshot("TicketChecklistItems").into_iter().find(|i| i["id"] == items[1]).unwrap();
    assert_eq!((stored["isCompleted"].clone(), stored["completedByResourceID"].clone()), (json!(false), Value::Null));

    // Refused: an unknown resource, an item of another ticket, a body that disagrees
    // with the path, a value of the wrong type, an emptied name, no id.
    for (why, path_ticket, body, words) in [
        (
            "unknown resource",
            ticket,
            json!({ "id": items[0], "isCompleted": true, "completedByResourceID": 4242 }),
            "completedByResourceID",
        ),
        ("another ticket's item", other_ticket, json!({ "id": items[0], "isCompleted": true }), "no record"),
        (
            "path and body differ",
            ticket,
            json!({ "id": items[0], "ticketID": other_ticket, "isCompleted": true }),
            "differs",
        ),
        ("wrong type", ticket, json!({ "id": items[0], "isCompleted": "maybe" }), "isCompleted"),
        ("emptied name", ticket, json!({ "id": items[0], "itemName": " " }), "itemName"),
        ("no id", ticket, json!({ "isCompleted": true }), "id"),
    ] {
        let refused = client.call("PATCH", &format!("{API}/Tickets/{path_ticket}/ChecklistItems"), Some(&body)).await;
        assert_eq!(refused.status, 500, "{why}: {}", refused.body);
        assert!(refused.error().contains(words), "{why}: {}", refused.body);
    }
    let untouched = standin.snapshot("TicketChecklistItems").into_iter().find(|i| i["id"] == items[0]).unwrap();
    assert_eq!(untouched["isCompleted"], json!(false), "a refused write changes nothing");
    // Only through the ticket: the entity itself takes no PATCH, and no item is created.
    assert_eq!(client.call("PATCH", &format!("{API}/TicketChecklistItems"), Some(&tick)).await.status, 405);
    let create = json!({ "ticketID": ticket, "itemName": "New" });
    assert_eq!(client.call("POST", &format!("{API}/Tickets/{ticket}/ChecklistItems"), Some(&create)).await.status, 500);
    let info = client.call("GET", &format!("{API}/TicketChecklistItems/entityInformation"), None).await.json();
    assert_eq!((info["info"]["canUpdate"].clone(), info["info"]["canCreate"].clone()), (json!(true), json!(false)));
    standin.stop().await;
}
