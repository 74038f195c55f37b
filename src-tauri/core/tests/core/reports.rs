use chrono::{Duration, Utc};
use fieldkit_core::reports::{
    create_correction, create_report, get_report, render_pdf, save_report_draft, seal_report, stamp_report,
    verify_report, Paper, PartLine, ReportDraft, ReportError, SignatureInput, Stamp, StrokePoint,
};
use fieldkit_core::sample_data::load_sample_data;
use fieldkit_core::tickets::{list_tickets, TicketQuery, TicketSort, TicketView};
use fieldkit_core::vault::Vault;
use fieldkit_core::Db;

/// A dense signature: a few loops of a few hundred points.
pub fn signature_strokes() -> Vec<Vec<StrokePoint>> {
    (0..6)
        .map(|stroke| {
            (0..250)
                .map(|i| {
                    let t = i as f32 / 250.0;
                    StrokePoint {
                        x: 0.05 + 0.15 * stroke as f32 + 0.1 * t + 0.05 * (t * 12.0).sin(),
                        y: 0.5 + 0.35 * (t * 9.0 + stroke as f32).sin(),
                        t: i * 8,
                        p: 0.3 + 0.4 * t,
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_report_is_sealed_verified_and_a_changed_byte_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fieldkit.db");
    let db = Db::open(&path).unwrap();
    let now = Utc::now();
    load_sample_data(&db, 1, now).unwrap();
    let vault = Vault::default();
    vault.set_up(&db, Some("correct horse battery staple")).unwrap();
    let ticket = list_tickets(
        &db,
        &TicketQuery {
            view: TicketView::MyTodo,
            sort: TicketSort::Priority,
            customer_id: None,
            priority: None,
            status: None,
            offset: 0,
            limit: 1,
        },
        now,
    )
    .unwrap()
    .rows[0]
        .clone();

    let report = create_report(&db, ticket.id, now).unwrap();
    assert_eq!(report.ticket_number, ticket.number);
    assert!(!report.customer_name.is_empty() && !report.technician_name.is_empty());
    stamp_report(&db, report.id, Stamp::Arrived, now).unwrap();
    let parts: Vec<PartLine> = (1..=20)
        .map(|i| PartLine { item: format!("Cat6 patch cable {i} m <b>blue</b>"), quantity: i, item_id: None })
        .collect();
    let work =
        format!("Replaced the switch <script>alert(1)</script>. {}", "Traced every drop and labelled it. ".repeat(400));
    save_report_draft(
        &db,
        &ReportDraft {
            id: report.id,
            work_performed: work.clone(),
            findings: "Closet has no ventilation.".into(),
            recommendations: "Add a fan.".into(),
            customer_notes: "Thanks for the coffee!".into(),
            follow_up_needed: true,
            follow_up_what: "Quote a UPS".into(),
            parts: parts.clone(),
        },
        now,
    )
    .unwrap();
    stamp_report(&db, report.id, Stamp::Leaving, now + Duration::hours(2)).unwrap();

    // No strokes and no reason: refused.
    let unsigned = SignatureInput {
        strokes: vec![],
        signer_name: "Dana Reyes".into(),
        signer_title: "Owner".into(),
        no_signature_reason: String::new(),
        record_anyway: false,
        paper: None,
    };
    assert!(matches!(seal_report(&db, &vault, report.id, &unsigned, now), Err(ReportError::Invalid(_))));

    let signed = SignatureInput { strokes: signature_strokes(), ..unsigned };
    let sealed = seal_report(&db, &vault, report.id, &signed, now + Duration::hours(2)).unwrap();
    assert!(sealed.sealed && sealed.seal_hash.is_some());
    let verification = verify_report(&db, Some(&vault), report.id).unwrap();
    assert!(verification.ok, "{:?}", verification.problems);

    // Sealed means read-only.
    let again = ReportDraft {
        id: report.id,
        work_performed: "changed".into(),
        findings: String::new(),
        recommendations: String::new(),
        customer_notes: String::new(),
        follow_up_needed: false,
        follow_up_what: String::new(),
        parts: vec![],
    };
    assert!(matches!(save_report_draft(&db, &again, now), Err(ReportError::Sealed)));
    // A correction is a new draft naming the sealed report, which stays as it was.
    let correction = create_correction(&db, report.id, now).unwrap();
    assert_eq!(correction.revision_of, Some(report.id));
    assert!(!correction.sealed && correction.work_performed == work.trim());
    assert!(verify_report(&db, Some(&vault), report.id).unwrap().ok);

    // The PDF: A4 and Letter, small, with the text, signer and hash in it.
    for paper in [Paper::A4, Paper::Letter] {
        let pdf = render_pdf(&db, report.id, "Fieldkit MSP", paper).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(pdf.len() <= 200 * 1024, "PDF of {} bytes", pdf.len());
        std::fs::write(dir.path().join(format!("report-{paper:?}.pdf")), &pdf).unwrap();
    }
    if let Ok(output) = std::process::Command::new("pdftotext").arg(dir.path().join("report-A4.pdf")).arg("-").output()
    {
        if output.status.success() {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains("Replaced the switch <script>alert(1)</script>"), "work text in the PDF");
            assert!(text.contains("Dana Reyes"));
            assert!(text.contains(sealed.seal_hash.as_deref().unwrap()), "the hash in the footer");
        }
    }
    if let Ok(keep) = std::env::var("FIELDKIT_KEEP_PDF") {
        std::fs::copy(dir.path().join("report-A4.pdf"), keep).unwrap();
    }

    // One changed byte in the stored report: verification fails and names the field.
    drop(db);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE service_reports SET work_performed = replace(work_performed, 'Replaced', 'Replacad') WHERE id = ?1",
        [report.id.to_string()],
    )
    .unwrap();
    drop(raw);
    let db = Db::open(&path).unwrap();
    let verification = verify_report(&db, Some(&vault), report.id).unwrap();
    assert!(!verification.ok);
    assert_eq!(verification.problems, vec!["work_performed differs from what was signed.".to_string()]);
    assert_eq!(get_report(&db, report.id).unwrap().parts, parts);
}
