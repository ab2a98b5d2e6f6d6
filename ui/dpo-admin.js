// The DPO's retention desk and registers (POL-8, POL-14, POL-21, POL-25a,
// POL-29 to POL-37): retention rules, the dry-run sweep and the sweep itself,
// the quarterly report, the record of processing activities, processors and
// transfers, policy versions and legal holds. Every rule is enforced by the
// backend; these views show what it allows and report its refusals.
// DOM built with createElement/textContent only (ctx.el): never innerHTML.

import { confirmInPage } from './confirm.js';
import * as api from './api.js';
import { t, extend, formatCount } from './i18n.js';
import { formatDate, formatDateTime, localeFor } from './format.js';

// ctx: { el, headerRow, messageRow, fullName, showError, clearError, setStatus, focus, lang, data, rerender, role }

const ACTION_KINDS = ['reactivate', 'mark_inactive', 'queue_reminder', 'erase_account', 'delete_traces',
  'release_hold', 'delete_audit_entries'];
const ACTION_RULES = {
  reactivate: 'POL-29', mark_inactive: 'POL-29', queue_reminder: 'POL-30', erase_account: 'POL-30',
  delete_traces: 'POL-32', release_hold: 'POL-31', delete_audit_entries: 'POL-21',
};
const LEGAL_BASES = ['contract', 'consent', 'legitimate_interest', 'legal_obligation'];
const ITEMS_SHOWN = 100;
const DEFAULT_RULES = {
  inactive_after_months: 18, reminder_after_months: 24, erase_after_reminder_months: 3,
  technical_traces_months: 13, audit_months: 12, payment_hold_years: 6, invoice_hold_years: 7,
  execution_grace_days: 30,
};
const TIME_ZONE = 'Europe/Paris';

// ---------------------------------------------------------------- strings

