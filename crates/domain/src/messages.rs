//! Message templates (POL-13): webinar reminder, registration confirmation,
//! module suggestion. Placeholders are filled from the participant's data; a
//! template may only use the placeholders listed for it, and a message is
//! never queued with a placeholder left unfilled. Who may receive which
//! message (POL-26 objections) is decided by the store, with these rules.

use serde::Serialize;
use std::collections::BTreeMap;

crate::vocabulary! {
    /// The message templates (POL-13).
    pub enum Template {
        WebinarReminder => "webinar_reminder",
        RegistrationConfirmation => "registration_confirmation",
        ModuleSuggestion => "module_suggestion",
    }
}

impl Template {
    /// Marketing-like messages stop on objection or unsubscribe (POL-13,
    /// POL-26); reminders and confirmations serve the contract.
    pub fn needs_no_objection(self) -> bool {
        matches!(self, Template::ModuleSuggestion)
    }

    /// The placeholders this template uses; each must be filled.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Template::WebinarReminder => &["prenom", "seance", "date", "groupe"],
            Template::RegistrationConfirmation => &["prenom", "programme", "groupe", "horaire"],
            Template::ModuleSuggestion => &["prenom", "programme"],
        }
    }

    /// Subject and body, in French (the participants' language).
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Template::WebinarReminder => (
                "Rappel : {seance} le {date}",
                "Bonjour {prenom},\n\nNous vous rappelons la séance « {seance} » du groupe {groupe}, le {date}.\n\
                 Le lien de connexion vous sera envoyé une heure avant.\n\nÀ bientôt,\nL'équipe moniravique",
            ),
            Template::RegistrationConfirmation => (
                "Votre inscription : {programme}",
                "Bonjour {prenom},\n\nVotre place dans le groupe {groupe} ({programme}) est confirmée.\n\
                 Les séances ont lieu {horaire}.\n\nÀ bientôt,\nL'équipe moniravique",
            ),
            Template::ModuleSuggestion => (
                "Pour aller plus loin : {programme}",
                "Bonjour {prenom},\n\nLe programme « {programme} » pourrait compléter votre parcours.\n\
                 Vous pouvez vous désinscrire de ces suggestions à tout moment en répondant à ce message.\n\n\
                 L'équipe moniravique",
            ),
        }
    }
}

/// A filled message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("placeholder {0} has no value")]
    Missing(&'static str),
}

fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    // Single pass: a value that itself contains `{x}` is not expanded.
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if values.contains_key(&after[..end]) => {
                out.push_str(&values[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Fills `template` with `values` (placeholder name → text). Every placeholder
/// the template lists must have a non-empty value.
pub fn render(
    template: Template,
    values: &BTreeMap<&str, String>,
) -> Result<Rendered, RenderError> {
    for name in template.placeholders() {
        if values.get(name).is_none_or(|v| v.trim().is_empty()) {
            return Err(RenderError::Missing(name));
        }
    }
    let (subject, body) = template.text();
    Ok(Rendered {
        subject: fill(subject, values),
        body: fill(body, values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn pol_13_every_template_uses_exactly_its_placeholders() {
        for template in Template::ALL {
            let (subject, body) = template.text();
            let text = format!("{subject}{body}");
            let mut used: Vec<&str> = text
                .split('{')
                .skip(1)
                .filter_map(|part| part.split_once('}').map(|(name, _)| name))
                .collect();
            used.sort();
            used.dedup();
            let mut declared = template.placeholders().to_vec();
            declared.sort();
            assert_eq!(used, declared, "{template:?}");
        }
    }

    #[test]
    fn pol_13_rendering_fills_every_placeholder_and_refuses_gaps() {
        let filled = render(
            Template::WebinarReminder,
            &values(&[
                ("prenom", "Camille"),
                ("seance", "Séance 3"),
                ("date", "2 décembre"),
                ("groupe", "A"),
            ]),
        )
        .unwrap();
        assert_eq!(filled.subject, "Rappel : Séance 3 le 2 décembre");
        assert!(filled.body.starts_with("Bonjour Camille,"));
        assert!(!filled.body.contains('{'));
        assert_eq!(
            render(
                Template::ModuleSuggestion,
                &values(&[("prenom", "Camille"), ("programme", " ")])
            ),
            Err(RenderError::Missing("programme"))
        );
    }

    #[test]
    fn pol_13_values_are_not_expanded_twice() {
        let filled = render(
            Template::ModuleSuggestion,
            &values(&[("prenom", "{programme}"), ("programme", "Écoute avancée")]),
        )
        .unwrap();
        assert!(filled.body.starts_with("Bonjour {programme},"));
    }

    #[test]
    fn pol_26_only_suggestions_stop_on_objection() {
        assert!(Template::ModuleSuggestion.needs_no_objection());
        assert!(!Template::WebinarReminder.needs_no_objection());
        assert!(!Template::RegistrationConfirmation.needs_no_objection());
    }
}
