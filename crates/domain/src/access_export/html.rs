//! What the HTML documents share: escaping and the inline style sheet.

/// HTML-escapes text for element content and double- or single-quoted attributes.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks as `<br>`.
pub(super) fn esc_lines(text: &str) -> String {
    text.lines().map(esc).collect::<Vec<_>>().join("<br>")
}

pub(super) const STYLE: &str = "<style>
body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.45}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.3rem;border-bottom:2px solid #2b5d8a;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.1rem;margin-top:1.4rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #b8c2cc;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td{white-space:pre-wrap;overflow-wrap:anywhere}
table.meta th{width:35%}
table.fiche th{width:35%}
caption{text-align:left;font-weight:600;padding:.2rem 0}
.compte{font-weight:normal;color:#444}
.vide{color:#6b6b6b}
.encadre{border:1px solid #2b5d8a;background:#f3f7fb;padding:.6rem .9rem;border-radius:4px}
.alerte{border:1px solid #a12622;background:#fbeeee;padding:.6rem .9rem;border-radius:4px}
dt{font-weight:600;margin-top:.6rem}
dd{margin-left:1.2rem}
footer{margin-top:2.5rem;border-top:1px solid #b8c2cc;color:#444;font-size:.85rem}
code{overflow-wrap:anywhere}
@media print{main{max-width:none;padding:0}body{font-size:10.5pt}h2,h3{break-after:avoid}tr,table.fiche{break-inside:avoid}a{color:inherit;text-decoration:none}.encadre,.alerte{background:none}}
</style>
";