extend({
  fr: {
    'tab.retention': 'Conservation',
    'tab.registers': 'Registres',

    'retention.title': 'Conservation des données',
    'retention.rulesTitle': 'Durées de conservation',
    'retention.intro': "Ce que prévoit la politique de confidentialité : un compte sans connexion depuis {inactive} mois devient inactif ; après {reminder} mois sans connexion, la personne reçoit un e-mail lui proposant de garder son compte ; sans connexion {erase} mois après cette relance, le compte est supprimé définitivement. Les traces techniques (journaux de connexion, statistiques d'usage) sont gardées {traces} mois au plus, le journal des accès aux données {audit} mois au plus. Les pièces comptables restent conservées le temps imposé par la loi ({payment} ans pour les transactions, {invoice} ans pour les factures). Toute suppression échue est effectuée dans les {grace} jours.",
    'retention.rulesLabel': 'Règles de conservation',
    'retention.rulesHelp': "Les durées des comptes (POL-29, POL-30) sont des engagements pris envers les personnes : si vous les changez, publiez une nouvelle version de la politique (onglet Registres). Les bornes viennent de la politique ou de la loi ; une valeur hors bornes est refusée.",
    'retention.col.rule': 'Règle',
    'retention.col.ref': 'Référence',
    'retention.col.value': 'Durée',
    'retention.col.bounds': 'Valeurs permises',
    'retention.col.action': 'Action',
    'retention.bounds': 'de {min} à {max} {unit}',
    'retention.saveRule': 'Enregistrer',
    'retention.saveRuleLabel': 'Enregistrer la durée : {label}',
    'retention.ruleSaved': 'Durée enregistrée : {label}, {value} {unit}. Refaites la simulation avant de lancer la purge.',
    'retention.unit.months': 'mois',
    'retention.unit.years': 'ans',
    'retention.unit.days': 'jours',
    'retention.rule.inactive_after_months': 'Passage en compte inactif',
    'retention.help.inactive_after_months': 'Un compte sans connexion pendant cette durée devient inactif.',
    'retention.rule.reminder_after_months': 'Relance de réactivation',
    'retention.help.reminder_after_months': 'Sans connexion pendant cette durée, la personne reçoit un e-mail lui proposant de garder son compte.',
    'retention.rule.erase_after_reminder_months': 'Suppression après la relance',
    'retention.help.erase_after_reminder_months': 'Sans connexion dans ce délai après la relance, le compte et ses données sont supprimés définitivement.',
    'retention.rule.technical_traces_months': 'Traces techniques',
    'retention.help.technical_traces_months': "Journaux de connexion et statistiques d'usage, supprimés au-delà de cette durée (13 mois au plus).",
    'retention.rule.audit_months': 'Journal des accès aux données',
    'retention.help.audit_months': "Entrées du journal d'audit, supprimées au-delà de cette durée (12 mois au plus).",
    'retention.rule.payment_hold_years': 'Données des transactions financières',
    'retention.help.payment_hold_years': 'Gardées après la suppression du compte, le temps imposé par la loi (6 ans au moins).',
    'retention.rule.invoice_hold_years': 'Factures et pièces comptables',
    'retention.help.invoice_hold_years': 'Gardées le temps imposé par la loi (7 ans au moins).',
    'retention.rule.execution_grace_days': "Délai d'exécution",
    'retention.help.execution_grace_days': 'Une suppression échue est effectuée dans ce délai ; au-delà, elle est en retard (30 jours au plus).',

    'retention.sweepTitle': 'Purge',
    'retention.sweepHelp': "La simulation montre ce que la purge ferait aujourd'hui, sans rien modifier. La purge exécute ensuite ces opérations ; le rapport trimestriel récapitule ce qui a été fait et ce qui est en retard.",
    'retention.preview': 'Simuler la purge',
    'retention.previewing': 'Simulation en cours…',
    'retention.run': 'Lancer la purge',
    'retention.running': 'Purge en cours…',
    'retention.report': 'Rapport trimestriel (HTML + CSV)',
    'retention.reporting': 'Préparation du rapport…',
    'retention.runNeedsPreview': "Lancez d'abord une simulation : la purge n'est possible qu'après avoir vu ce qu'elle fera.",
    'retention.runNothing': "La dernière simulation ne prévoit aucune opération : il n'y a rien à purger.",
    'retention.dryRun': "Simulation seulement : rien n'a été modifié.",
    'retention.dryRunNext': 'Lancez la purge pour exécuter ces opérations.',
    'retention.previewAt': 'Simulation du {when}.',
    'retention.previewDone': 'Simulation : {items} opération(s) à effectuer, dont {overdue} en retard. Rien n\'a été modifié.',
    'retention.nothingDue': "Rien à purger : aucune durée de conservation n'est échue.",
    'retention.summaryLabel': 'Résumé de la simulation par opération',
    'retention.itemsLabel': 'Opérations prévues par la simulation',
    'retention.itemsTitle': 'Détail des opérations',
    'retention.col.operation': 'Opération',
    'retention.col.items': 'Éléments',
    'retention.col.records': 'Enregistrements',
    'retention.col.overdue': 'En retard',
    'retention.col.subject': 'Concerne',
    'retention.col.dueSince': 'Échue depuis le',
    'retention.col.deadline': 'À faire avant le',
    'retention.col.state': 'Délai',
    'retention.total': 'Total',
    'retention.totals': '{items} opération(s) à effectuer, dont {overdue} en retard (non faites dans les {grace} jours).',
    'retention.shown': 'Les {shown} premières opérations sur {total}.',
    'retention.late': 'en retard',
    'retention.onTime': 'dans le délai',
    'retention.subject.traces': 'Traces techniques du {date}',
    'retention.subject.audit': "Journal d'accès du {date}",
    'retention.subject.hold': 'Conservation légale {ref}',
    'retention.subject.account': 'Compte {ref}',
    'retention.subjectHint': 'Les personnes sont désignées par un identifiant pseudonyme, jamais par leur nom.',
    'retention.action.reactivate': 'Réactivation de compte',
    'retention.action.mark_inactive': 'Compte marqué inactif',
    'retention.action.queue_reminder': 'Relance de réactivation',
    'retention.action.erase_account': 'Suppression définitive de compte',
    'retention.action.delete_traces': 'Suppression de traces techniques',
    'retention.action.release_hold': 'Fin de conservation légale (pièce supprimée)',
    'retention.action.delete_audit_entries': "Suppression d'entrées du journal d'accès",
    'retention.confirmRun': "Lancer la purge maintenant ?\n\nD'après la simulation, {items} opération(s) seront exécutées, dont {erase} suppression(s) définitive(s) de compte et {reminders} relance(s) envoyée(s) par e-mail.\n\nLes suppressions sont irréversibles.",
    'retention.runCancelled': 'Purge annulée : rien n\'a été modifié.',
    'retention.ran': 'Purge effectuée : {executed} opération(s) exécutée(s).',
    'retention.outcomeTitle': 'Dernière purge',
    'retention.outcomeItem': '{label} : {count}',
    'retention.outcomeLabel': 'Opérations exécutées par la dernière purge',
    'retention.refreshed': 'La simulation ci-dessous a été refaite après la purge.',
    'retention.reportSaved': 'Rapport trimestriel enregistré (page HTML et fichier CSV à côté) : {records} élément(s).',
    'retention.reportCancelled': "Rapport non enregistré : vous avez fermé la fenêtre d'enregistrement.",

    'registers.title': 'Registres',
    'registers.activitiesTitle': 'Registre des traitements',
    'registers.activitiesHelp': "Chaque traitement avec sa finalité et sa base légale (POL-8). Un traitement fondé sur l'intérêt légitime doit avoir sa mise en balance documentée (POL-34).",
    'registers.activitiesLabel': 'Registre des traitements',
    'registers.activitiesEmpty': 'Aucun traitement inscrit.',
    'registers.col.activity': 'Traitement',
    'registers.col.purpose': 'Finalité',
    'registers.col.basis': 'Base légale',
    'registers.col.categories': 'Données traitées',
    'registers.col.retention': 'Durée de conservation',
    'registers.col.actions': 'Actions',
    'registers.basis.contract': 'Exécution du contrat',
    'registers.basis.consent': 'Consentement',
    'registers.basis.legitimate_interest': 'Intérêt légitime',
    'registers.basis.legal_obligation': 'Obligation légale',
    'registers.balancing': 'Mise en balance : {text}',
    'registers.balancingMissing': 'Mise en balance non documentée.',
    'registers.edit': 'Modifier',
    'registers.editActivityLabel': 'Modifier le traitement « {name} »',
    'registers.editProcessorLabel': 'Modifier le sous-traitant « {name} »',
    'registers.addActivity': 'Ajouter un traitement',
    'registers.editActivity': 'Modifier le traitement « {name} »',
    'registers.activity.name': 'Nom du traitement',
    'registers.activity.purpose': 'Finalité',
    'registers.activity.basis': 'Base légale',
    'registers.activity.balancing': "Mise en balance documentée (obligatoire pour l'intérêt légitime)",
    'registers.activity.balancingHint': "Pourquoi l'intérêt de l'association ne l'emporte pas sur les droits des personnes, et quelles garanties sont prises.",
    'registers.activity.categories': 'Données traitées',
    'registers.activity.retention': 'Durée de conservation',
    'registers.saveActivity': 'Ajouter le traitement',
    'registers.saveChanges': 'Enregistrer les modifications',
    'registers.cancelEdit': 'Annuler la modification',
    'registers.activitySaved': 'Traitement enregistré : {name}.',

    'registers.processorsTitle': 'Sous-traitants et transferts',
    'registers.processorsHelp': "Les prestataires qui traitent des données pour l'association, avec leur pays (POL-14). Un transfert hors de l'Espace économique européen doit indiquer sa garantie (POL-37).",
    'registers.processorsLabel': 'Sous-traitants et transferts',
    'registers.processorsEmpty': 'Aucun sous-traitant inscrit.',
    'registers.col.processor': 'Sous-traitant',
    'registers.col.service': 'Service',
    'registers.col.country': 'Pays',
    'registers.col.outsideEea': 'Hors EEE',
    'registers.col.safeguard': 'Garantie de transfert',
    'registers.yes': 'Oui',
    'registers.no': 'Non',
    'registers.notNeeded': 'Non requise (dans l\'EEE)',
    'registers.safeguardMissing': 'Garantie manquante',
    'registers.addProcessor': 'Ajouter un sous-traitant',
    'registers.editProcessor': 'Modifier le sous-traitant « {name} »',
    'registers.processor.name': 'Nom',
    'registers.processor.service': 'Service rendu',
    'registers.processor.country': 'Pays où les données sont traitées',
    'registers.processor.outside': "Hors de l'EEE (Espace économique européen)",
    'registers.processor.safeguard': 'Garantie de transfert (obligatoire hors EEE)',
    'registers.processor.safeguardHint': "Par exemple : décision d'adéquation, clauses contractuelles types.",
    'registers.saveProcessor': 'Ajouter le sous-traitant',
    'registers.processorSaved': 'Sous-traitant enregistré : {name}.',

    'registers.policyTitle': 'Versions de la politique',
    'registers.policyHelp': 'Chaque version publiée de la politique de confidentialité. Une modification importante est annoncée au moins 30 jours avant son entrée en vigueur et notifiée à chaque personne inscrite (POL-36).',
    'registers.policyLabel': 'Versions de la politique de confidentialité',
    'registers.policyEmpty': 'Aucune version publiée.',
    'registers.col.version': 'Version',
    'registers.col.published': 'Publiée le',
    'registers.col.effective': 'En vigueur le',
    'registers.col.significant': 'Modification importante',
    'registers.col.summary': 'Résumé',
    'registers.col.notified': 'Personnes notifiées',
    'registers.publishTitle': 'Publier une version',
    'registers.policy.version': 'Version',
    'registers.policy.effective': "Date d'entrée en vigueur",
    'registers.policy.significant': 'Modification importante',
    'registers.policy.significantHint': "Une modification importante est annoncée au moins 30 jours à l'avance ; toutes les personnes inscrites en sont notifiées.",
    'registers.policy.summary': 'Résumé des changements',
    'registers.publish': 'Publier la version',
    'registers.needDate': "Indiquez la date d'entrée en vigueur.",
    'registers.confirmSignificant': "Publier la version {version} comme modification importante ?\n\nToutes les personnes inscrites en seront notifiées, et elle entrera en vigueur le {date}.",
    'registers.publishCancelled': 'Publication annulée.',
    'registers.published': 'Version {version} publiée ; {notified} personne(s) notifiée(s).',

    'holds.title': 'Conservations légales',
    'holds.help': "Pièces gardées après la suppression d'un compte parce que la loi l'impose (POL-25a : transactions financières ; POL-31 : factures et pièces comptables). La purge les supprime à leur échéance. La personne n'est désignée que par un identifiant pseudonyme.",
    'holds.label': 'Pièces sous conservation légale',
    'holds.empty': 'Aucune pièce sous conservation légale.',
    'holds.col.record': 'Pièce',
    'holds.col.number': 'Numéro',
    'holds.col.amount': 'Montant',
    'holds.col.reason': 'Motif',
    'holds.col.until': "Conservée jusqu'au",
    'holds.col.subject': 'Personne (pseudonyme)',
    'holds.table.payments': 'Paiement',
    'holds.table.invoices': 'Facture',
    'holds.reason.POL-25a': 'Transaction financière, obligation légale (POL-25a)',
    'holds.reason.POL-31': 'Pièce comptable, obligation légale (POL-31)',

    'error.balancing_test_required': "Un traitement fondé sur l'intérêt légitime doit avoir sa mise en balance documentée (POL-34).",
    'error.safeguard_required': "Un transfert hors de l'EEE doit indiquer sa garantie : décision d'adéquation, clauses contractuelles types… (POL-37).",
    'error.notice_too_short': "Une modification importante doit être annoncée au moins 30 jours avant son entrée en vigueur (POL-36) : choisissez une date plus tardive.",
    'error.effective_in_past': "La date d'entrée en vigueur ne peut pas précéder la publication.",
    'error.version_exists': 'Cette version est déjà publiée : choisissez un autre numéro.',
    'error.retention_unknown_key': 'Règle de conservation inconnue.',
    'error.retention_zero': "Une durée de conservation doit valoir au moins 1 : zéro supprimerait les données immédiatement.",
    'error.retention_too_long': 'Durée refusée : elle dépasse la limite prévue pour cette règle.',
    'error.retention_reminder_not_after_inactive': "La relance doit venir après le passage en inactif : la durée avant relance doit être plus longue que la durée d'inactivité (POL-29, POL-30).",
    'error.retention_above_policy_maximum': 'Durée refusée : elle dépasse le maximum fixé par la politique pour cette règle.',
    'error.retention_below_legal_minimum': 'Durée refusée : elle est plus courte que la durée de conservation imposée par la loi.',
    'error.retention_not_a_number': 'Indiquez un nombre entier.',
  },
  en: {
    'tab.retention': 'Retention',
    'tab.registers': 'Registers',

    'retention.title': 'Data retention',
    'retention.rulesTitle': 'Retention periods',
    'retention.intro': 'What the privacy policy promises: an account with no sign-in for {inactive} months becomes inactive; after {reminder} months without sign-in, the person gets an e-mail offering to keep the account; with no sign-in {erase} months after that reminder, the account is erased for good. Technical traces (connection logs, usage statistics) are kept {traces} months at most, the data-access log {audit} months at most. Accounting records are kept as long as the law requires ({payment} years for transactions, {invoice} years for invoices). Every deletion that falls due is carried out within {grace} days.',
    'retention.rulesLabel': 'Retention rules',
    'retention.rulesHelp': 'Account periods (POL-29, POL-30) are promises made to people: if you change them, publish a new policy version (Registers tab). Bounds come from the policy or the law; a value outside them is refused.',
    'retention.col.rule': 'Rule',
    'retention.col.ref': 'Reference',
    'retention.col.value': 'Period',
    'retention.col.bounds': 'Allowed values',
    'retention.col.action': 'Action',
    'retention.bounds': '{min} to {max} {unit}',
    'retention.saveRule': 'Save',
    'retention.saveRuleLabel': 'Save the period: {label}',
    'retention.ruleSaved': 'Period saved: {label}, {value} {unit}. Run the preview again before running the sweep.',
    'retention.unit.months': 'months',
    'retention.unit.years': 'years',
    'retention.unit.days': 'days',
    'retention.rule.inactive_after_months': 'Account becomes inactive',
    'retention.help.inactive_after_months': 'An account with no sign-in for this long becomes inactive.',
    'retention.rule.reminder_after_months': 'Reactivation reminder',
    'retention.help.reminder_after_months': 'With no sign-in for this long, the person gets an e-mail offering to keep the account.',
    'retention.rule.erase_after_reminder_months': 'Erasure after the reminder',
    'retention.help.erase_after_reminder_months': 'With no sign-in this long after the reminder, the account and its data are erased for good.',
    'retention.rule.technical_traces_months': 'Technical traces',
    'retention.help.technical_traces_months': 'Connection logs and usage statistics, deleted after this period (13 months at most).',
    'retention.rule.audit_months': 'Data-access log',
    'retention.help.audit_months': 'Audit log entries, deleted after this period (12 months at most).',
    'retention.rule.payment_hold_years': 'Financial transaction data',
    'retention.help.payment_hold_years': 'Kept after the account is erased, as long as the law requires (6 years at least).',
    'retention.rule.invoice_hold_years': 'Invoices and accounting records',
    'retention.help.invoice_hold_years': 'Kept as long as the law requires (7 years at least).',
    'retention.rule.execution_grace_days': 'Execution deadline',
    'retention.help.execution_grace_days': 'A deletion that falls due is carried out within this period; after it, it is overdue (30 days at most).',

    'retention.sweepTitle': 'Sweep',
    'retention.sweepHelp': 'The preview shows what the sweep would do today, changing nothing. The sweep then carries out those operations; the quarterly report sums up what was done and what is overdue.',
    'retention.preview': 'Preview the sweep',
    'retention.previewing': 'Computing the preview…',
    'retention.run': 'Run the sweep',
    'retention.running': 'Sweep running…',
    'retention.report': 'Quarterly report (HTML + CSV)',
    'retention.reporting': 'Preparing the report…',
    'retention.runNeedsPreview': 'Run a preview first: the sweep is only possible once you have seen what it will do.',
    'retention.runNothing': 'The last preview has no operation: there is nothing to sweep.',
    'retention.dryRun': 'Preview only: nothing has changed.',
    'retention.dryRunNext': 'Run the sweep to carry out these operations.',
    'retention.previewAt': 'Preview of {when}.',
    'retention.previewDone': 'Preview: {items} operation(s) due, {overdue} of them overdue. Nothing has changed.',
    'retention.nothingDue': 'Nothing to sweep: no retention period has expired.',
    'retention.summaryLabel': 'Preview summary by operation',
    'retention.itemsLabel': 'Operations in the preview',
    'retention.itemsTitle': 'Operations in detail',
    'retention.col.operation': 'Operation',
    'retention.col.items': 'Items',
    'retention.col.records': 'Records',
    'retention.col.overdue': 'Overdue',
    'retention.col.subject': 'Subject',
    'retention.col.dueSince': 'Due since',
    'retention.col.deadline': 'Deadline',
    'retention.col.state': 'Timeliness',
    'retention.total': 'Total',
    'retention.totals': '{items} operation(s) due, {overdue} of them overdue (not done within {grace} days).',
    'retention.shown': 'The first {shown} operations of {total}.',
    'retention.late': 'overdue',
    'retention.onTime': 'on time',
    'retention.subject.traces': 'Technical traces of {date}',
    'retention.subject.audit': 'Access log of {date}',
    'retention.subject.hold': 'Legal hold {ref}',
    'retention.subject.account': 'Account {ref}',
    'retention.subjectHint': 'People are named by a pseudonymous id, never by name.',
    'retention.action.reactivate': 'Account reactivated',
    'retention.action.mark_inactive': 'Account marked inactive',
    'retention.action.queue_reminder': 'Reactivation reminder',
    'retention.action.erase_account': 'Account erased for good',
    'retention.action.delete_traces': 'Technical traces deleted',
    'retention.action.release_hold': 'Legal hold ended (record deleted)',
    'retention.action.delete_audit_entries': 'Access log entries deleted',
    'retention.confirmRun': 'Run the sweep now?\n\nAccording to the preview, {items} operation(s) will be carried out, including {erase} account erasure(s) and {reminders} reminder(s) sent by e-mail.\n\nDeletions cannot be undone.',
    'retention.runCancelled': 'Sweep cancelled: nothing has changed.',
    'retention.ran': 'Sweep done: {executed} operation(s) carried out.',
    'retention.outcomeTitle': 'Last sweep',
    'retention.outcomeItem': '{label}: {count}',
    'retention.outcomeLabel': 'Operations carried out by the last sweep',
    'retention.refreshed': 'The preview below was computed again after the sweep.',
    'retention.reportSaved': 'Quarterly report saved (HTML page with the CSV file beside it): {records} item(s).',
    'retention.reportCancelled': 'Report not saved: you closed the save window.',

    'registers.title': 'Registers',
    'registers.activitiesTitle': 'Record of processing activities',
    'registers.activitiesHelp': 'Each processing activity with its purpose and legal basis (POL-8). An activity based on legitimate interest needs its documented balancing test (POL-34).',
    'registers.activitiesLabel': 'Record of processing activities',
    'registers.activitiesEmpty': 'No processing activity recorded.',
    'registers.col.activity': 'Activity',
    'registers.col.purpose': 'Purpose',
    'registers.col.basis': 'Legal basis',
    'registers.col.categories': 'Data processed',
    'registers.col.retention': 'Retention',
    'registers.col.actions': 'Actions',
    'registers.basis.contract': 'Performance of a contract',
    'registers.basis.consent': 'Consent',
    'registers.basis.legitimate_interest': 'Legitimate interest',
    'registers.basis.legal_obligation': 'Legal obligation',
    'registers.balancing': 'Balancing test: {text}',
    'registers.balancingMissing': 'Balancing test not documented.',
    'registers.edit': 'Edit',
    'registers.editActivityLabel': 'Edit the activity “{name}”',
    'registers.editProcessorLabel': 'Edit the processor “{name}”',
    'registers.addActivity': 'Add a processing activity',
    'registers.editActivity': 'Edit the activity “{name}”',
    'registers.activity.name': 'Activity name',
    'registers.activity.purpose': 'Purpose',
    'registers.activity.basis': 'Legal basis',
    'registers.activity.balancing': 'Documented balancing test (required for legitimate interest)',
    'registers.activity.balancingHint': "Why the organisation's interest does not override people's rights, and which safeguards are in place.",
    'registers.activity.categories': 'Data processed',
    'registers.activity.retention': 'Retention period',
    'registers.saveActivity': 'Add the activity',
    'registers.saveChanges': 'Save changes',
    'registers.cancelEdit': 'Cancel editing',
    'registers.activitySaved': 'Activity saved: {name}.',

    'registers.processorsTitle': 'Processors and transfers',
    'registers.processorsHelp': 'The providers that process data for the organisation, with their country (POL-14). A transfer outside the European Economic Area must name its safeguard (POL-37).',
    'registers.processorsLabel': 'Processors and transfers',
    'registers.processorsEmpty': 'No processor recorded.',
    'registers.col.processor': 'Processor',
    'registers.col.service': 'Service',
    'registers.col.country': 'Country',
    'registers.col.outsideEea': 'Outside EEA',
    'registers.col.safeguard': 'Transfer safeguard',
    'registers.yes': 'Yes',
    'registers.no': 'No',
    'registers.notNeeded': 'Not needed (within the EEA)',
    'registers.safeguardMissing': 'Safeguard missing',
    'registers.addProcessor': 'Add a processor',
    'registers.editProcessor': 'Edit the processor “{name}”',
    'registers.processor.name': 'Name',
    'registers.processor.service': 'Service provided',
    'registers.processor.country': 'Country where data is processed',
    'registers.processor.outside': 'Outside the EEA (European Economic Area)',
    'registers.processor.safeguard': 'Transfer safeguard (required outside the EEA)',
    'registers.processor.safeguardHint': 'For example: adequacy decision, standard contractual clauses.',
    'registers.saveProcessor': 'Add the processor',
    'registers.processorSaved': 'Processor saved: {name}.',

    'registers.policyTitle': 'Policy versions',
    'registers.policyHelp': 'Every published version of the privacy policy. A significant change is announced at least 30 days before it takes effect and notified to every registered person (POL-36).',
    'registers.policyLabel': 'Privacy policy versions',
    'registers.policyEmpty': 'No version published.',
    'registers.col.version': 'Version',
    'registers.col.published': 'Published',
    'registers.col.effective': 'Effective',
    'registers.col.significant': 'Significant change',
    'registers.col.summary': 'Summary',
    'registers.col.notified': 'People notified',
    'registers.publishTitle': 'Publish a version',
    'registers.policy.version': 'Version',
    'registers.policy.effective': 'Effective date',
    'registers.policy.significant': 'Significant change',
    'registers.policy.significantHint': 'A significant change is announced at least 30 days ahead; every registered person is notified.',
    'registers.policy.summary': 'Summary of the changes',
    'registers.publish': 'Publish the version',
    'registers.needDate': 'Give the effective date.',
    'registers.confirmSignificant': 'Publish version {version} as a significant change?\n\nEvery registered person will be notified, and it will take effect on {date}.',
    'registers.publishCancelled': 'Publication cancelled.',
    'registers.published': 'Version {version} published; {notified} person(s) notified.',

    'holds.title': 'Legal holds',
    'holds.help': 'Records kept after an account is erased because the law requires it (POL-25a: financial transactions; POL-31: invoices and accounting records). The sweep deletes them when the hold ends. The person is named only by a pseudonymous id.',
    'holds.label': 'Records under legal hold',
    'holds.empty': 'No record under legal hold.',
    'holds.col.record': 'Record',
    'holds.col.number': 'Number',
    'holds.col.amount': 'Amount',
    'holds.col.reason': 'Reason',
    'holds.col.until': 'Kept until',
    'holds.col.subject': 'Person (pseudonym)',
    'holds.table.payments': 'Payment',
    'holds.table.invoices': 'Invoice',
    'holds.reason.POL-25a': 'Financial transaction, legal obligation (POL-25a)',
    'holds.reason.POL-31': 'Accounting record, legal obligation (POL-31)',

    'error.balancing_test_required': 'An activity based on legitimate interest needs its documented balancing test (POL-34).',
    'error.safeguard_required': 'A transfer outside the EEA must name its safeguard: adequacy decision, standard contractual clauses… (POL-37).',
    'error.notice_too_short': 'A significant change must be announced at least 30 days before it takes effect (POL-36): choose a later date.',
    'error.effective_in_past': 'The effective date cannot be before publication.',
    'error.version_exists': 'This version is already published: choose another number.',
    'error.retention_unknown_key': 'Unknown retention rule.',
    'error.retention_zero': 'A retention period must be at least 1: zero would delete the data at once.',
    'error.retention_too_long': 'Period refused: it is above the limit for this rule.',
    'error.retention_reminder_not_after_inactive': 'The reminder must come after inactivity: the reminder period must be longer than the inactivity period (POL-29, POL-30).',
    'error.retention_above_policy_maximum': "Period refused: it is above the policy's maximum for this rule.",
    'error.retention_below_legal_minimum': 'Period refused: it is shorter than the keeping period the law requires.',
    'error.retention_not_a_number': 'Enter a whole number.',
  },
});

