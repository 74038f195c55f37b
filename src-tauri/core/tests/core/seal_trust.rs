//! The seal at its edges: a forged report, a changed PDF byte, a PDF checked
//! on another machine, and a report sealed on a ticket raised offline.

use chrono::Utc;
use ed25519_dalek::{Signer, SigningKey};
use fieldkit_core::reports::{
    create_report, export_pdf, seal_public_key, seal_report, verify_pdf, verify_pdf_with_key, verify_report, Paper,
    ReportDraft, SignatureInput,
};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::vault::Vault;
use fieldkit_core::Db;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::reports::signature_strokes;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A sample cache with an unlocked vault and one sealed report.
fn sealed_report(dir: &std::path::Path) -> (Db, Vault, Uuid) {
    let db = Db::open(&dir.join("fieldkit.db")).unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    let ticket: String =
        db.read(|c| c.query_row("SELECT id FROM tickets ORDER BY row LIMIT 1", [], |r| r.get(0))).unwrap();
    let report = create_report(&db, Uuid::parse_str(&ticket).unwrap(), now).unwrap();
    fieldkit_core::reports::save_report_draft(
        &db,
        &ReportDraft {
            id: report.id,
            work_performed: "Replaced the switch.".into(),
            findings: String::new(),
            recommendations: String::new(),
            customer_notes: String::new(),
            follow_up_needed: false,
            follow_up_what: String::new(),
            parts: vec![],
        },
        now,
    )
    .unwrap();
    let signature = SignatureInput {
        strokes: signature_strokes(),
        signer_name: "Dana Reyes".into(),
        signer_title: "Owner".into(),
        no_signature_reason: String::new(),
        record_anyway: false,
        paper: None,
    };
    seal_report(&db, &vault, report.id, &signature, now).unwrap();
    (db, vault, report.id)
}

#[test]
fn a_report_edited_rehashed_and_resigned_with_a_new_key_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault, id) = sealed_report(dir.path());
    assert!(verify_report(&db, Some(&vault), id).unwrap().ok);
    let published = seal_public_key(&db).unwrap().unwrap();
    let pdf = export_pdf(&db, &vault, id, "Fieldkit MSP", Paper::A4, Utc::now()).unwrap();

    // The forger edits the work text, re-hashes and re-signs the content
    // with a key of their own, and puts their key in the report and the key row.
    let forger = SigningKey::from_bytes(&[42u8; 32]);
    let forged_key = hex(forger.verifying_key().as_bytes());
    db.write(|tx| -> rusqlite::Result<()> {
        let content: String =
            tx.query_row("SELECT sealed_content FROM service_reports WHERE id = ?1", [id.to_string()], |r| r.get(0))?;
        let content = content.replace("Replaced the switch.", "Nothing was done.");
        let hash = hex(&Sha256::digest(content.as_bytes()));
        let signature = hex(&forger.sign(hash.as_bytes()).to_bytes());
        tx.execute(
            "UPDATE service_reports SET work_performed = 'Nothing was done.', sealed_content = ?2, seal_hash = ?3,
                 seal_signature = ?4, seal_public_key = ?5 WHERE id = ?1",
            rusqlite::params![id.to_string(), content, hash, signature, forged_key],
        )?;
        tx.execute("UPDATE seal_keys SET public_key = ?1", [&forged_key])?;
        Ok(())
    })
    .unwrap();
    let verification = verify_report(&db, Some(&vault), id).unwrap();
    assert!(!verification.ok);
    assert_eq!(
        verification.problems,
        vec!["This installation's sealing key record was replaced: it is not the key the vault holds.".to_string()]
    );
    // Sealing refuses to go on with a replaced key row.
    // And with no installation key at all, nothing is skipped.
    db.write(|tx| tx.execute("DELETE FROM seal_keys", [])).unwrap();
    let verification = verify_report(&db, Some(&vault), id).unwrap();
    assert!(!verification.ok);
    assert!(verification.problems[0].contains("no sealing key"), "{:?}", verification.problems);

    // The PDF the customer got still verifies against the published key; a
    // PDF of the forged report could only carry the forger's key.
    assert!(verify_pdf_with_key(&pdf, &published).ok);
    let against_forger = verify_pdf_with_key(&pdf, &forged_key);
    assert!(!against_forger.ok && against_forger.problems[0].contains("not the trusted key"));
}

