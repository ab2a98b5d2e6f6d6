//! The readable French summary of an access export (POL-23, POL-28):
//! `synthese.html`.

use super::archive::ZIP_JSON;
use super::art15::{
    column_label_fr, ANSWER_DELAY_FR, AUTOMATED_DECISIONS_FR, CNIL_FR, COUNTRY_TO_CONFIRM,
    EXPIRY_FR, NEVER_SOLD_FR, RIGHTS_FR,
};
use super::format::{count_fr, paris_long, paris_short};
use super::html::{esc, esc_lines, STYLE};
use super::model::{AccessExport, Category, Value};

impl AccessExport {
    /// The readable French summary (POL-23, POL-28): a self-contained,
    /// printable HTML page for a parent. Dates in Paris time
    /// (`25/11/2026 14:30`), booleans `oui`/`non`, empty values `—`; every
    /// interpolated string is HTML-escaped.
    pub fn to_html_fr(&self) -> String {
        let info = &self.info;
        let mut h = String::with_capacity(32 * 1024);
        h.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.push_str(&format!(
            "<title>Vos données personnelles — demande {}</title>\n",
            esc(&self.request_ref)
        ));
        h.push_str(STYLE);
        h.push_str("</head>\n<body>\n<main>\n");

        // What this document is.
        h.push_str(
            "<header>\n<h1>Réponse à votre demande d'accès à vos données personnelles</h1>\n",
        );
        h.push_str("<table class=\"meta\">\n");
        h.push_str(&format!(
            "<tr><th>Référence de votre demande</th><td>{}</td></tr>\n",
            esc(&self.request_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Document établi le</th><td>{} (heure de Paris)</td></tr>\n",
            paris_long(self.generated_at)
        ));
        h.push_str(&format!(
            "<tr><th>Votre identifiant dans nos systèmes</th><td>{}</td></tr>\n",
            esc(&self.subject_ref)
        ));
        h.push_str(&format!(
            "<tr><th>Responsable du traitement</th><td>{}<br>{}</td></tr>\n",
            esc(&info.controller.name),
            esc_lines(&info.controller.address)
        ));
        h.push_str("</table>\n");
        h.push_str(&format!(
            "<p class=\"encadre\">Vous nous avez demandé quelles données personnelles nous détenons sur vous. \
Ce document les reprend toutes, catégorie par catégorie, puis explique pourquoi nous les utilisons, qui y a \
accès, combien de temps nous les gardons et quels sont vos droits. Les mêmes données sont jointes dans un format \
réutilisable : le fichier {ZIP_JSON} et un fichier CSV par catégorie (dossier csv), que vous pouvez transmettre \
à un autre service.</p>\n"
        ));
        h.push_str("</header>\n");

        // 1. The data.
        let total: usize = self.categories.iter().map(|c| c.rows.len()).sum();
        h.push_str("<section>\n<h2>1. Les données que nous détenons sur vous</h2>\n");
        h.push_str(&format!(
            "<p>{} au total, en {}. Les dates et heures sont indiquées à l'heure de Paris.</p>\n",
            count_fr(total as u64, "enregistrement", "enregistrements"),
            count_fr(self.categories.len() as u64, "catégorie", "catégories"),
        ));
        if !self.categories.is_empty() {
            h.push_str("<table class=\"sommaire\">\n<thead><tr><th>Catégorie</th><th>Nombre d'enregistrements</th></tr></thead>\n<tbody>\n");
            for category in &self.categories {
                h.push_str(&format!(
                    "<tr><td><a href=\"#cat-{}\">{}</a></td><td>{}</td></tr>\n",
                    esc(&category.key),
                    esc(&category.title_fr),
                    category.rows.len()
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
        for category in &self.categories {
            html_category(&mut h, category);
        }
        h.push_str("</section>\n");

        // 2. Purposes and legal bases.
        h.push_str("<section>\n<h2>2. Pourquoi nous utilisons vos données, et sur quelle base légale</h2>\n");
        h.push_str("<table>\n<thead><tr><th>Finalité</th><th>Base légale</th><th>Données concernées</th></tr></thead>\n<tbody>\n");
        for purpose in &info.purposes {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&purpose.name_fr),
                esc(purpose.legal_basis.label_fr()),
                esc(&purpose.data_categories_fr)
            ));
        }
        h.push_str("</tbody>\n</table>\n");
        h.push_str(&format!("<p>{AUTOMATED_DECISIONS_FR}</p>\n</section>\n"));

        // 3. Recipients and processors.
        h.push_str("<section>\n<h2>3. Qui a accès à vos données</h2>\n");
        h.push_str("<h3>Au sein de notre équipe, selon le rôle de chacun</h3>\n<ul>\n");
        for role in &info.internal_recipients_fr {
            h.push_str(&format!("<li>{}</li>\n", esc(role)));
        }
        h.push_str("</ul>\n");
        h.push_str("<h3>Nos prestataires (sous-traitants)</h3>\n");
        h.push_str("<p>Ils agissent sous contrat, avec des clauses strictes de protection, et ne peuvent utiliser \
vos données qu'aux fins que nous leur fixons.</p>\n");
        h.push_str("<table>\n<thead><tr><th>Prestataire</th><th>Ce qu'il fait</th><th>Pays</th><th>Transfert hors de l'Espace économique européen</th></tr></thead>\n<tbody>\n");
        for processor in &info.processors {
            let transfer = if processor.outside_eea {
                match processor.safeguard.as_deref() {
                    Some(safeguard) if !safeguard.trim().is_empty() => {
                        format!("Oui — garantie : {}", esc(safeguard))
                    }
                    _ => "Oui — garantie à préciser".to_owned(),
                }
            } else if processor.country == COUNTRY_TO_CONFIRM {
                "à confirmer".to_owned()
            } else {
                "Non".to_owned()
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&processor.name),
                esc(&processor.service_fr),
                esc(&processor.country),
                transfer
            ));
        }
        h.push_str("</tbody>\n</table>\n");
        h.push_str(&format!("<p>{NEVER_SOLD_FR}</p>\n</section>\n"));

        // 4. Retention.
        h.push_str("<section>\n<h2>4. Combien de temps nous gardons vos données</h2>\n<ul>\n");
        for purpose in &info.purposes {
            h.push_str(&format!(
                "<li><strong>{}</strong> : {}</li>\n",
                esc(&purpose.name_fr),
                esc(&purpose.retention_fr)
            ));
        }
        h.push_str(&format!("</ul>\n<p>{EXPIRY_FR}</p>\n</section>\n"));

        // 5. Source.
        h.push_str("<section>\n<h2>5. D'où viennent ces données</h2>\n");
        h.push_str(&format!("<p>{}</p>\n</section>\n", esc(&info.source_fr)));

        // 6. Rights.
        h.push_str("<section>\n<h2>6. Vos droits</h2>\n<dl>\n");
        for (right, text) in RIGHTS_FR {
            h.push_str(&format!("<dt>{right}</dt><dd>{text}</dd>\n"));
        }
        h.push_str("</dl>\n<h3>Comment les exercer</h3>\n");
        h.push_str("<p>Écrivez-nous de préférence : c'est plus simple pour garder une trace de votre demande.</p>\n");
        h.push_str(&format!(
            "<p>{}</p>\n<p>Par courrier postal :<br>{}</p>\n",
            esc(&info.controller.dpo_contact),
            esc_lines(&info.controller.address)
        ));
        h.push_str(&format!("<p>{ANSWER_DELAY_FR}</p>\n</section>\n"));

        // 7. CNIL (POL-28).
        h.push_str("<section>\n<h2>7. Si notre réponse ne vous satisfait pas</h2>\n");
        h.push_str(&format!(
            "<p class=\"encadre\">Vous pouvez déposer une réclamation auprès de l'autorité française de protection \
des données : {CNIL_FR}.</p>\n</section>\n"
        ));

        h.push_str(&format!(
            "<footer><p>Document établi par {} le {} (heure de Paris) — demande {} — format des données : {}.</p></footer>\n",
            esc(&info.controller.name),
            paris_long(self.generated_at),
            esc(&self.request_ref),
            esc(self.schema)
        ));
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }
}