// ---------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);

function label(prefix, value) {
  const key = `${prefix}.${value}`;
  const text = t(key);
  return text === key ? String(value) : text;
}

function unitWord(unit) {
  return label('retention.unit', unit);
}

/** The date (Paris) of an RFC 3339 timestamp or a 'YYYY-MM-DD' day. */
function formatDay(value, lang) {
  if (value == null || value === '') return '';
  const text = String(value).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return formatDate(text, lang);
  const date = new Date(text.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T').replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(date.getTime())) return text;
  return new Intl.DateTimeFormat(localeFor(lang), { timeZone: TIME_ZONE, dateStyle: 'long' }).format(date);
}

/** Today in Paris, 'YYYY-MM-DD' (plus `days`). */
function parisDay(days = 0) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const day = new Date(Date.UTC(get('year'), get('month') - 1, get('day') + days));
  return day.toISOString().slice(0, 10);
}

function formatEuros(cents, lang) {
  if (cents == null) return t('none');
  return new Intl.NumberFormat(localeFor(lang), { style: 'currency', currency: 'EUR' }).format(Number(cents) / 100);
}

/** A pseudonymous id, shortened for display; the full id stays in the title.
 * Ids are UUIDv7: the first characters are a timestamp shared by ids made
 * together, so the random end is what tells them apart. */
