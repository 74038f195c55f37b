//! Desktop notifications computed from the cache, as after a sync.

use chrono::{Timelike, Utc};
use fieldkit_core::notice_inbox::{list_notices, mark_notices_read};
use fieldkit_core::notifications::{
    due_notices, get_notification_settings, save_notification_settings, NoticeKind, NotificationSettings,
};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::settings::get_settings;
use fieldkit_core::Db;
use uuid::Uuid;

fn loaded() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("fieldkit.db")).unwrap();
    load_sample_data(&db, 1, Utc::now()).unwrap();
    (dir, db)
}

/// A reply from the customer on one of my open tickets, as a sync writes it.
fn customer_reply(db: &Db, body: &str) -> String {
    let me = get_settings(db).unwrap().me.unwrap().to_string();
    db.write(|tx| -> rusqlite::Result<String> {
        let (row, number): (i64, String) = tx.query_row(
            "SELECT row, number FROM tickets WHERE completed_at IS NULL AND primary_resource_id = ?1 ORDER BY row LIMIT 1",
            [&me],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "INSERT INTO ticket_notes (id, ticket_row, body, from_customer, created_at) VALUES (?1, ?2, ?3, 1, ?4)",
            rusqlite::params![Uuid::new_v4().to_string(), row, body, Utc::now()],
        )?;
        Ok(number)
    })
    .unwrap()
}

#[test]
fn each_notice_once_grouped_when_many_and_nothing_on_the_first_look() {
    let (_dir, db) = loaded();
    // The first look at a cache: what is there is not news.
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty());
    assert_eq!(list_notices(&db).unwrap().items.len(), 0, "nor in the app's list");
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty(), "and nothing new since");

    let number = customer_reply(&db, "<b>Still</b> broken & <i>urgent</i>");
    let notices = due_notices(&db, Utc::now()).unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].kind, NoticeKind::CustomerReply);
    assert!(notices[0].body.starts_with(&number));
    assert!(
        notices[0].body.contains("&lt;b&gt;Still&lt;/b&gt; broken &amp; &lt;i&gt;urgent&lt;/i&gt;"),
        "{}",
        notices[0].body
    );
    assert!(notices[0].ticket_id.is_some());
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty(), "at most once");
    let list = list_notices(&db).unwrap();
    assert_eq!((list.unread, list.items.len()), (1, 1), "the app's list has it: {list:?}");
    assert_eq!(list.items[0].body, format!("{number}: <b>Still</b> broken & <i>urgent</i>"), "as text, unescaped");
    assert_eq!(list.items[0].ticket_id, notices[0].ticket_id);

    for i in 0..4 {
        customer_reply(&db, &format!("Reply {i}"));
    }
    let notices = due_notices(&db, Utc::now()).unwrap();
    assert_eq!(notices.len(), 1, "four replies in one sync are one notice: {notices:?}");
    assert_eq!(notices[0].title, "4 customer replies");
    assert!(notices[0].body.contains("… and 1 more"));
    let list = list_notices(&db).unwrap();
    assert_eq!(list.unread, 5, "the grouped notification is one row per reply in the app's list");
    assert!(list.items.iter().all(|item| item.ticket_id.is_some() && item.title == "A customer replied"));
    let opened = mark_notices_read(&db, Some(list.items[0].id), Utc::now()).unwrap();
    assert_eq!(opened.unread, 4);
    assert!(opened.items[0].read && !opened.items[1].read, "newest first, the opened one read");
    assert_eq!(mark_notices_read(&db, None, Utc::now()).unwrap().unread, 0);

    // A conflict waiting after a sync.
    db.write(|tx| {
        tx.execute(
            "INSERT INTO sync_conflicts (id, ticket_row, field, local_value, remote_value, detected_at)
             SELECT ?1, row, 'status', '7', '10', ?2 FROM tickets ORDER BY row LIMIT 1",
            rusqlite::params![Uuid::new_v4().to_string(), Utc::now()],
        )
    })
    .unwrap();
    let notices = due_notices(&db, Utc::now()).unwrap();
    assert_eq!(notices.iter().map(|n| n.kind).collect::<Vec<_>>(), vec![NoticeKind::Conflict]);
}

#[test]
fn the_quiet_hours_silence_notices_and_they_are_not_shown_later() {
    let (_dir, db) = loaded();
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty());
    let zone = get_settings(&db).unwrap().zone();
    let hour = Utc::now().with_timezone(&zone).hour();
    let quiet = NotificationSettings { enabled: true, quiet_from_hour: hour, quiet_to_hour: (hour + 1) % 24 };
    save_notification_settings(&db, &quiet).unwrap();
    assert_eq!(get_notification_settings(&db).unwrap(), quiet);
    customer_reply(&db, "During the quiet hours");
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty(), "quiet");
    let list = list_notices(&db).unwrap();
    assert_eq!(list.unread, 1, "the quiet hours silence the desktop, not the app's list");
    save_notification_settings(&db, &NotificationSettings::default()).unwrap();
    assert!(due_notices(&db, Utc::now()).unwrap().is_empty(), "silenced, not postponed");
    assert!(save_notification_settings(&db, &NotificationSettings { quiet_from_hour: 24, ..quiet }).is_err());
}
