//! A sealed report's PDF that proves itself, on any machine.
//!
//! The PDF carries an embedded file `fieldkit-seal.json`, stored without
//! compression: the signed canonical content, its SHA-256, the Ed25519
//! signature of that hash, the public key, and `pdf_signature` — the same
//! key's signature of the SHA-256 of the whole PDF file with the
//! `pdf_signature` value itself written as 128 `0`s (like a PDF signature's
//! byte range, without a PDF parser). So a changed byte anywhere in the file
//! fails, and the report's content can be checked against the technician's
//! published key (`fieldkit verify <file.pdf> --key <public key>`).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReportError;

/// How the embedded seal begins (serde writes `fieldkit_seal` first).
const MARKER: &[u8] = b"{\"fieldkit_seal\":1,";
const SIGNATURE_FIELD: &[u8] = b"\"pdf_signature\":\"";
const PLACEHOLDER: &str = concat!(
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000"
);
/// The name of the embedded file.
pub(crate) const SEAL_FILE: &str = "fieldkit-seal.json";

/// What the PDF carries; field order is the byte layout (see the module comment).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SealBlock {
    pub fieldkit_seal: u32,
    pub report_id: String,
    pub content: String,
    pub hash: String,
    pub signature: String,
    pub public_key: String,
    pub pdf_signature: String,
}

impl SealBlock {
    /// The block to embed before the PDF is signed (placeholder signature).
    pub(crate) fn unsigned(
        report_id: String,
        content: String,
        hash: String,
        signature: String,
        public_key: String,
    ) -> Self {
        SealBlock {
            fieldkit_seal: 1,
            report_id,
            content,
            hash,
            signature,
            public_key,
            pdf_signature: PLACEHOLDER.into(),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    // Lowercase only: one value, one spelling — otherwise "A" for "a" in the
    // signature (which the file's own digest leaves out) would be a changed
    // byte that still verifies.
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok())).collect()
}

/// A public key from its hex form.
pub(crate) fn public_key(text: &str) -> Option<VerifyingKey> {
    unhex(text.trim())
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
}

/// A short, readable fingerprint of a public key: the first 16 bytes of its
/// SHA-256 in groups of four hex digits.
pub fn key_fingerprint(public_key_hex: &str) -> String {
    let digest = Sha256::digest(public_key_hex.trim().to_ascii_lowercase().as_bytes());
    hex(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|at| at + from)
}

/// Where the seal block starts and where its `pdf_signature` value lies.
fn locate(pdf: &[u8]) -> Result<(usize, std::ops::Range<usize>), String> {
    let start = find(pdf, MARKER, 0).ok_or("This PDF carries no Fieldkit seal.")?;
    if find(pdf, MARKER, start + 1).is_some() {
        return Err("This PDF carries more than one Fieldkit seal.".into());
    }
    let field = find(pdf, SIGNATURE_FIELD, start).ok_or("The PDF's seal is damaged (no PDF signature).")?;
    let value = field + SIGNATURE_FIELD.len();
    let end = value + PLACEHOLDER.len();
    if pdf.get(end..end + 2) != Some(b"\"}".as_slice()) {
        return Err("The PDF's seal is damaged (its PDF signature has the wrong length).".into());
    }
    Ok((start, value..end))
}

fn digest_without_signature(pdf: &[u8], range: std::ops::Range<usize>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..range.start]);
    hasher.update(PLACEHOLDER.as_bytes());
    hasher.update(&pdf[range.end..]);
    hasher.finalize().into()
}

/// Signs a PDF rendered with [`SealBlock::unsigned`] embedded: writes the
/// signature of the whole file into the placeholder.
pub(crate) fn sign_pdf(mut pdf: Vec<u8>, key: &SigningKey) -> Result<Vec<u8>, ReportError> {
    let (_, range) = locate(&pdf).map_err(ReportError::Render)?;
    let signature: Signature = key.sign(&digest_without_signature(&pdf, range.clone()));
    pdf[range].copy_from_slice(hex(&signature.to_bytes()).as_bytes());
    Ok(pdf)
}

/// The result of checking a PDF by itself: the block (when readable) and
/// what is wrong, in words.
pub(crate) struct PdfCheck {
    pub block: Option<SealBlock>,
    pub problems: Vec<String>,
}