function pseudonym(ctx, id) {
  const text = String(id ?? '');
  const short = text.length > 12 ? `…${text.slice(-8)}` : text;
  return ctx.el('code', { class: 'pseudonym', title: text, text: short });
}

/** The refusal in words, for the line beside the form (the alert at the top says it too). */
function refusalText(err) {
  const code = err && err.code;
  const key = `error.${code}`;
  const text = t(key);
  if (text === key) return err && err.message ? `${t('error.unknown')} ${err.message}` : t('error.unknown');
  return code === 'invalid_input' && err.message ? `${text} ${err.message}` : text;
}

/** The line under a form: `state` is true (refused), false (done) or 'neutral' (nothing happened). */
function formResult(id, text, state) {
  const box = $(id);
  if (!box) return;
  box.textContent = text || '';
  box.classList.toggle('refused', state === true);
  box.classList.toggle('neutral', state === 'neutral');
}

function count(value) {
  return formatCount(Number(value) || 0);
}

function field(ctx, id, labelKey, input, hintKey) {
  const { el } = ctx;
  const hint = hintKey ? el('p', { id: `${id}-hint`, class: 'field-hint muted', text: t(hintKey) }) : null;
  input.id = id;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return el('div', { class: 'field', 'data-field': id }, el('label', { for: id, text: t(labelKey) }), input, hint);
}

function checkField(ctx, id, labelKey, hintKey) {
  const { el } = ctx;
  const input = el('input', { type: 'checkbox', id });
  const hint = hintKey ? el('p', { id: `${id}-hint`, class: 'field-hint muted', text: t(hintKey) }) : null;
  if (hint) input.setAttribute('aria-describedby', hint.id);
  return [el('div', { class: 'field field-check', 'data-field': id },
    el('label', { class: 'inline-check', for: id }, input, ' ', t(labelKey)), hint), input];
}

function section(ctx, id, titleKey, ...content) {
  const { el } = ctx;
  return el('section', { id, class: 'dpo-section stack', 'aria-labelledby': `${id}-title` },
    el('h3', { id: `${id}-title`, text: t(titleKey) }), ...content);
}

function tableWrap(ctx, id, labelKey, columns) {
  const { el } = ctx;
  const table = el('table', { id, class: 'data', 'aria-label': t(labelKey) },
    ctx.headerRow(columns.map((key) => t(key))), el('tbody'));
  return [el('div', { class: 'table-wrap' }, table), table];
}

// ---------------------------------------------------------------- retention panel

function retentionState(ctx) {
  if (!ctx.data.retention) {
    ctx.data.retention = {
      rules: null, rulesLoading: false, rulesFailed: false,
      preview: null, previewAt: null, previewing: false,
      running: false, outcome: null, reporting: false,
    };
  }
  return ctx.data.retention;
}

export function buildRetentionPanel(ctx) {
  const { el } = ctx;
  const r = retentionState(ctx);

  const intro = el('p', { id: 'retention-intro', class: 'lead' });
  const [rulesWrap] = tableWrap(ctx, 'retention-rules', 'retention.rulesLabel',
    ['retention.col.rule', 'retention.col.ref', 'retention.col.value', 'retention.col.bounds', 'retention.col.action']);
  const rules = section(ctx, 'retention-rules-section', 'retention.rulesTitle',
    intro, el('p', { class: 'muted', text: t('retention.rulesHelp') }), rulesWrap);

  const previewButton = el('button', {
    type: 'button', id: 'retention-preview', class: 'btn btn-primary', text: t('retention.preview'),
    onClick: () => previewSweep(ctx),
  });
  const runButton = el('button', {
    type: 'button', id: 'retention-run', class: 'btn btn-danger', text: t('retention.run'),
    disabled: !r.preview, 'aria-describedby': 'retention-run-hint', onClick: () => runSweep(ctx),
  });
  const reportButton = el('button', {
    type: 'button', id: 'retention-report', class: 'btn', text: t('retention.report'),
    onClick: () => saveReport(ctx),
  });
  const sweep = section(ctx, 'retention-sweep', 'retention.sweepTitle',
    el('p', { class: 'muted', text: t('retention.sweepHelp') }),
    el('div', { class: 'toolbar' }, previewButton, runButton, reportButton),
    el('p', { id: 'retention-run-hint', class: 'field-hint muted' }),
    el('p', { id: 'retention-result', class: 'result' }),
    el('div', { id: 'retention-outcome', class: 'stack' }),
    el('div', { id: 'retention-preview-box', class: 'stack' }));

  const panel = el('div', { id: 'retention-panel', class: 'panel stack dpo-admin' },
    el('h2', { class: 'visually-hidden', text: t('retention.title') }), rules, sweep);
  // Fill once the panel is in the document (the fill functions look nodes up by id).
  queueMicrotask(() => paintRetention(ctx));
  if (r.rules === null && !r.rulesLoading && !r.rulesFailed) loadRules(ctx);
  return panel;
}