#[test]
fn the_sealed_pdf_proves_itself_on_another_machine_and_a_changed_byte_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault, id) = sealed_report(dir.path());
    let key = seal_public_key(&db).unwrap().unwrap();
    let first = export_pdf(&db, &vault, id, "Fieldkit MSP", Paper::A4, Utc::now()).unwrap();
    // The same bytes every time: the recorded file, not a new rendering.
    assert_eq!(export_pdf(&db, &vault, id, "Another name", Paper::A4, Utc::now()).unwrap(), first);
    assert!(verify_pdf(&db, Some(&vault), &first).unwrap().ok);
    if let Ok(keep) = std::env::var("FIELDKIT_KEEP_SEALED_PDF") {
        std::fs::write(keep, &first).unwrap();
    }

    // Another machine: no database at all, only the file and the published key.
    let verification = verify_pdf_with_key(&first, &key);
    assert!(verification.ok, "{:?}", verification.problems);
    // One changed byte, anywhere: in the seal, in the page content, in the trailer.
    let seal_at = first.windows(16).position(|w| w == b"\"fieldkit_seal\":").unwrap();
    for at in [seal_at + 100, first.len() / 3, first.len() - 10] {
        let mut changed = first.clone();
        changed[at] = changed[at].wrapping_add(1);
        let verification = verify_pdf_with_key(&changed, &key);
        assert!(!verification.ok, "byte {at} changed and the PDF still verified");
    }
    // Cut short anywhere (a download that stopped): never verifies, never panics.
    for cut in (0..first.len()).step_by(first.len() / 97 + 1) {
        assert!(!verify_pdf_with_key(&first[..cut], &key).ok, "cut at {cut} verified");
    }
    // A Letter copy is signed once, then kept.
    let letter = export_pdf(&db, &vault, id, "Fieldkit MSP", Paper::Letter, Utc::now()).unwrap();
    assert_ne!(letter, first);
    assert!(verify_pdf_with_key(&letter, &key).ok);
    // Without the vault a new paper size cannot be signed; the recorded one is still there.
    let locked = Vault::default();
    db.write(|tx| tx.execute("DELETE FROM report_pdfs WHERE paper = 'Letter'", [])).unwrap();
    assert!(export_pdf(&db, &locked, id, "Fieldkit MSP", Paper::Letter, Utc::now()).is_err());
    assert_eq!(export_pdf(&db, &locked, id, "Fieldkit MSP", Paper::A4, Utc::now()).unwrap(), first);
    // A PDF with no seal at all.
    let draft_like = fieldkit_core::reports::render_pdf(&db, id, "Fieldkit MSP", Paper::A4).unwrap();
    let verification = verify_pdf_with_key(&draft_like, &key);
    assert_eq!(verification.problems, vec!["This PDF carries no Fieldkit seal.".to_string()]);
}

#[test]
fn sealing_queues_the_recorded_pdf_once_and_a_renumbered_ticket_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (db, vault, id) = sealed_report(dir.path());
    let key = seal_public_key(&db).unwrap().unwrap();
    // Sealing alone queued the attachment, naming the recorded bytes.
    let payloads: Vec<String> = db
        .read(|c| {
            c.prepare("SELECT payload FROM outbox WHERE entity = 'TicketAttachment' AND entity_id = ?1")?
                .query_map([id.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap();
    assert_eq!(payloads.len(), 1);
    let sha = serde_json::from_str::<serde_json::Value>(&payloads[0]).unwrap()["sha256"].as_str().unwrap().to_string();
    let bytes: Vec<u8> =
        db.read(|c| c.query_row("SELECT bytes FROM report_pdfs WHERE sha256 = ?1", [&sha], |r| r.get(0))).unwrap();
    assert_eq!(hex(&Sha256::digest(&bytes)), sha);
    assert!(verify_pdf_with_key(&bytes, &key).ok);
    // Saving the PDF again queues nothing more.
    export_pdf(&db, &vault, id, "Fieldkit MSP", Paper::A4, Utc::now()).unwrap();
    export_pdf(&db, &vault, id, "Fieldkit MSP", Paper::Letter, Utc::now()).unwrap();
    let queued: i64 = db
        .read(|c| c.query_row("SELECT count(*) FROM outbox WHERE entity = 'TicketAttachment'", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(queued, 1);

    // The first sync gives an offline ticket (T…L…) its PSA number: the seal still holds.
    db.write(|tx| {
        tx.execute(
            "UPDATE tickets SET number = 'T20261129.0007' WHERE row = (SELECT ticket_row FROM service_reports WHERE id = ?1)",
            [id.to_string()],
        )
    })
    .unwrap();
    let verification = verify_report(&db, Some(&vault), id).unwrap();
    assert!(verification.ok, "{:?}", verification.problems);
    assert!(verify_report(&db, None, id).unwrap().ok);
}
