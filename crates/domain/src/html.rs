//! HTML escaping of the French documents rendered from `templates/` with
//! askama: `askama.toml` makes [`Escape`] the escaper of every `.html`
//! template, so each `{{ value }}` is escaped unless marked `|safe`.

use std::fmt::{self, Write};

/// Escapes the five characters that matter in element content and in
/// double- or single-quoted attribute values: `&` `<` `>` `"` `'` become
/// `&amp;` `&lt;` `&gt;` `&quot;` `&#39;`; everything else is written as is.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Escape;

impl askama::filters::Escaper for Escape {
    fn write_escaped_str<W: Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut start = 0;
        for (index, byte) in text.bytes().enumerate() {
            let entity = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            // The five are ASCII: `index` is a character boundary.
            dest.write_str(&text[start..index])?;
            dest.write_str(entity)?;
            start = index + 1;
        }
        dest.write_str(&text[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        Escape.write_escaped_str(&mut out, text).unwrap();
        out
    }

    #[test]
    fn escapes_the_five_characters_with_named_references() {
        assert_eq!(
            escaped("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(
            escaped("Écoute & patience — « oui »"),
            "Écoute &amp; patience — « oui »"
        );
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("sans rien"), "sans rien");
        let mut one = String::new();
        Escape.write_escaped_char(&mut one, '\'').unwrap();
        assert_eq!(one, "&#39;");
    }
}