function paintRetention(ctx) {
  fillIntro(ctx);
  fillRules(ctx);
  fillSweep(ctx);
}

function fillIntro(ctx) {
  const box = $('retention-intro');
  if (!box) return;
  const values = { ...DEFAULT_RULES };
  for (const rule of retentionState(ctx).rules || []) values[rule.key] = rule.value;
  box.textContent = t('retention.intro', {
    inactive: values.inactive_after_months, reminder: values.reminder_after_months,
    erase: values.erase_after_reminder_months, traces: values.technical_traces_months,
    audit: values.audit_months, payment: values.payment_hold_years, invoice: values.invoice_hold_years,
    grace: values.execution_grace_days,
  });
}

async function loadRules(ctx) {
  const r = retentionState(ctx);
  r.rulesLoading = true;
  try {
    const rules = await api.retentionRules();
    if (r !== ctx.data.retention) return;
    r.rules = Array.isArray(rules) ? rules : [];
    r.rulesFailed = false;
  } catch (err) {
    if (r !== ctx.data.retention) return;
    r.rulesFailed = true;
    ctx.showError(err);
  } finally {
    r.rulesLoading = false;
  }
  fillIntro(ctx);
  fillRules(ctx);
}

function fillRules(ctx) {
  const { el } = ctx;
  const tbody = document.querySelector('#retention-rules tbody');
  if (!tbody) return;
  const r = retentionState(ctx);
  if (r.rules === null) {
    tbody.replaceChildren(r.rulesFailed
      ? ctx.messageRow(5, t('loadFailed'), () => { r.rulesFailed = false; fillRules(ctx); loadRules(ctx); })
      : ctx.messageRow(5, t('loading')));
    return;
  }
  tbody.replaceChildren(...r.rules.map((rule) => {
    const name = label('retention.rule', rule.key);
    const inputId = `retention-value-${rule.key}`;
    const input = el('input', {
      type: 'number', id: inputId, class: 'rule-value', min: rule.minimum, max: rule.maximum, step: '1',
      inputmode: 'numeric', value: rule.value,
      'aria-describedby': `retention-help-${rule.key} retention-bounds-${rule.key}`,
    });
    const save = el('button', {
      type: 'button', id: `retention-save-${rule.key}`, class: 'btn btn-small retention-save',
      text: t('retention.saveRule'), 'aria-label': t('retention.saveRuleLabel', { label: name }),
    });
    save.addEventListener('click', () => saveRule(ctx, rule.key, input, save));
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        saveRule(ctx, rule.key, input, save);
      }
    });
    return el('tr', { 'data-key': rule.key },
      el('th', { scope: 'row', class: 'rule-name' },
        el('label', { for: inputId, text: name }),
        el('span', { id: `retention-help-${rule.key}`, class: 'rule-help muted', text: label('retention.help', rule.key) })),
      el('td', {}, el('code', { text: rule.rule_id })),
      el('td', { class: 'nowrap' }, input, ' ', el('span', { class: 'unit', text: unitWord(rule.unit) })),
      el('td', {
        id: `retention-bounds-${rule.key}`, class: 'nowrap',
        text: t('retention.bounds', { min: count(rule.minimum), max: count(rule.maximum), unit: unitWord(rule.unit) }),
      }),
      el('td', { class: 'actions' }, save));
  }));
}

async function saveRule(ctx, key, input, button) {
  const r = retentionState(ctx);
  const current = (r.rules || []).find((rule) => rule.key === key);
  const raw = input.value.trim();
  const value = Number(raw);
  if (raw === '' || !Number.isInteger(value) || value < 0) {
    ctx.showError({ code: 'retention_not_a_number', message: '' });
    if (current) input.value = String(current.value);
    ctx.focus(input);
    return;
  }
  button.disabled = true;
  try {
    const rules = await api.setRetentionRule(key, value);
    if (r !== ctx.data.retention) return;
    r.rules = Array.isArray(rules) ? rules : r.rules;
    // The last preview was computed with the old rules: it must be done again.
    r.preview = null;
    r.previewAt = null;
    ctx.clearError();
    const saved = r.rules.find((rule) => rule.key === key) || { value, unit: current && current.unit };
    fillIntro(ctx);
    fillRules(ctx);
    fillSweep(ctx);
    ctx.setStatus(t('retention.ruleSaved', {
      label: label('retention.rule', key), value: count(saved.value), unit: unitWord(saved.unit),
    }));
    ctx.focus($(`retention-save-${key}`));
  } catch (err) {
    // Refused: say why and put the value in force back.
    ctx.showError(err);
    if (current) input.value = String(current.value);
    ctx.focus(input);
  } finally {
    button.disabled = false;
  }
}

function fillSweep(ctx) {
  const r = retentionState(ctx);
  const previewButton = $('retention-preview');
  if (!previewButton) return;
  const runButton = $('retention-run');
  const reportButton = $('retention-report');
  const busy = r.previewing || r.running;
  previewButton.disabled = busy;
  previewButton.textContent = r.previewing ? t('retention.previewing') : t('retention.preview');
  const due = r.preview ? Number(r.preview.summary && r.preview.summary.items) || 0 : 0;
  runButton.disabled = busy || !r.preview || due === 0;
  runButton.textContent = r.running ? t('retention.running') : t('retention.run');
  reportButton.disabled = r.reporting;
  reportButton.textContent = r.reporting ? t('retention.reporting') : t('retention.report');
  const hint = $('retention-run-hint');
  hint.textContent = !r.preview ? t('retention.runNeedsPreview') : (due === 0 ? t('retention.runNothing') : '');
  hint.hidden = !hint.textContent;
  fillOutcome(ctx);
  fillPreview(ctx);
}

function fillOutcome(ctx) {
  const { el } = ctx;
  const box = $('retention-outcome');
  if (!box) return;
  const outcome = retentionState(ctx).outcome;
  if (!outcome) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const perAction = (outcome.summary && outcome.summary.per_action) || {};
  const kinds = ACTION_KINDS.filter((kind) => perAction[kind]);
  box.replaceChildren(...[
    el('h4', { text: t('retention.outcomeTitle') }),
    el('p', { id: 'retention-executed', class: 'outcome-line', 'data-executed': outcome.executed,
      text: t('retention.ran', { executed: count(outcome.executed) }) }),
    el('p', { class: 'muted', text: formatDateTime(outcome.at, ctx.lang()) }),
    kinds.length === 0 ? null : el('ul', { class: 'plain-list', 'aria-label': t('retention.outcomeLabel') },
      kinds.map((kind) => el('li', { 'data-kind': kind },
        t('retention.outcomeItem', { label: label('retention.action', kind), count: count(perAction[kind].items) })))),
    outcome.refreshed ? el('p', { class: 'muted', text: t('retention.refreshed') }) : null].filter(Boolean));
}