fn html_value(value: &Value) -> String {
    match value {
        Value::Null => "<span class=\"vide\">—</span>".to_owned(),
        Value::Text(text) if text.is_empty() => "<span class=\"vide\">—</span>".to_owned(),
        Value::Text(text) => esc(text),
        Value::Integer(number) => number.to_string(),
        Value::Bool(true) => "oui".to_owned(),
        Value::Bool(false) => "non".to_owned(),
        Value::DateTime(at) => paris_short(*at),
    }
}

/// More columns than this and each record is shown as its own two-column
/// table, which stays readable on paper.
const WIDE_TABLE: usize = 5;

fn html_category(h: &mut String, category: &Category) {
    let count = category.rows.len();
    h.push_str(&format!(
        "<section class=\"categorie\" id=\"cat-{}\">\n<h3>{} <span class=\"compte\">({})</span></h3>\n",
        esc(&category.key),
        esc(&category.title_fr),
        count_fr(count as u64, "enregistrement", "enregistrements")
    ));
    if count == 0 {
        h.push_str("<p class=\"vide\">Aucune donnée dans cette catégorie.</p>\n</section>\n");
        return;
    }
    let width = category.width();
    let header = |i: usize| -> String {
        let name = category.column_name(i);
        match column_label_fr(&name) {
            Some(label) => format!("<th title=\"{}\">{}</th>", esc(&name), esc(label)),
            None => format!("<th>{}</th>", esc(&name)),
        }
    };
    if width <= WIDE_TABLE {
        h.push_str("<table>\n<thead><tr>");
        for i in 0..width {
            h.push_str(&header(i));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for row in &category.rows {
            h.push_str("<tr>");
            for i in 0..width {
                h.push_str(&format!(
                    "<td>{}</td>",
                    html_value(row.get(i).unwrap_or(&Value::Null))
                ));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    } else {
        for (number, row) in category.rows.iter().enumerate() {
            h.push_str(&format!(
                "<table class=\"fiche\">\n<caption>Enregistrement {} sur {count}</caption>\n<tbody>\n",
                number + 1
            ));
            for i in 0..width {
                h.push_str(&format!(
                    "<tr>{}<td>{}</td></tr>\n",
                    header(i),
                    html_value(row.get(i).unwrap_or(&Value::Null))
                ));
            }
            h.push_str("</tbody>\n</table>\n");
        }
    }
    h.push_str("</section>\n");
}