/// Checks the PDF's own seal: the file's signature, the content's hash and
/// signature, all with the key the PDF names, and that key against
/// `trusted` (the technician's published key). No database is needed.
pub(crate) fn check_pdf(pdf: &[u8], trusted: Option<&str>) -> PdfCheck {
    let mut problems = Vec::new();
    let (start, range) = match locate(pdf) {
        Ok(found) => found,
        Err(problem) => return PdfCheck { block: None, problems: vec![problem] },
    };
    let block = match serde_json::Deserializer::from_slice(&pdf[start..]).into_iter::<SealBlock>().next() {
        Some(Ok(block)) if block.fieldkit_seal == 1 => block,
        _ => return PdfCheck { block: None, problems: vec!["The PDF's seal cannot be read.".into()] },
    };
    let Some(key) = public_key(&block.public_key) else {
        problems.push("The PDF's seal names no valid public key.".into());
        return PdfCheck { block: Some(block), problems };
    };
    let signature = |text: &str| {
        unhex(text).and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok()).map(|b| Signature::from_bytes(&b))
    };
    let file_ok = signature(&block.pdf_signature)
        .is_some_and(|s| key.verify_strict(&digest_without_signature(pdf, range.clone()), &s).is_ok());
    if !file_ok {
        problems.push("The PDF file was changed after it was sealed (its bytes do not match the seal).".into());
    }
    if hex(&Sha256::digest(block.content.as_bytes())) != block.hash {
        problems.push("The signed content does not match its seal hash.".into());
    }
    if signature(&block.signature).is_none_or(|s| key.verify_strict(block.hash.as_bytes(), &s).is_err()) {
        problems.push("The seal's signature does not verify with the sealing key.".into());
    }
    match serde_json::from_str::<serde_json::Value>(&block.content) {
        Ok(content)
            if content["id"].as_str() == Some(block.report_id.as_str())
                && content["format"].as_str().is_some_and(|f| f.starts_with("fieldkit-ossr/")) => {}
        _ => problems.push("The signed content is not a Fieldkit service report.".into()),
    }
    match trusted {
        Some(trusted) if trusted.trim().eq_ignore_ascii_case(&block.public_key) => {}
        Some(trusted) => problems.push(format!(
            "The PDF was sealed with key {} — not the trusted key {}.",
            key_fingerprint(&block.public_key),
            key_fingerprint(trusted)
        )),
        None => problems.push(
            "There is no trusted key to check the seal against: pass the technician's public key with --key.".into(),
        ),
    }
    PdfCheck { block: Some(block), problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_pdf(block: &SealBlock) -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile >>\nstream\n".to_vec();
        pdf.extend(block.to_bytes());
        pdf.extend(b"\nendstream\nendobj\n%%EOF\n");
        pdf
    }

    fn sealed(key: &SigningKey) -> Vec<u8> {
        let content = r#"{"format":"fieldkit-ossr/2","id":"r1"}"#.to_string();
        let hash = hex(&Sha256::digest(content.as_bytes()));
        let signature = hex(&key.sign(hash.as_bytes()).to_bytes());
        let block = SealBlock::unsigned("r1".into(), content, hash, signature, hex(key.verifying_key().as_bytes()));
        sign_pdf(fake_pdf(&block), key).unwrap()
    }

    #[test]
    fn a_signed_pdf_verifies_against_its_key_and_any_changed_byte_fails() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let trusted = hex(key.verifying_key().as_bytes());
        let pdf = sealed(&key);
        assert!(check_pdf(&pdf, Some(&trusted)).problems.is_empty(), "{:?}", check_pdf(&pdf, Some(&trusted)).problems);
        let signature_at = pdf.windows(17).position(|w| w == b"\"pdf_signature\":\"").unwrap() + 17;
        for at in [0, 5, pdf.len() / 2, pdf.len() - 2, signature_at] {
            let mut changed = pdf.clone();
            changed[at] ^= 0x01;
            assert!(!check_pdf(&changed, Some(&trusted)).problems.is_empty(), "byte {at} changed and still verified");
        }
        // The same signature with a capital hex digit is a changed byte too.
        let mut capital = pdf.clone();
        let letter = (signature_at..signature_at + 128).find(|&i| capital[i].is_ascii_lowercase()).unwrap();
        capital[letter] = capital[letter].to_ascii_uppercase();
        assert!(!check_pdf(&capital, Some(&trusted)).problems.is_empty(), "a capital hex digit verified");
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let problems = check_pdf(&sealed(&other), Some(&trusted)).problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("not the trusted key"));
        assert!(check_pdf(&pdf, None).problems[0].contains("--key"));
        assert_eq!(check_pdf(b"%PDF-1.7 nothing", Some(&trusted)).problems, vec!["This PDF carries no Fieldkit seal."]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..Default::default() })]

        /// Arbitrary files, and a sealed one cut short or with bytes
        /// changed: a clear "not verified", never a panic, never "ok".
        #[test]
        fn arbitrary_truncated_and_changed_files_never_verify(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            cut in 0usize..4096,
            flips in proptest::collection::vec((0usize..4096, 1u8..=255), 1..4),
        ) {
            let key = SigningKey::from_bytes(&[9u8; 32]);
            let trusted = hex(key.verifying_key().as_bytes());
            let check = check_pdf(&bytes, Some(&trusted));
            proptest::prop_assert!(!check.problems.is_empty());
            let pdf = sealed(&key);
            let check = check_pdf(&pdf[..cut.min(pdf.len() - 1)], Some(&trusted));
            proptest::prop_assert!(!check.problems.is_empty());
            // Distinct positions: two flips of one byte could cancel out.
            let flips: std::collections::BTreeMap<usize, u8> =
                flips.into_iter().map(|(at, flip)| (at % pdf.len(), flip)).collect();
            let mut changed = pdf.clone();
            for (at, flip) in flips {
                changed[at] ^= flip;
            }
            proptest::prop_assert!(!check_pdf(&changed, Some(&trusted)).problems.is_empty());
        }
    }
}