function fillPreview(ctx) {
  const { el } = ctx;
  const box = $('retention-preview-box');
  if (!box) return;
  const r = retentionState(ctx);
  const preview = r.preview;
  if (!preview) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const lang = ctx.lang();
  const summary = preview.summary || { items: 0, overdue: 0, per_action: {} };
  const perAction = summary.per_action || {};
  const grace = ((r.rules || []).find((rule) => rule.key === 'execution_grace_days') || {}).value
    ?? DEFAULT_RULES.execution_grace_days;
  const note = el('p', { id: 'retention-dry-run', class: 'dry-run-note',
    text: summary.items ? `${t('retention.dryRun')} ${t('retention.dryRunNext')}` : t('retention.dryRun') });
  const when = el('p', { class: 'muted', text: t('retention.previewAt', { when: formatDateTime(r.previewAt, lang) }) });
  if (!summary.items) {
    box.replaceChildren(note, when,
      el('p', { id: 'retention-summary', class: 'empty', 'data-items': '0', text: t('retention.nothingDue') }));
    return;
  }

  const kinds = ACTION_KINDS.filter((kind) => perAction[kind])
    .concat(Object.keys(perAction).filter((kind) => !ACTION_KINDS.includes(kind)));
  let records = 0;
  const summaryRows = kinds.map((kind) => {
    const c = perAction[kind];
    records += Number(c.records) || 0;
    return el('tr', { 'data-kind': kind, 'data-items': c.items, 'data-overdue': c.overdue },
      el('th', { scope: 'row', text: label('retention.action', kind) }),
      el('td', {}, el('code', { text: ACTION_RULES[kind] || '' })),
      el('td', { class: 'num', text: count(c.items) }),
      el('td', { class: 'num', text: count(c.records) }),
      el('td', { class: Number(c.overdue) > 0 ? 'num overdue-count' : 'num', text: count(c.overdue) }));
  });
  const summaryTable = el('table', {
    id: 'retention-summary', class: 'data compact', 'aria-label': t('retention.summaryLabel'),
    'data-items': summary.items, 'data-overdue': summary.overdue,
  },
  ctx.headerRow([t('retention.col.operation'), t('retention.col.ref'), t('retention.col.items'),
    t('retention.col.records'), t('retention.col.overdue')]),
  el('tbody', {}, summaryRows),
  el('tfoot', {}, el('tr', { class: 'summary-total' },
    el('th', { scope: 'row', text: t('retention.total') }), el('td'),
    el('td', { class: 'num', text: count(summary.items) }),
    el('td', { class: 'num', text: count(records) }),
    el('td', { class: Number(summary.overdue) > 0 ? 'num overdue-count' : 'num', text: count(summary.overdue) }))));
  const totals = el('p', { id: 'retention-totals', class: 'strong-line',
    text: t('retention.totals', { items: count(summary.items), overdue: count(summary.overdue), grace: count(grace) }) });

  const items = Array.isArray(preview.items) ? preview.items : [];
  const total = Number(preview.total) || items.length;
  const shown = items.slice(0, ITEMS_SHOWN);
  const itemsTable = el('table', { id: 'retention-items', class: 'data compact', 'aria-label': t('retention.itemsLabel') },
    ctx.headerRow([t('retention.col.operation'), t('retention.col.subject'), t('retention.col.records'),
      t('retention.col.dueSince'), t('retention.col.deadline'), t('retention.col.state')]),
    el('tbody', {}, shown.map((item) => {
      const kind = item.action && item.action.kind;
      const recordsOf = item.action && item.action.count != null ? item.action.count : 1;
      return el('tr', { 'data-kind': kind, 'data-subject': item.subject, class: item.overdue ? 'overdue' : null },
        el('td', { text: label('retention.action', kind) }),
        el('td', {}, subjectCell(ctx, item)),
        el('td', { class: 'num', text: count(recordsOf) }),
        el('td', { class: 'nowrap', text: formatDay(item.due_since, lang) }),
        el('td', { class: 'nowrap', text: formatDay(item.deadline, lang) }),
        el('td', {}, item.overdue
          ? el('span', { class: 'badge late-badge', text: t('retention.late') })
          : el('span', { class: 'muted', text: t('retention.onTime') })));
    })));
  box.replaceChildren(...[note, when, totals,
    el('div', { class: 'table-wrap' }, summaryTable),
    el('h4', { text: t('retention.itemsTitle') }),
    el('p', { class: 'muted', text: t('retention.subjectHint') }),
    total > shown.length
      ? el('p', { class: 'muted', text: t('retention.shown', { shown: count(shown.length), total: count(total) }) })
      : null,
    el('div', { class: 'table-wrap' }, itemsTable)].filter(Boolean));
}

function subjectCell(ctx, item) {
  const subject = String(item.subject ?? '');
  const lang = ctx.lang();
  const day = /:(\d{4}-\d{2}-\d{2})$/.exec(subject);
  if (subject.startsWith('technical_traces:') && day) return t('retention.subject.traces', { date: formatDay(day[1], lang) });
  if (subject.startsWith('audit_log:') && day) return t('retention.subject.audit', { date: formatDay(day[1], lang) });
  const kind = item.action && item.action.kind;
  const key = kind === 'release_hold' ? 'retention.subject.hold' : 'retention.subject.account';
  const [before, after] = t(key, { ref: '\u0000' }).split('\u0000');
  return [before, pseudonym(ctx, subject), after || ''];
}

async function previewSweep(ctx, quiet) {
  const r = retentionState(ctx);
  if (r.previewing) return;
  r.previewing = true;
  fillSweep(ctx);
  try {
    const preview = await api.retentionPreview();
    if (r !== ctx.data.retention) return;
    r.preview = preview;
    r.previewAt = new Date().toISOString();
    if (!quiet) ctx.clearError();
    const summary = preview.summary || {};
    if (!quiet) {
      ctx.setStatus(summary.items
        ? t('retention.previewDone', { items: count(summary.items), overdue: count(summary.overdue) })
        : t('retention.nothingDue'));
    }
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.previewing = false;
  }
  fillSweep(ctx);
}

async function runSweep(ctx) {
  const r = retentionState(ctx);
  if (!r.preview || r.running || r.previewing) return;
  const perAction = (r.preview.summary && r.preview.summary.per_action) || {};
  const question = t('retention.confirmRun', {
    items: count(r.preview.summary.items),
    erase: count(perAction.erase_account ? perAction.erase_account.items : 0),
    reminders: count(perAction.queue_reminder ? perAction.queue_reminder.items : 0),
  });
  if (!(await confirmInPage(question))) {
    ctx.setStatus(t('retention.runCancelled'));
    return;
  }
  r.running = true;
  fillSweep(ctx);
  let done = false;
  try {
    const outcome = await api.retentionRun();
    if (r !== ctx.data.retention) return;
    r.outcome = {
      executed: Number(outcome.executed) || 0, summary: outcome.summary, run_id: outcome.run_id,
      at: new Date().toISOString(), refreshed: false,
    };
    r.preview = null;
    forgetStaleViews(ctx);
    ctx.clearError();
    done = true;
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.running = false;
  }
  fillSweep(ctx);
  if (!done) return;
  const said = t('retention.ran', { executed: count(r.outcome.executed) });
  formResult('retention-result', '', false);
  ctx.setStatus(said);
  // What is left to do after the sweep.
  await previewSweep(ctx, true);
  if (r.preview) {
    r.outcome.refreshed = true;
    fillOutcome(ctx);
  }
}

// The sweep may have erased or changed accounts: the other tabs reload them
// rather than keep showing what no longer exists.
function forgetStaleViews(ctx) {
  const data = ctx.data;
  if (data.participants) {
    data.participants.items = null;
    data.participants.failed = false;
  }
  if ('profile' in data) data.profile = null;
  if ('profileId' in data) data.profileId = null;
  if (data.groups) {
    data.groups.items = null;
    data.groups.failed = false;
  }
  if (data.registrations) data.registrations = null;
  if (data.sheet) data.sheet = null;
  if (data.registers) data.registers.holds = null;
}

async function saveReport(ctx) {
  const r = retentionState(ctx);
  if (r.reporting) return;
  r.reporting = true;
  fillSweep(ctx);
  try {
    const saved = await api.saveQuarterlyReport();
    if (r !== ctx.data.retention) return;
    ctx.clearError();
    const said = saved && saved.saved
      ? t('retention.reportSaved', { records: count(saved.records) })
      : t('retention.reportCancelled');
    formResult('retention-result', said, saved && saved.saved ? false : 'neutral');
    ctx.setStatus(said);
  } catch (err) {
    if (r !== ctx.data.retention) return;
    ctx.showError(err);
  } finally {
    r.reporting = false;
  }
  fillSweep(ctx);
}

// ---------------------------------------------------------------- registers panel

function registersState(ctx) {
  if (!ctx.data.registers) {
    ctx.data.registers = {
      value: null, loading: false, failed: false,
      holds: null, holdsLoading: false, holdsFailed: false,
      editActivity: null, editProcessor: null,
    };
  }
  return ctx.data.registers;
}

export function buildRegistersPanel(ctx) {
  const { el } = ctx;
  const g = registersState(ctx);

  const [activitiesWrap] = tableWrap(ctx, 'registers-activities', 'registers.activitiesLabel',
    ['registers.col.activity', 'registers.col.purpose', 'registers.col.basis', 'registers.col.categories',
      'registers.col.retention', 'registers.col.actions']);
  const [processorsWrap] = tableWrap(ctx, 'registers-processors', 'registers.processorsLabel',
    ['registers.col.processor', 'registers.col.service', 'registers.col.country', 'registers.col.outsideEea',
      'registers.col.safeguard', 'registers.col.actions']);
  const [policyWrap] = tableWrap(ctx, 'registers-policy', 'registers.policyLabel',
    ['registers.col.version', 'registers.col.published', 'registers.col.effective', 'registers.col.significant',
      'registers.col.summary', 'registers.col.notified']);
  const [holdsWrap] = tableWrap(ctx, 'legal-holds', 'holds.label',
    ['holds.col.record', 'holds.col.number', 'holds.col.amount', 'holds.col.reason', 'holds.col.until',
      'holds.col.subject']);

  const panel = el('div', { id: 'registers-panel', class: 'panel stack dpo-admin' },
    el('h2', { class: 'visually-hidden', text: t('registers.title') }),
    section(ctx, 'activities-section', 'registers.activitiesTitle',
      el('p', { class: 'muted', text: t('registers.activitiesHelp') }), activitiesWrap, activityForm(ctx)),
    section(ctx, 'processors-section', 'registers.processorsTitle',
      el('p', { class: 'muted', text: t('registers.processorsHelp') }), processorsWrap, processorForm(ctx)),
    section(ctx, 'policy-section', 'registers.policyTitle',
      el('p', { class: 'muted', text: t('registers.policyHelp') }), policyWrap, policyForm(ctx)),
    section(ctx, 'holds-section', 'holds.title',
      el('p', { class: 'muted', text: t('holds.help') }), holdsWrap));

  queueMicrotask(() => {
    fillRegisters(ctx);
    fillHolds(ctx);
    setActivityForm(ctx, g.editActivity, false);
    setProcessorForm(ctx, g.editProcessor, false);
  });
  if (g.value === null && !g.loading && !g.failed) loadRegisters(ctx);
  if (g.holds === null && !g.holdsLoading && !g.holdsFailed) loadHolds(ctx);
  return panel;
}

