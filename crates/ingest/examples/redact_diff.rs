//! Prints every comment of a CSV column that the redactor changes, before and after, to review false
//! positives (`cargo run -p chorus-ingest --example redact_diff -- FILE COLUMN`).

use chorus_ingest::Redactor;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(column)) = (args.next(), args.next()) else {
        return Err("usage: redact_diff FILE COLUMN".into());
    };
    let redactor = Redactor::new();
    let mut reader = csv::Reader::from_path(path)?;
    let index = reader
        .headers()?
        .iter()
        .position(|h| h == column)
        .ok_or("no such column")?;
    for record in reader.records() {
        let record = record?;
        let text = record.get(index).unwrap_or("");
        let (out, _) = redactor.redact(text);
        if out != text {
            println!("- {text}\n+ {out}\n");
        }
    }
    Ok(())
}
