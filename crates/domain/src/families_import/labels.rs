//! What a column's header says, in French or English, without regard to
//! case, accents or punctuation.

use super::Target;

/// Lower case, accents removed, anything but letters and digits a space,
/// spaces collapsed: `"Âge(s) des enfants"` → `"age s des enfants"`.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain: &str = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' | 'ý' => "y",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                out.push(c);
                space = false;
                continue;
            }
            _ => {
                if !space {
                    out.push(' ');
                    space = true;
                }
                continue;
            }
        };
        out.push_str(plain);
        space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The target a header names, or [`Target::Ignore`]. Rules are tried in
/// order, the most specific first (a consent's label may mention an
/// e-mail; "prénom" is not "nom").
pub fn recognise(label: &str) -> Target {
    let text = normalise(label);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Target::Ignore;
    }
    let has = |word: &str| words.contains(&word);
    let starts = |prefix: &str| words.iter().any(|w| w.starts_with(prefix));
    if starts("newsletter") || starts("infolettre") || (has("lettre") && starts("info")) {
        Target::ConsentNewsletter
    } else if starts("temoignage") || starts("testimonial") {
        Target::ConsentTestimonials
    } else if starts("etude") || starts("enquete") || starts("recherche") || starts("stud") {
        Target::ConsentStudies
    } else if has("16") || starts("certif") || starts("attest") {
        Target::Certified16Plus
    } else if starts("courriel") || starts("mail") || starts("email") {
        Target::Email
    } else if starts("tel") || starts("phone") || has("portable") || has("mobile") || has("gsm") {
        Target::Phone
    } else if starts("prenom") || has("first") || has("given") || has("firstname") {
        Target::GivenName
    } else if starts("programme")
        || starts("program")
        || starts("atelier")
        || starts("parcours")
        || starts("formation")
        || starts("workshop")
    {
        Target::Programme
    } else if starts("creneau")
        || starts("disponibilit")
        || starts("slot")
        || has("horaires")
        || starts("availab")
    {
        Target::PreferredSlots
    } else if (starts("nombre") || has("nb") || has("number") || has("nbre"))
        && (starts("enfant") || starts("child"))
    {
        Target::ChildrenCount
    } else if starts("age") || starts("tranche") {
        Target::AgeBrackets
    } else if has("nom")
        || has("name")
        || has("surname")
        || has("lastname")
        || has("famille")
        || has("family")
    {
        Target::FamilyName
    } else {
        Target::Ignore
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_case_accents_and_punctuation() {
        assert_eq!(normalise("  Âge(s) des ENFANTS  "), "age s des enfants");
        assert_eq!(normalise("E-mail"), "e mail");
        assert_eq!(normalise("Nombre d’enfants"), "nombre d enfants");
        assert_eq!(normalise("Certifié·e 16+ ?"), "certifie e 16");
        assert_eq!(normalise("Œuvre"), "oeuvre");
    }

    #[test]
    fn french_and_english_headers_are_recognised() {
        let cases = [
            ("Prénom", Target::GivenName),
            ("First name", Target::GivenName),
            ("Nom", Target::FamilyName),
            ("Nom de famille", Target::FamilyName),
            ("Last name", Target::FamilyName),
            ("E-mail", Target::Email),
            ("Courriel", Target::Email),
            ("Adresse mail", Target::Email),
            ("Email address", Target::Email),
            ("Téléphone", Target::Phone),
            ("Tél. portable", Target::Phone),
            ("Phone", Target::Phone),
            ("Nombre d'enfants", Target::ChildrenCount),
            ("Enfants — Nombre", Target::ChildrenCount),
            ("Number of children", Target::ChildrenCount),
            ("Âges des enfants", Target::AgeBrackets),
            ("Tranches d'âge", Target::AgeBrackets),
            ("Children's ages", Target::AgeBrackets),
            ("Âge enfant 2", Target::AgeBrackets),
            ("Programme souhaité", Target::Programme),
            ("Atelier", Target::Programme),
            ("Créneaux souhaités", Target::PreferredSlots),
            ("Preferred slots", Target::PreferredSlots),
            (
                "Consentements — Lettre d'information",
                Target::ConsentNewsletter,
            ),
            ("Newsletter", Target::ConsentNewsletter),
            ("Témoignages", Target::ConsentTestimonials),
            ("Testimonials", Target::ConsentTestimonials),
            ("Études", Target::ConsentStudies),
            ("Studies", Target::ConsentStudies),
            ("Certifie avoir 16 ans ou plus", Target::Certified16Plus),
            ("Certified 16+", Target::Certified16Plus),
            ("Date de naissance", Target::Ignore),
            ("Commentaires", Target::Ignore),
            ("", Target::Ignore),
        ];
        for (label, target) in cases {
            assert_eq!(recognise(label), target, "{label}");
        }
    }
}