async function loadRegisters(ctx) {
  const g = registersState(ctx);
  g.loading = true;
  try {
    const value = await api.registers();
    if (g !== ctx.data.registers) return;
    g.value = value || { activities: [], processors: [], policy_versions: [] };
    g.failed = false;
  } catch (err) {
    if (g !== ctx.data.registers) return;
    g.failed = true;
    ctx.showError(err);
  } finally {
    g.loading = false;
  }
  fillRegisters(ctx);
}

async function loadHolds(ctx) {
  const g = registersState(ctx);
  g.holdsLoading = true;
  try {
    const holds = await api.legalHolds();
    if (g !== ctx.data.registers) return;
    g.holds = Array.isArray(holds) ? holds : [];
    g.holdsFailed = false;
  } catch (err) {
    if (g !== ctx.data.registers) return;
    g.holdsFailed = true;
    ctx.showError(err);
  } finally {
    g.holdsLoading = false;
  }
  fillHolds(ctx);
}

function fillPending(ctx, tbody, columns, failed, retry) {
  tbody.replaceChildren(failed ? ctx.messageRow(columns, t('loadFailed'), retry) : ctx.messageRow(columns, t('loading')));
}

function fillRegisters(ctx) {
  const g = registersState(ctx);
  const bodies = ['registers-activities', 'registers-processors', 'registers-policy']
    .map((id) => document.querySelector(`#${id} tbody`));
  if (bodies.some((b) => !b)) return;
  const [activities, processors, policy] = bodies;
  if (g.value === null) {
    const retry = () => { g.failed = false; fillRegisters(ctx); loadRegisters(ctx); };
    fillPending(ctx, activities, 6, g.failed, retry);
    fillPending(ctx, processors, 6, g.failed, null);
    fillPending(ctx, policy, 6, g.failed, null);
    return;
  }
  fillActivities(ctx, activities, g.value.activities || []);
  fillProcessors(ctx, processors, g.value.processors || []);
  fillPolicy(ctx, policy, g.value.policy_versions || []);
}

function fillActivities(ctx, tbody, items) {
  const { el } = ctx;
  if (items.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('registers.activitiesEmpty')));
    return;
  }
  tbody.replaceChildren(...items.map((a) => {
    const basis = el('td', { 'data-basis': a.legal_basis }, el('span', { text: label('registers.basis', a.legal_basis) }));
    if (a.legal_basis === 'legitimate_interest') {
      basis.append(a.balancing_test
        ? el('span', { class: 'cell-note balancing-test', text: t('registers.balancing', { text: a.balancing_test }) })
        : el('span', { class: 'cell-note missing', text: t('registers.balancingMissing') }));
    }
    const edit = el('button', {
      type: 'button', class: 'btn btn-small edit-activity', text: t('registers.edit'),
      'aria-label': t('registers.editActivityLabel', { name: a.name }),
      onClick: () => setActivityForm(ctx, a, true),
    });
    return el('tr', { 'data-id': a.id },
      el('td', { class: 'strong', text: a.name }),
      el('td', { text: a.purpose }),
      basis,
      el('td', { text: a.data_categories }),
      el('td', { text: a.retention }),
      el('td', { class: 'actions' }, edit));
  }));
}

function fillProcessors(ctx, tbody, items) {
  const { el } = ctx;
  if (items.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('registers.processorsEmpty')));
    return;
  }
  tbody.replaceChildren(...items.map((p) => {
    let safeguard;
    if (p.transfer_safeguard) safeguard = el('td', { class: 'safeguard', text: p.transfer_safeguard });
    else if (p.outside_eea) safeguard = el('td', { class: 'safeguard missing', text: t('registers.safeguardMissing') });
    else safeguard = el('td', { class: 'safeguard muted', text: t('registers.notNeeded') });
    const edit = el('button', {
      type: 'button', class: 'btn btn-small edit-processor', text: t('registers.edit'),
      'aria-label': t('registers.editProcessorLabel', { name: p.name }),
      onClick: () => setProcessorForm(ctx, p, true),
    });
    return el('tr', { 'data-id': p.id, 'data-outside-eea': String(Boolean(p.outside_eea)) },
      el('td', { class: 'strong', text: p.name }),
      el('td', { text: p.service }),
      el('td', { class: 'country', text: p.country }),
      el('td', {}, p.outside_eea
        ? el('span', { class: 'badge outside-badge', text: t('registers.yes') })
        : t('registers.no')),
      safeguard,
      el('td', { class: 'actions' }, edit));
  }));
}

function fillPolicy(ctx, tbody, items) {
  const { el } = ctx;
  if (items.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('registers.policyEmpty')));
    return;
  }
  const lang = ctx.lang();
  tbody.replaceChildren(...items.map((v) => el('tr', { 'data-id': v.id, 'data-version': v.version },
    el('td', { class: 'strong', text: v.version }),
    el('td', { class: 'nowrap', text: formatDateTime(v.published_at, lang) }),
    el('td', { class: 'nowrap', text: formatDay(v.effective_at, lang) }),
    el('td', {}, v.significant ? el('span', { class: 'badge', text: t('registers.yes') }) : t('registers.no')),
    el('td', { text: v.summary }),
    el('td', { class: 'num', text: count(v.notified) }))));
}

function fillHolds(ctx) {
  const { el } = ctx;
  const tbody = document.querySelector('#legal-holds tbody');
  if (!tbody) return;
  const g = registersState(ctx);
  if (g.holds === null) {
    fillPending(ctx, tbody, 6, g.holdsFailed, () => { g.holdsFailed = false; fillHolds(ctx); loadHolds(ctx); });
    if (!g.holdsLoading && !g.holdsFailed) loadHolds(ctx);
    return;
  }
  if (g.holds.length === 0) {
    tbody.replaceChildren(ctx.messageRow(6, t('holds.empty')));
    return;
  }
  const lang = ctx.lang();
  tbody.replaceChildren(...g.holds.map((h) => el('tr', { 'data-id': h.id, 'data-table': h.record_table },
    el('td', { text: label('holds.table', h.record_table) }),
    el('td', { class: 'nowrap' }, h.number ? el('code', { text: h.number }) : t('none')),
    el('td', { class: 'num nowrap', text: formatEuros(h.amount_cents, lang) }),
    el('td', { text: label('holds.reason', h.reason) }),
    el('td', { class: 'nowrap', text: formatDay(h.held_until, lang) }),
    el('td', {}, pseudonym(ctx, h.subject_ref)))));
}

// ---------------------------------------------------------------- activity form

function activityForm(ctx) {
  const { el } = ctx;
  const basis = el('select', {}, LEGAL_BASES.map((b) => el('option', { value: b, text: label('registers.basis', b) })));
  const balancing = el('textarea', { rows: '3', maxlength: '500', 'aria-required': 'true' });
  const balancingField = field(ctx, 'activity-balancing', 'registers.activity.balancing', balancing,
    'registers.activity.balancingHint');
  const syncBasis = () => { balancingField.hidden = basis.value !== 'legitimate_interest'; };
  basis.addEventListener('change', syncBasis);
  const save = el('button', { type: 'button', id: 'activity-save', class: 'btn btn-primary', text: t('registers.saveActivity'),
    onClick: () => saveActivity(ctx) });
  const cancel = el('button', { type: 'button', id: 'activity-cancel', class: 'btn', text: t('registers.cancelEdit'),
    hidden: true, onClick: () => { setActivityForm(ctx, null, false); ctx.focus($('activity-name')); } });
  const form = el('fieldset', { id: 'activity-form', class: 'dpo-form' },
    el('legend', { id: 'activity-legend', text: t('registers.addActivity') }),
    el('div', { class: 'form-grid' },
      field(ctx, 'activity-name', 'registers.activity.name', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'activity-purpose', 'registers.activity.purpose', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'activity-basis', 'registers.activity.basis', basis),
      field(ctx, 'activity-categories', 'registers.activity.categories', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'activity-retention', 'registers.activity.retention', el('input', { type: 'text', maxlength: '500' }))),
    balancingField,
    el('div', { class: 'toolbar' }, save, cancel),
    el('p', { id: 'activity-result', class: 'result' }));
  syncBasis();
  return form;
}

