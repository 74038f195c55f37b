//! Compresses the report fonts into the build's output folder: the binary
//! carries them deflated (about half their size) and `reports::pdf` inflates
//! one the first time a report is drawn.

use std::io::Write;
use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        let source = Path::new("assets").join(name);
        println!("cargo::rerun-if-changed={}", source.display());
        let font = std::fs::read(&source).unwrap_or_else(|error| panic!("{}: {error}", source.display()));
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&font).expect("deflate into memory");
        let packed = encoder.finish().expect("deflate into memory");
        std::fs::write(Path::new(&out).join(format!("{name}.deflate")), packed).expect("write OUT_DIR");
    }
}