function setActivityForm(ctx, activity, focusIt) {
  const g = registersState(ctx);
  g.editActivity = activity || null;
  const legend = $('activity-legend');
  if (!legend) return;
  const a = activity || { name: '', purpose: '', legal_basis: 'contract', balancing_test: '', data_categories: '', retention: '' };
  $('activity-name').value = a.name || '';
  $('activity-purpose').value = a.purpose || '';
  $('activity-basis').value = LEGAL_BASES.includes(a.legal_basis) ? a.legal_basis : 'contract';
  $('activity-basis').dispatchEvent(new Event('change'));
  $('activity-balancing').value = a.balancing_test || '';
  $('activity-categories').value = a.data_categories || '';
  $('activity-retention').value = a.retention || '';
  legend.textContent = activity ? t('registers.editActivity', { name: activity.name }) : t('registers.addActivity');
  $('activity-save').textContent = activity ? t('registers.saveChanges') : t('registers.saveActivity');
  $('activity-cancel').hidden = !activity;
  if (focusIt) ctx.focus($('activity-name'));
}

async function saveActivity(ctx) {
  const g = registersState(ctx);
  const button = $('activity-save');
  const basis = $('activity-basis').value;
  const activity = {
    id: g.editActivity ? g.editActivity.id : null,
    name: $('activity-name').value,
    purpose: $('activity-purpose').value,
    legal_basis: basis,
    balancing_test: basis === 'legitimate_interest' ? ($('activity-balancing').value.trim() || null) : null,
    data_categories: $('activity-categories').value,
    retention: $('activity-retention').value,
  };
  button.disabled = true;
  try {
    await api.saveActivity(activity);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    setActivityForm(ctx, null, false);
    const said = t('registers.activitySaved', { name: activity.name.trim() });
    formResult('activity-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('activity-result', refusalText(err), true);
    const target = err && err.code === 'balancing_test_required' ? 'activity-balancing' : 'activity-name';
    ctx.focus($(target));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- processor form

function processorForm(ctx) {
  const { el } = ctx;
  const [outsideField, outside] = checkField(ctx, 'processor-outside', 'registers.processor.outside');
  const safeguard = el('input', { type: 'text', maxlength: '500', 'aria-required': 'true' });
  const safeguardField = field(ctx, 'processor-safeguard', 'registers.processor.safeguard', safeguard,
    'registers.processor.safeguardHint');
  outside.setAttribute('aria-controls', 'processor-safeguard');
  const syncOutside = () => {
    safeguardField.hidden = !outside.checked;
    outside.setAttribute('aria-expanded', String(outside.checked));
  };
  outside.addEventListener('change', syncOutside);
  const save = el('button', { type: 'button', id: 'processor-save', class: 'btn btn-primary', text: t('registers.saveProcessor'),
    onClick: () => saveProcessor(ctx) });
  const cancel = el('button', { type: 'button', id: 'processor-cancel', class: 'btn', text: t('registers.cancelEdit'),
    hidden: true, onClick: () => { setProcessorForm(ctx, null, false); ctx.focus($('processor-name')); } });
  const form = el('fieldset', { id: 'processor-form', class: 'dpo-form' },
    el('legend', { id: 'processor-legend', text: t('registers.addProcessor') }),
    el('div', { class: 'form-grid' },
      field(ctx, 'processor-name', 'registers.processor.name', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'processor-service', 'registers.processor.service', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'processor-country', 'registers.processor.country', el('input', { type: 'text', maxlength: '500' }))),
    outsideField, safeguardField,
    el('div', { class: 'toolbar' }, save, cancel),
    el('p', { id: 'processor-result', class: 'result' }));
  syncOutside();
  return form;
}

function setProcessorForm(ctx, processor, focusIt) {
  const g = registersState(ctx);
  g.editProcessor = processor || null;
  const legend = $('processor-legend');
  if (!legend) return;
  const p = processor || { name: '', service: '', country: '', outside_eea: false, transfer_safeguard: '' };
  $('processor-name').value = p.name || '';
  $('processor-service').value = p.service || '';
  $('processor-country').value = p.country || '';
  $('processor-outside').checked = Boolean(p.outside_eea);
  $('processor-outside').dispatchEvent(new Event('change'));
  $('processor-safeguard').value = p.transfer_safeguard || '';
  legend.textContent = processor ? t('registers.editProcessor', { name: processor.name }) : t('registers.addProcessor');
  $('processor-save').textContent = processor ? t('registers.saveChanges') : t('registers.saveProcessor');
  $('processor-cancel').hidden = !processor;
  if (focusIt) ctx.focus($('processor-name'));
}

async function saveProcessor(ctx) {
  const g = registersState(ctx);
  const button = $('processor-save');
  const outside = $('processor-outside').checked;
  const processor = {
    id: g.editProcessor ? g.editProcessor.id : null,
    name: $('processor-name').value,
    service: $('processor-service').value,
    country: $('processor-country').value,
    outside_eea: outside,
    // Inside the EEA no safeguard is recorded; outside, the backend refuses an empty one.
    transfer_safeguard: outside ? ($('processor-safeguard').value.trim() || null) : null,
  };
  button.disabled = true;
  try {
    await api.saveProcessor(processor);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    setProcessorForm(ctx, null, false);
    const said = t('registers.processorSaved', { name: processor.name.trim() });
    formResult('processor-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('processor-result', refusalText(err), true);
    const target = err && err.code === 'safeguard_required' ? 'processor-safeguard' : 'processor-name';
    ctx.focus($(target));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- policy form

function policyForm(ctx) {
  const { el } = ctx;
  const effective = el('input', { type: 'date', min: parisDay(0) });
  const [significantField, significant] = checkField(ctx, 'policy-significant', 'registers.policy.significant',
    'registers.policy.significantHint');
  // A significant change cannot take effect within 30 days: offer only dates the rule allows.
  significant.addEventListener('change', () => {
    effective.min = parisDay(significant.checked ? 30 : 0);
  });
  const publish = el('button', { type: 'button', id: 'policy-publish', class: 'btn btn-primary', text: t('registers.publish'),
    onClick: () => publishVersion(ctx) });
  return el('fieldset', { id: 'policy-form', class: 'dpo-form' },
    el('legend', { text: t('registers.publishTitle') }),
    el('div', { class: 'form-grid' },
      field(ctx, 'policy-version', 'registers.policy.version', el('input', { type: 'text', maxlength: '500' })),
      field(ctx, 'policy-effective', 'registers.policy.effective', effective)),
    significantField,
    field(ctx, 'policy-summary', 'registers.policy.summary', el('textarea', { rows: '3', maxlength: '500' })),
    el('div', { class: 'toolbar' }, publish),
    el('p', { id: 'policy-result', class: 'result' }));
}

async function publishVersion(ctx) {
  const g = registersState(ctx);
  const button = $('policy-publish');
  const effective = $('policy-effective').value;
  const version = {
    version: $('policy-version').value,
    effective_on: effective,
    significant: $('policy-significant').checked,
    summary: $('policy-summary').value,
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(effective)) {
    ctx.showError({ code: 'invalid_input', message: t('registers.needDate') });
    formResult('policy-result', t('registers.needDate'), true);
    ctx.focus($('policy-effective'));
    return;
  }
  if (version.significant && !(await confirmInPage(t('registers.confirmSignificant', {
    version: version.version.trim(), date: formatDay(effective, ctx.lang()),
  }), { danger: false }))) {
    ctx.setStatus(t('registers.publishCancelled'));
    return;
  }
  button.disabled = true;
  try {
    const published = await api.publishPolicyVersion(version);
    if (g !== ctx.data.registers) return;
    ctx.clearError();
    for (const id of ['policy-version', 'policy-effective', 'policy-summary']) $(id).value = '';
    $('policy-significant').checked = false;
    $('policy-significant').dispatchEvent(new Event('change'));
    const said = t('registers.published', {
      version: published ? published.version : version.version, notified: count(published ? published.notified : 0),
    });
    formResult('policy-result', said, false);
    ctx.setStatus(said);
    await loadRegisters(ctx);
  } catch (err) {
    ctx.showError(err);
    formResult('policy-result', refusalText(err), true);
    const code = err && err.code;
    const target = code === 'notice_too_short' || code === 'effective_in_past' ? 'policy-effective'
      : (code === 'version_exists' ? 'policy-version' : null);
    if (target) ctx.focus($(target));
  } finally {
    button.disabled = false;
  }
}
