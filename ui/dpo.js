// The DPO's rights-request desk (issue 4; POL-23..28, POL-38) and the DPO's
// actions on a profile (consents POL-7, unsubscribe POL-26, minor POL-35).
// Every rule is enforced by the backend; this view shows its answers.

import * as api from './api.js';
import { t, extend } from './i18n.js';
import { formatDateTime, formatWhen } from './format.js';
import { confirmInPage } from './confirm.js';

const KINDS = ['access', 'rectification', 'erasure', 'objection', 'portability', 'unsubscribe'];
const CHANNELS = ['post', 'email', 'phone'];
const PURPOSES = ['module_suggestions', 'statistics'];
const CONSENTS = ['newsletter', 'testimonials', 'studies'];
const SOURCES = ['platform', 'email', 'post', 'phone'];
const FIELDS = ['given_name', 'family_name', 'email', 'phone', 'marketing_opt_out', 'children_count',
  'age_brackets', 'challenges'];

extend({
  fr: {
    'tab.requests': 'Demandes de droits',
    'rq.label': 'Registre des demandes d\'exercice des droits',
    'rq.help': 'Les demandes ouvertes sont triées par échéance. Objectif de la politique : 15 jours ouvrables '
      + '(lundi au samedi, jours fériés exclus, jour de réception non compté) ; plafond légal (RGPD art. 12) : un mois, '
      + 'prolongeable de deux mois si la personne est prévenue dans le premier mois.',
    'rq.empty': 'Aucune demande enregistrée.',
    'rq.new': 'Enregistrer une demande',
    'rq.person': 'Personne concernée',
    'rq.personSearch': 'Rechercher (nom ou e-mail)',
    'rq.personPick': 'Choisissez la personne',
    'rq.kind': 'Type de demande',
    'rq.channel': 'Reçue par',
    'rq.received': 'Date de réception',
    'rq.purpose': 'Traitement visé par l\'opposition',
    'rq.register': 'Enregistrer la demande',
    'rq.registered': 'Demande {ref} enregistrée.',
    'rq.needPerson': 'Choisissez d\'abord la personne concernée.',
    'rq.open': 'Ouvrir',
    'rq.openLabel': 'Ouvrir la demande {ref}',
    'rq.back': 'Retour au registre',
    'rq.title': 'Demande {ref}',
    'rq.detached': 'Personne effacée',
    'rq.log': 'Actions effectuées',
    'rq.logEmpty': 'Aucune action.',
    'rq.deadlines': 'Échéances',
    'rq.policyTarget': 'Objectif de la politique (15 jours ouvrables)',
    'rq.policyExtended': 'Prolongation exceptionnelle (un mois)',
    'rq.legal': 'Plafond légal (un mois ; prévenir d\'une prolongation avant cette date)',
    'rq.legalExtended': 'Plafond légal prolongé (trois mois)',
    'rq.identity': 'Vérification d\'identité',
    'rq.identityNone': 'Pas encore vérifiée : aucune donnée ne sort et rien n\'est modifié avant.',
    'rq.identityDone': '{method} — {date}',
    'rq.identityMethod': 'Comment l\'identité a été vérifiée',
    'rq.identityPlaceholder': 'ex. réponse depuis l\'adresse du compte, copie de pièce d\'identité',
    'rq.identityCheck': 'Identité vérifiée',
    'rq.act': 'Traiter la demande',
    'rq.export': 'Exporter toutes les données (zip : JSON, CSV, synthèse)',
    'rq.exported': 'Export enregistré : {categories} catégories, {records} enregistrements.',
    'rq.cancelled': 'Enregistrement annulé : rien n\'a été lu ni écrit.',
    'rq.field': 'Champ à corriger',
    'rq.value': 'Nouvelle valeur',
    'rq.rectify': 'Corriger',
    'rq.rectified': 'Champ corrigé. L\'ancienne valeur n\'est pas conservée.',
    'rq.deep': 'Vérification complète : déchiffrer toutes les pages du fichier après l\'effacement (plus long)',
    'rq.erase': 'Effacer définitivement',
    'rq.eraseConfirm': 'Effacer définitivement cette personne ? Ses données seront supprimées de ce poste, '
      + 'sauf les pièces comptables conservées sous obligation légale. Cette action est irréversible.',
    'rq.erased': 'Effacement effectué. Attestation {ref} : {occurrences} occurrence(s) résiduelle(s).',
    'rq.certificate': 'Attestation d\'effacement',
    'rq.saveCertificate': 'Enregistrer l\'attestation (HTML)',
    'rq.certificateSaved': 'Attestation enregistrée.',
    'rq.kept': 'Conservé : {title} ({count}) jusqu\'au {date} — {rule}',
    'rq.deleted': 'Supprimé : {title} ({count})',
    'rq.anonymised': 'Anonymisé : {title} ({count})',
    'rq.residual': 'Vérification : {occurrences} occurrence(s) dans {pages} pages déchiffrées et {frames} trames du journal.',
    'rq.grounds': 'Motifs légitimes impérieux (obligatoires pour rejeter)',
    'rq.accept': 'Accepter l\'opposition (le traitement s\'arrête)',
    'rq.reject': 'Rejeter avec motifs',
    'rq.decided': 'Décision enregistrée.',
    'rq.unsubscribe': 'Désinscrire maintenant',
    'rq.unsubscribed': 'Désinscription faite : plus aucune communication marketing.',
    'rq.answerNote': 'Note sur la réponse (facultatif)',
    'rq.answer': 'Marquer comme répondue',
    'rq.answerHint': 'Toute réponse rappelle à la personne qu\'elle peut saisir la CNIL (www.cnil.fr).',
    'rq.extendGrounds': 'Motif de la prolongation',
    'rq.extend': 'Prolonger (personne prévenue)',
    'rq.refuseGrounds': 'Motif du refus',
    'rq.refuse': 'Refuser',
    'rq.updated': 'Demande mise à jour.',
    'rq.closed': 'Demande close.',
    'as.title': 'Accès du support en cours (ROLE-4)',
    'as.help': 'Le support n\'accède à un compte que pendant une demande d\'assistance ouverte, 48 heures. '
      + 'Vous pouvez la prolonger de 48 heures ou la clore.',
    'as.empty': 'Aucune demande d\'assistance ouverte.',
    'as.support': 'Agent du support', 'as.opened': 'Ouverte le', 'as.expires': 'Expire le',
    'as.expired': 'expirée',
    'as.renew': 'Prolonger de 48 h', 'as.close': 'Clore',
    'as.renewLabel': 'Prolonger de 48 heures l\'accès du support au compte de {name}',
    'as.closeLabel': 'Clore l\'accès du support au compte de {name}',
    'as.renewed': 'Accès prolongé jusqu\'au {date}.', 'as.closedDone': 'Accès du support clos.',
    'col.ref': 'Réf.', 'col.person': 'Personne', 'col.kind': 'Type', 'col.channel': 'Canal',
    'col.received': 'Reçue le', 'col.due': 'Échéance', 'col.legalDue': 'Plafond légal', 'col.urgency': 'Urgence',
    'col.action': 'Action', 'col.detail': 'Détail', 'col.by': 'Par', 'col.field': 'Champ',
    'kind.access': 'Accès', 'kind.rectification': 'Rectification', 'kind.erasure': 'Effacement',
    'kind.objection': 'Opposition', 'kind.portability': 'Portabilité', 'kind.unsubscribe': 'Désinscription',
    'channel.post': 'Courrier', 'channel.email': 'E-mail', 'channel.phone': 'Téléphone',
    'purpose.module_suggestions': 'Suggestions de modules', 'purpose.statistics': 'Statistiques d\'usage',
    'rqstatus.received': 'Reçue', 'rqstatus.identity_checked': 'Identité vérifiée',
    'rqstatus.in_progress': 'En cours', 'rqstatus.answered': 'Répondue', 'rqstatus.refused': 'Refusée',
    'rqstatus.extended': 'Prolongée',
    'urgency.on_track': 'Dans les temps', 'urgency.at_risk': 'À risque', 'urgency.overdue': 'En retard',
    'rqaction.registered': 'Enregistrée', 'rqaction.identity_checked': 'Identité vérifiée',
    'rqaction.started': 'Prise en charge', 'rqaction.extended': 'Prolongée', 'rqaction.answered': 'Répondue',
    'rqaction.refused': 'Refusée', 'rqaction.exported': 'Données exportées', 'rqaction.rectified': 'Champ corrigé',
    'rqaction.rectification_in_progress': 'Rectification en cours', 'rqaction.erased': 'Personne effacée',
    'rqaction.objection_accepted': 'Opposition acceptée', 'rqaction.objection_rejected': 'Opposition rejetée',
    'rqaction.unsubscribed': 'Désinscription',
    'field.given_name': 'Prénom', 'field.family_name': 'Nom', 'field.email': 'E-mail', 'field.phone': 'Téléphone',
    'field.marketing_opt_out': 'Refus des communications (true/false)', 'field.children_count': 'Nombre d\'enfants',
    'field.age_brackets': 'Tranches d\'âge (ex. 0-3,7-11)', 'field.challenges': 'Difficultés rencontrées',
    'prefs.title': 'Consentements et oppositions',
    'prefs.source': 'Source de la décision',
    'prefs.never': 'Jamais demandé', 'prefs.yes': 'Donné', 'prefs.no': 'Retiré',
    'prefs.give': 'Enregistrer le consentement', 'prefs.withdraw': 'Enregistrer le retrait',
    'prefs.giveLabel': 'Enregistrer le consentement pour {purpose}',
    'prefs.withdrawLabel': 'Enregistrer le retrait du consentement pour {purpose}',
    'prefs.saved': 'Consentement enregistré.',
    'prefs.history': 'Historique',
    'prefs.historyEmpty': 'Aucune décision enregistrée.',
    'prefs.event': '{purpose} : {state} le {date} ({source})',
    'prefs.marketing': 'Communications marketing',
    'prefs.unsubscribedYes': 'Désinscrit·e', 'prefs.unsubscribedNo': 'Abonné·e',
    'prefs.objectsSuggestions': 'Opposition aux suggestions de modules',
    'prefs.objectsStatistics': 'Opposition aux statistiques d\'usage',
    'prefs.unsubscribe': 'Désinscrire (immédiat)',
    'consent.newsletter': 'Lettre mensuelle', 'consent.testimonials': 'Témoignages', 'consent.studies': 'Études',
    'source.platform': 'Plateforme', 'source.email': 'E-mail', 'source.post': 'Courrier', 'source.phone': 'Téléphone',
    'minor.title': 'Mineur découvert (POL-35)',
    'minor.help': 'Si ces données ont été transmises par une personne de moins de 16 ans sans autorisation parentale, '
      + 'elles sont effacées immédiatement, sans demande.',
    'minor.erase': 'Effacer immédiatement',
    'minor.confirm': 'Effacer immédiatement toutes les données de cette personne (mineur découvert) ? Action irréversible.',
    'yes': 'oui', 'no': 'non',
    'error.identity_not_checked': 'Vérifiez d\'abord l\'identité du demandeur.',
    'error.identity_method_required': 'Indiquez comment l\'identité a été vérifiée.',
    'error.identity_already_checked': 'L\'identité est déjà vérifiée.',
    'error.request_closed': 'Cette demande est close.',
    'error.wrong_request_type': 'Cette action ne correspond pas au type de la demande.',
    'error.request_detached': 'Cette demande ne désigne plus personne (personne effacée).',
    'error.extension_grounds_required': 'Indiquez le motif de la prolongation.',
    'error.extension_too_late': 'Trop tard pour prolonger : la personne doit être prévenue dans le mois qui suit la réception.',
    'error.already_extended': 'La demande est déjà prolongée.',
    'error.already_started': 'La demande est déjà en cours.',
    'error.refusal_grounds_required': 'Indiquez le motif du refus.',
    'error.received_in_future': 'La date de réception ne peut pas être dans le futur.',
    'error.objection_purpose_required': 'Précisez le traitement visé par l\'opposition.',
    'error.objection_undecided': 'Décidez de l\'opposition avant de répondre.',
    'error.objection_decided': 'L\'opposition est déjà décidée.',
    'error.objection_grounds_required': 'Rejeter une opposition exige des motifs légitimes impérieux, écrits.',
    'error.email_taken': 'Une autre personne utilise déjà cette adresse e-mail.',
    'error.nothing_to_rectify': 'Aucune situation familiale enregistrée pour cette personne.',
    'error.consent_unchanged': 'Le consentement est déjà dans cet état.',
    'error.erasure_request_required': 'Un effacement sur demande doit être rattaché à la demande.',
    'error.export': 'L\'export n\'a pas pu être construit.',
  },
  en: {
    'tab.requests': 'Rights requests',
    'rq.label': 'Register of rights requests',
    'rq.help': 'Open requests are sorted by due date. Policy target: 15 jours ouvrables (Monday to Saturday, public '
      + 'holidays excluded, day of receipt not counted); legal ceiling (GDPR art. 12): one month, extendable by two '
      + 'when the person is told within the first month.',
    'rq.empty': 'No request registered.',
    'rq.new': 'Register a request',
    'rq.person': 'Person concerned',
    'rq.personSearch': 'Search (name or e-mail)',
    'rq.personPick': 'Choose the person',
    'rq.kind': 'Request type',
    'rq.channel': 'Received by',
    'rq.received': 'Date of receipt',
    'rq.purpose': 'Processing objected to',
    'rq.register': 'Register the request',
    'rq.registered': 'Request {ref} registered.',
    'rq.needPerson': 'Choose the person concerned first.',
    'rq.open': 'Open',
    'rq.openLabel': 'Open request {ref}',
    'rq.back': 'Back to the register',
    'rq.title': 'Request {ref}',
    'rq.detached': 'Person erased',
    'rq.log': 'Actions taken',
    'rq.logEmpty': 'No action.',
    'rq.deadlines': 'Deadlines',
    'rq.policyTarget': 'Policy target (15 jours ouvrables)',
    'rq.policyExtended': 'Exceptional extension (one month)',
    'rq.legal': 'Legal ceiling (one month; tell the person of an extension before it)',
    'rq.legalExtended': 'Extended legal ceiling (three months)',
    'rq.identity': 'Identity check',
    'rq.identityNone': 'Not checked yet: no data leaves and nothing changes before it is.',
    'rq.identityDone': '{method} — {date}',
    'rq.identityMethod': 'How the identity was checked',
    'rq.identityPlaceholder': 'e.g. answer from the account\'s address, copy of an ID',
    'rq.identityCheck': 'Identity checked',
    'rq.act': 'Handle the request',
    'rq.export': 'Export all data (zip: JSON, CSV, summary)',
    'rq.exported': 'Export saved: {categories} categories, {records} records.',
    'rq.cancelled': 'Save cancelled: nothing was read or written.',
    'rq.field': 'Field to correct',
    'rq.value': 'New value',
    'rq.rectify': 'Correct',
    'rq.rectified': 'Field corrected. The old value is not kept.',
    'rq.deep': 'Full check: decrypt every page of the file after erasure (slower)',
    'rq.erase': 'Erase for good',
    'rq.eraseConfirm': 'Erase this person for good? Their data will be deleted from this laptop, except accounting '
      + 'records kept by law. This cannot be undone.',
    'rq.erased': 'Erased. Certificate {ref}: {occurrences} residual occurrence(s).',
    'rq.certificate': 'Erasure certificate',
    'rq.saveCertificate': 'Save the certificate (HTML)',
    'rq.certificateSaved': 'Certificate saved.',
    'rq.kept': 'Kept: {title} ({count}) until {date} — {rule}',
    'rq.deleted': 'Deleted: {title} ({count})',
    'rq.anonymised': 'Anonymised: {title} ({count})',
    'rq.residual': 'Check: {occurrences} occurrence(s) in {pages} decrypted pages and {frames} log frames.',
    'rq.grounds': 'Compelling legitimate grounds (required to reject)',
    'rq.accept': 'Accept the objection (the processing stops)',
    'rq.reject': 'Reject with grounds',
    'rq.decided': 'Decision recorded.',
    'rq.unsubscribe': 'Unsubscribe now',
    'rq.unsubscribed': 'Unsubscribed: no more marketing.',
    'rq.answerNote': 'Note on the answer (optional)',
    'rq.answer': 'Mark as answered',
    'rq.answerHint': 'Every answer tells the person they may complain to the CNIL (www.cnil.fr).',
    'rq.extendGrounds': 'Reason for the extension',
    'rq.extend': 'Extend (person told)',
    'rq.refuseGrounds': 'Reason for refusing',
    'rq.refuse': 'Refuse',
    'rq.updated': 'Request updated.',
    'rq.closed': 'Request closed.',
    'as.title': 'Support access in progress (ROLE-4)',
    'as.help': 'Support reaches an account only while an assistance request is open, for 48 hours. '
      + 'You may renew it for 48 hours or close it.',
    'as.empty': 'No open assistance request.',
    'as.support': 'Support agent', 'as.opened': 'Opened', 'as.expires': 'Expires',
    'as.expired': 'expired',
    'as.renew': 'Renew for 48 h', 'as.close': 'Close',
    'as.renewLabel': 'Renew support access to {name}\'s account for 48 hours',
    'as.closeLabel': 'Close support access to {name}\'s account',
    'as.renewed': 'Access renewed until {date}.', 'as.closedDone': 'Support access closed.',
    'col.ref': 'Ref.', 'col.person': 'Person', 'col.kind': 'Type', 'col.channel': 'Channel',
    'col.received': 'Received', 'col.due': 'Due', 'col.legalDue': 'Legal ceiling', 'col.urgency': 'Urgency',
    'col.action': 'Action', 'col.detail': 'Detail', 'col.by': 'By', 'col.field': 'Field',
    'kind.access': 'Access', 'kind.rectification': 'Rectification', 'kind.erasure': 'Erasure',
    'kind.objection': 'Objection', 'kind.portability': 'Portability', 'kind.unsubscribe': 'Unsubscribe',
    'channel.post': 'Post', 'channel.email': 'E-mail', 'channel.phone': 'Phone',
    'purpose.module_suggestions': 'Module suggestions', 'purpose.statistics': 'Usage statistics',
    'rqstatus.received': 'Received', 'rqstatus.identity_checked': 'Identity checked',
    'rqstatus.in_progress': 'In progress', 'rqstatus.answered': 'Answered', 'rqstatus.refused': 'Refused',
    'rqstatus.extended': 'Extended',
    'urgency.on_track': 'On track', 'urgency.at_risk': 'At risk', 'urgency.overdue': 'Overdue',
    'rqaction.registered': 'Registered', 'rqaction.identity_checked': 'Identity checked',
    'rqaction.started': 'Started', 'rqaction.extended': 'Extended', 'rqaction.answered': 'Answered',
    'rqaction.refused': 'Refused', 'rqaction.exported': 'Data exported', 'rqaction.rectified': 'Field corrected',
    'rqaction.rectification_in_progress': 'Rectification in progress', 'rqaction.erased': 'Person erased',
    'rqaction.objection_accepted': 'Objection accepted', 'rqaction.objection_rejected': 'Objection rejected',
    'rqaction.unsubscribed': 'Unsubscribed',
    'field.given_name': 'Given name', 'field.family_name': 'Family name', 'field.email': 'E-mail',
    'field.phone': 'Phone', 'field.marketing_opt_out': 'Marketing opt-out (true/false)',
    'field.children_count': 'Number of children', 'field.age_brackets': 'Age brackets (e.g. 0-3,7-11)',
    'field.challenges': 'Challenges',
    'prefs.title': 'Consents and objections',
    'prefs.source': 'Source of the decision',
    'prefs.never': 'Never asked', 'prefs.yes': 'Given', 'prefs.no': 'Withdrawn',
    'prefs.give': 'Record consent', 'prefs.withdraw': 'Record withdrawal',
    'prefs.giveLabel': 'Record consent for {purpose}',
    'prefs.withdrawLabel': 'Record withdrawal of consent for {purpose}',
    'prefs.saved': 'Consent recorded.',
    'prefs.history': 'History',
    'prefs.historyEmpty': 'No decision recorded.',
    'prefs.event': '{purpose}: {state} on {date} ({source})',
    'prefs.marketing': 'Marketing',
    'prefs.unsubscribedYes': 'Unsubscribed', 'prefs.unsubscribedNo': 'Subscribed',
    'prefs.objectsSuggestions': 'Objects to module suggestions',
    'prefs.objectsStatistics': 'Objects to usage statistics',
    'prefs.unsubscribe': 'Unsubscribe (immediate)',
    'consent.newsletter': 'Monthly newsletter', 'consent.testimonials': 'Testimonials', 'consent.studies': 'Studies',
    'source.platform': 'Platform', 'source.email': 'E-mail', 'source.post': 'Post', 'source.phone': 'Phone',
    'minor.title': 'Minor discovered (POL-35)',
    'minor.help': 'If this data was given by someone under 16 without parental authorisation, it is erased at once, '
      + 'without a request.',
    'minor.erase': 'Erase now',
    'minor.confirm': 'Erase all of this person\'s data now (minor discovered)? This cannot be undone.',
    'yes': 'yes', 'no': 'no',
    'error.identity_not_checked': 'Check the requester\'s identity first.',
    'error.identity_method_required': 'Say how the identity was checked.',
    'error.identity_already_checked': 'The identity is already checked.',
    'error.request_closed': 'This request is closed.',
    'error.wrong_request_type': 'This action does not match the request type.',
    'error.request_detached': 'This request no longer names anyone (person erased).',
    'error.extension_grounds_required': 'Give the reason for the extension.',
    'error.extension_too_late': 'Too late to extend: the person must be told within one month of receipt.',
    'error.already_extended': 'The request is already extended.',
    'error.already_started': 'The request is already in progress.',
    'error.refusal_grounds_required': 'Give the reason for refusing.',
    'error.received_in_future': 'The date of receipt cannot be in the future.',
    'error.objection_purpose_required': 'Say which processing the objection is about.',
    'error.objection_undecided': 'Decide the objection before answering.',
    'error.objection_decided': 'The objection is already decided.',
    'error.objection_grounds_required': 'Rejecting an objection needs compelling legitimate grounds, in writing.',
    'error.email_taken': 'Another person already uses this e-mail address.',
    'error.nothing_to_rectify': 'No family situation is recorded for this person.',
    'error.consent_unchanged': 'The consent is already in that state.',
    'error.erasure_request_required': 'An erasure on request must name the request.',
    'error.export': 'The export could not be built.',
  },
});

// ---------------------------------------------------------------- helpers

function todayInParis() {
  // 'YYYY-MM-DD' of today in Europe/Paris (the office's calendar).
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function field(ctx, id, labelKey, control) {
  const { el } = ctx;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id, text: t(labelKey) }), control);
}

function select(ctx, options, labelOf) {
  const { el } = ctx;
  return el('select', {}, options.map((value) => el('option', { value, text: labelOf(value) })));
}

function button(ctx, id, textKey, onClick, extra = {}) {
  return ctx.el('button', { type: 'button', id, class: `btn ${extra.class || ''}`.trim(), text: t(textKey), onClick });
}

async function attempt(ctx, work) {
  ctx.clearError();
  try {
    return await work();
  } catch (err) {
    ctx.showError(err);
    return undefined;
  }
}

// ---------------------------------------------------------------- register

export function buildRequestsPanel(ctx) {
  const { el, data } = ctx;
  if (!data.requests) data.requests = { items: null, detail: null };
  const panel = el('div', { class: 'panel stack', id: 'requests-panel' });
  if (data.requests.detail) {
    panel.append(buildDetail(ctx, data.requests.detail));
    return panel;
  }
  const table = el('table', { id: 'rights-requests', class: 'data', 'aria-label': t('rq.label') },
    ctx.headerRow([t('col.ref'), t('col.person'), t('col.kind'), t('col.channel'), t('col.received'),
      t('col.due'), t('col.legalDue'), t('col.status'), t('col.urgency'), t('col.actions')]),
    el('tbody', {}, ctx.messageRow(10, t('loading'))));
  panel.append(el('p', { class: 'muted', text: t('rq.help') }), buildRegisterForm(ctx),
    el('div', { class: 'table-wrap' }, table), buildAssistance(ctx));
  api.rightsRequests().then((rows) => {
    data.requests.items = rows;
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [ctx.messageRow(10, t('rq.empty'))]
      : rows.map((r) => requestRow(ctx, r))));
  }).catch(ctx.showError);
  return panel;
}

function requestRow(ctx, r) {
  const { el } = ctx;
  const l = ctx.lang();
  return el('tr', { 'data-id': r.id, class: r.open ? `urgency-${r.urgency}` : 'closed' },
    el('td', { class: 'nowrap', text: r.reference }),
    el('td', { text: r.person || t('rq.detached') }),
    el('td', { text: t(`kind.${r.kind}`) }),
    el('td', { text: t(`channel.${r.channel}`) }),
    el('td', { class: 'nowrap', text: formatWhen(r.received_on, l) }),
    el('td', { class: 'nowrap', text: formatWhen(r.due, l) }),
    el('td', { class: 'nowrap', text: formatWhen(r.deadlines.legal, l) }),
    el('td', { text: t(`rqstatus.${r.status}`) }),
    el('td', {}, r.urgency ? el('span', { class: `badge urgency-${r.urgency}`, text: t(`urgency.${r.urgency}`) }) : ''),
    el('td', { class: 'actions' }, el('button', {
      type: 'button', class: 'btn btn-small open-request', text: t('rq.open'),
      'aria-label': t('rq.openLabel', { ref: r.reference }), onClick: () => openDetail(ctx, r.id),
    })));
}

function buildRegisterForm(ctx) {
  const { el } = ctx;
  const search = el('input', { type: 'search', autocomplete: 'off', placeholder: t('rq.personSearch') });
  const person = el('select', {}, el('option', { value: '', text: t('rq.personPick') }));
  const kind = select(ctx, KINDS, (k) => t(`kind.${k}`));
  const channel = select(ctx, CHANNELS, (c) => t(`channel.${c}`));
  const received = el('input', { type: 'date', value: todayInParis(), max: todayInParis() });
  const purpose = select(ctx, PURPOSES, (p) => t(`purpose.${p}`));
  const purposeField = field(ctx, 'request-purpose', 'rq.purpose', purpose);
  purposeField.hidden = true;
  kind.addEventListener('change', () => { purposeField.hidden = kind.value !== 'objection'; });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = search.value.trim();
      const rows = query.length < 2 ? [] : await attempt(ctx, () => api.listParticipants(query));
      if (!rows) return;
      person.replaceChildren(el('option', { value: '', text: t('rq.personPick') }),
        ...rows.map((p) => el('option', { value: p.id, text: `${ctx.fullName(p)} — ${p.email}` })));
      if (rows.length === 1) person.value = rows[0].id;
    }, 200);
  });
  const submit = button(ctx, 'request-register', 'rq.register', async () => {
    if (!person.value) {
      ctx.showError({ code: 'invalid_input', message: t('rq.needPerson') });
      return;
    }
    const row = await attempt(ctx, () => api.registerRightsRequest({
      participant_id: person.value, kind: kind.value, channel: channel.value, received_on: received.value,
      objection_purpose: kind.value === 'objection' ? purpose.value : null,
    }));
    if (!row) return;
    ctx.setStatus(t('rq.registered', { ref: row.reference }));
    openDetail(ctx, row.id);
  }, { class: 'btn-primary' });
  return el('section', { class: 'form-card stack', 'aria-labelledby': 'request-new-title' },
    el('h3', { id: 'request-new-title', text: t('rq.new') }),
    el('div', { class: 'form-row' },
      field(ctx, 'request-person-search', 'rq.person', search),
      field(ctx, 'request-person', 'rq.personPick', person),
      field(ctx, 'request-kind', 'rq.kind', kind),
      field(ctx, 'request-channel', 'rq.channel', channel),
      field(ctx, 'request-received', 'rq.received', received),
      purposeField),
    submit);
}

// ---------------------------------------------------------------- support access (ROLE-4)

function buildAssistance(ctx) {
  const { el } = ctx;
  const l = ctx.lang();
  const table = el('table', { id: 'assistance', class: 'data', 'aria-label': t('as.title') },
    ctx.headerRow([t('col.person'), t('as.support'), t('as.opened'), t('as.expires'), t('col.actions')]),
    el('tbody', {}, ctx.messageRow(5, t('loading'))));
  const fill = (rows) => {
    table.tBodies[0].replaceChildren(...(rows.length === 0 ? [ctx.messageRow(5, t('as.empty'))]
      : rows.map((a) => el('tr', { 'data-id': a.id },
        el('td', { text: a.person }), el('td', { text: a.support }),
        el('td', { class: 'nowrap', text: formatDateTime(a.opened_at, l) }),
        el('td', { class: 'nowrap' }, formatDateTime(a.expires_at, l),
          a.expired ? [' ', el('span', { class: 'badge urgency-overdue', text: t('as.expired') })] : null),
        el('td', { class: 'actions' },
          el('button', {
            type: 'button', class: 'btn btn-small renew-assistance', text: t('as.renew'),
            'aria-label': t('as.renewLabel', { name: a.person }),
            onClick: async () => {
              const renewed = await attempt(ctx, () => api.renewAssistance(a.id));
              if (!renewed) return;
              ctx.setStatus(t('as.renewed', { date: formatDateTime(renewed.expires_at, l) }));
              load();
            },
          }),
          ' ',
          el('button', {
            type: 'button', class: 'btn btn-small close-assistance', text: t('as.close'),
            'aria-label': t('as.closeLabel', { name: a.person }),
            onClick: async () => {
              const done = await attempt(ctx, () => api.closeAssistance(a.id));
              if (done === undefined) return;
              ctx.setStatus(t('as.closedDone'));
              load();
            },
          }))))));
  };
  const load = () => api.assistanceRequests().then(fill).catch(ctx.showError);
  load();
  return el('section', { class: 'stack', 'aria-labelledby': 'assistance-title' },
    el('h3', { id: 'assistance-title', text: t('as.title') }), el('p', { class: 'muted', text: t('as.help') }),
    el('div', { class: 'table-wrap' }, table));
}

// ---------------------------------------------------------------- one request

async function openDetail(ctx, id) {
  const detail = await attempt(ctx, () => api.rightsRequestDetail(id));
  if (!detail) return;
  ctx.data.requests.detail = detail;
  ctx.rerender();
  const title = document.getElementById('request-title');
  if (title) ctx.focus(title);
}

function closeDetail(ctx) {
  ctx.data.requests.detail = null;
  ctx.rerender();
}

async function refresh(ctx, id, statusKey, params) {
  const detail = await attempt(ctx, () => api.rightsRequestDetail(id));
  if (!detail) return;
  ctx.data.requests.detail = detail;
  ctx.rerender();
  if (statusKey) ctx.setStatus(t(statusKey, params));
}

function buildDetail(ctx, detail) {
  const { el } = ctx;
  const r = detail.request;
  const l = ctx.lang();
  const back = el('button', { type: 'button', class: 'btn back', id: 'request-back', onClick: () => closeDetail(ctx) },
    el('span', { 'aria-hidden': 'true', text: '← ' }), t('rq.back'));
  const facts = el('dl', { class: 'facts' },
    el('dt', { text: t('col.person') }), el('dd', { text: r.person || t('rq.detached') }),
    el('dt', { text: t('col.kind') }),
    el('dd', { text: t(`kind.${r.kind}`) + (r.objection_purpose ? ` — ${t(`purpose.${r.objection_purpose}`)}` : '') }),
    el('dt', { text: t('col.channel') }), el('dd', { text: t(`channel.${r.channel}`) }),
    el('dt', { text: t('col.received') }), el('dd', { text: formatWhen(r.received_on, l) }),
    el('dt', { text: t('col.status') }), el('dd', { id: 'request-status', text: t(`rqstatus.${r.status}`) }),
    el('dt', { text: t('rq.identity') }),
    el('dd', { text: r.identity_checked_at
      ? t('rq.identityDone', { method: r.identity_check_method || '', date: formatDateTime(r.identity_checked_at, l) })
      : t('rq.identityNone') }),
    r.grounds ? [el('dt', { text: t('rq.grounds') }), el('dd', { text: r.grounds })] : null);
  const deadlines = el('dl', { class: 'facts', id: 'request-deadlines' },
    [['rq.policyTarget', r.deadlines.policy_target], ['rq.policyExtended', r.deadlines.policy_extended],
      ['rq.legal', r.deadlines.legal], ['rq.legalExtended', r.deadlines.legal_extended]]
      .flatMap(([key, date]) => [el('dt', { text: t(key) }), el('dd', { text: formatWhen(date, l) })]),
    r.urgency ? [el('dt', { text: t('col.urgency') }),
      el('dd', {}, el('span', { class: `badge urgency-${r.urgency}`, text: t(`urgency.${r.urgency}`) }))] : null);
  const log = detail.actions.length === 0 ? el('p', { class: 'empty', text: t('rq.logEmpty') })
    : el('div', { class: 'table-wrap' }, el('table', { class: 'data compact', id: 'request-log', 'aria-label': t('rq.log') },
      ctx.headerRow([t('col.when'), t('col.by'), t('col.action'), t('col.field'), t('col.detail')]),
      el('tbody', {}, detail.actions.map((a) => el('tr', {},
        el('td', { class: 'nowrap', text: formatDateTime(a.at, l) }), el('td', { text: a.staff }),
        el('td', { text: t(`rqaction.${a.action}`) }),
        el('td', { text: a.field ? t(`field.${a.field}`) : '' }), el('td', { text: a.detail || '' }))))));
  return el('section', { class: 'stack request-detail', 'aria-labelledby': 'request-title' },
    el('div', { class: 'profile-head' }, back,
      el('h2', { id: 'request-title', tabindex: '-1', text: t('rq.title', { ref: r.reference }) })),
    el('section', { id: 'erasure-result', class: 'stack', tabindex: '-1', 'aria-live': 'polite' }),
    el('div', { class: 'columns' },
      el('section', { class: 'profile-block' }, el('h3', { text: t('rq.identity') }), facts),
      el('section', { class: 'profile-block' }, el('h3', { text: t('rq.deadlines') }), deadlines)),
    r.open ? buildActions(ctx, r) : el('p', { class: 'muted', text: t('rq.closed') }),
    el('section', { class: 'profile-block' }, el('h3', { text: t('rq.log') }), log));
}

function buildActions(ctx, r) {
  const { el } = ctx;
  const id = r.id;
  const section = el('section', { class: 'form-card stack', 'aria-labelledby': 'request-act-title' },
    el('h3', { id: 'request-act-title', text: t('rq.act') }));
  if (r.status === 'received') {
    const method = el('input', { type: 'text', placeholder: t('rq.identityPlaceholder'), size: 50 });
    section.append(el('div', { class: 'form-row' }, field(ctx, 'identity-method', 'rq.identityMethod', method),
      button(ctx, 'identity-check', 'rq.identityCheck', async () => {
        const done = await attempt(ctx, () => api.advanceRightsRequest(id, { step: 'check_identity', method: method.value }));
        if (done) refresh(ctx, id, 'rq.updated');
      }, { class: 'btn-primary' })));
  }
  const person = r.participant_id;
  if (r.identity_checked_at && person) {
    if (r.kind === 'access' || r.kind === 'portability') {
      section.append(button(ctx, 'request-export', 'rq.export', async () => {
        const saved = await attempt(ctx, () => api.exportAccess(person, id));
        if (!saved) return;
        if (!saved.saved) { ctx.setStatus(t('rq.cancelled')); return; }
        refresh(ctx, id, 'rq.exported', { categories: saved.categories, records: saved.records });
      }, { class: 'btn-primary' }));
    }
    if (r.kind === 'rectification') {
      const which = select(ctx, FIELDS, (f) => t(`field.${f}`));
      const value = el('input', { type: 'text', size: 40, autocomplete: 'off' });
      section.append(el('div', { class: 'form-row' }, field(ctx, 'rectify-field', 'rq.field', which),
        field(ctx, 'rectify-value', 'rq.value', value),
        button(ctx, 'rectify-apply', 'rq.rectify', async () => {
          const done = await attempt(ctx, () => api.rectifyField(id, which.value, value.value));
          if (done !== undefined) { value.value = ''; refresh(ctx, id, 'rq.rectified'); }
        }, { class: 'btn-primary' })));
    }
    if (r.kind === 'erasure') {
      const deep = el('input', { type: 'checkbox', id: 'erase-deep', checked: true });
      section.append(el('label', { class: 'inline-check' }, deep, ' ', t('rq.deep')),
        button(ctx, 'request-erase', 'rq.erase', async () => {
          if (!(await confirmInPage(t('rq.eraseConfirm'), { confirmLabel: t('rq.erase') }))) return;
          const outcome = await attempt(ctx, () => api.eraseParticipant(person, 'request', id, deep.checked));
          if (!outcome) return;
          await refresh(ctx, id);
          showErasure(ctx, outcome);
        }, { class: 'btn-danger' }));
    }
    if (r.kind === 'objection' && !r.decision) {
      const grounds = el('textarea', { rows: 2, cols: 50 });
      section.append(field(ctx, 'objection-grounds', 'rq.grounds', grounds), el('div', { class: 'form-row' },
        button(ctx, 'objection-accept', 'rq.accept', async () => {
          const done = await attempt(ctx, () => api.decideObjection(id, true, grounds.value));
          if (done) refresh(ctx, id, 'rq.decided');
        }, { class: 'btn-primary' }),
        button(ctx, 'objection-reject', 'rq.reject', async () => {
          const done = await attempt(ctx, () => api.decideObjection(id, false, grounds.value));
          if (done) refresh(ctx, id, 'rq.decided');
        })));
    }
    if (r.kind === 'unsubscribe') {
      section.append(button(ctx, 'request-unsubscribe', 'rq.unsubscribe', async () => {
        const done = await attempt(ctx, () => api.unsubscribeParticipant(person, 'email', id));
        if (done) refresh(ctx, id, 'rq.unsubscribed');
      }, { class: 'btn-primary' }));
    }
  }
  const note = el('textarea', { rows: 2, cols: 50 });
  const extendGrounds = el('input', { type: 'text', size: 40 });
  const refuseGrounds = el('input', { type: 'text', size: 40 });
  section.append(
    el('div', { class: 'form-row' }, field(ctx, 'answer-note', 'rq.answerNote', note),
      button(ctx, 'request-answer', 'rq.answer', async () => {
        const done = await attempt(ctx, () => api.advanceRightsRequest(id, { step: 'answer', note: note.value || null }));
        if (done) refresh(ctx, id, 'rq.updated');
      })),
    el('p', { class: 'muted', text: t('rq.answerHint') }),
    r.status === 'extended' ? null : el('div', { class: 'form-row' },
      field(ctx, 'extend-grounds', 'rq.extendGrounds', extendGrounds),
      button(ctx, 'request-extend', 'rq.extend', async () => {
        const done = await attempt(ctx, () => api.advanceRightsRequest(id, { step: 'extend', grounds: extendGrounds.value }));
        if (done) refresh(ctx, id, 'rq.updated');
      })),
    el('div', { class: 'form-row' }, field(ctx, 'refuse-grounds', 'rq.refuseGrounds', refuseGrounds),
      button(ctx, 'request-refuse', 'rq.refuse', async () => {
        const done = await attempt(ctx, () => api.advanceRightsRequest(id, { step: 'refuse', grounds: refuseGrounds.value }));
        if (done) refresh(ctx, id, 'rq.updated');
      })));
  return section;
}

/** The certificate's summary, with a button to save it. */
export function showErasure(ctx, outcome, target) {
  const { el } = ctx;
  const box = target || document.getElementById('erasure-result');
  if (!box) return;
  const s = outcome.summary || {};
  const l = ctx.lang();
  const lines = [];
  for (const d of s.deleted || []) lines.push(t('rq.deleted', { title: d.title_fr, count: d.count }));
  for (const a of s.anonymised || []) lines.push(t('rq.anonymised', { title: a.title_fr, count: a.count }));
  for (const k of s.kept || []) {
    lines.push(t('rq.kept', { title: k.title_fr, count: k.count, date: formatWhen(k.until, l), rule: k.rule_id }));
  }
  const residual = s.residual_check || {};
  box.replaceChildren(
    el('h3', { text: t('rq.certificate') }),
    el('p', { id: 'erasure-summary', text: t('rq.erased', {
      ref: s.certificate_ref || '', occurrences: residual.occurrences ?? '?' }) }),
    el('p', { id: 'erasure-residual', text: t('rq.residual', {
      occurrences: residual.occurrences ?? '?', pages: residual.pages_scanned ?? 0,
      frames: residual.wal_frames_scanned ?? 0 }) }),
    el('ul', { class: 'entries' }, lines.map((line) => el('li', { text: line }))),
    button(ctx, 'save-certificate', 'rq.saveCertificate', async () => {
      const saved = await attempt(ctx, () => api.saveCertificate(outcome.certificate_id));
      if (saved) ctx.setStatus(t(saved.saved ? 'rq.certificateSaved' : 'rq.cancelled'));
    }));
  box.classList.add('form-card');
  box.scrollIntoView({ block: 'start' });
  ctx.focus(box);
  ctx.setStatus(t('rq.erased', { ref: s.certificate_ref || '', occurrences: residual.occurrences ?? '?' }));
}

// ---------------------------------------------------------------- profile (DPO)

/**
 * The DPO's blocks on a profile: consents with their history, unsubscribe,
 * objections, and the "minor discovered" erasure. `onErased(outcome)` runs
 * after an erasure (the profile no longer exists).
 */
export function profileActions(ctx, profile, onChanged, onErased) {
  const { el } = ctx;
  const prefs = profile.preferences;
  if (!prefs) return [];
  const l = ctx.lang();
  const source = select(ctx, SOURCES, (s) => t(`source.${s}`));
  const rows = prefs.current.map(([purpose, state]) => {
    const label = t(`consent.${purpose}`);
    const stateText = state === null ? t('prefs.never') : t(state ? 'prefs.yes' : 'prefs.no');
    const toggle = el('button', {
      type: 'button', class: 'btn btn-small consent-toggle', 'data-purpose': purpose,
      text: t(state ? 'prefs.withdraw' : 'prefs.give'),
      'aria-label': t(state ? 'prefs.withdrawLabel' : 'prefs.giveLabel', { purpose: label }),
      onClick: async () => {
        const done = await attempt(ctx, () => api.recordConsent(profile.id, purpose, !state, source.value));
        if (done) { ctx.setStatus(t('prefs.saved')); onChanged(); }
      },
    });
    return el('tr', { 'data-purpose': purpose }, el('td', { text: label }), el('td', { text: stateText }),
      el('td', { class: 'actions' }, toggle));
  });
  const history = prefs.history.length === 0 ? el('p', { class: 'empty', text: t('prefs.historyEmpty') })
    : el('ul', { class: 'entries', id: 'consent-history' }, prefs.history.map((e) => el('li', {
      text: t('prefs.event', { purpose: t(`consent.${e.purpose}`), state: t(e.granted ? 'prefs.yes' : 'prefs.no'),
        date: formatDateTime(e.recorded_at, l), source: e.source }) })));
  const flags = el('dl', { class: 'facts' },
    el('dt', { text: t('prefs.marketing') }),
    el('dd', { id: 'marketing-state', text: t(prefs.marketing_opt_out ? 'prefs.unsubscribedYes' : 'prefs.unsubscribedNo') }),
    el('dt', { text: t('prefs.objectsSuggestions') }), el('dd', { text: t(prefs.objects_to_suggestions ? 'yes' : 'no') }),
    el('dt', { text: t('prefs.objectsStatistics') }), el('dd', { text: t(prefs.objects_to_statistics ? 'yes' : 'no') }));
  const unsubscribe = prefs.marketing_opt_out ? null : button(ctx, 'profile-unsubscribe', 'prefs.unsubscribe', async () => {
    const done = await attempt(ctx, () => api.unsubscribeParticipant(profile.id, source.value, null));
    if (done) { ctx.setStatus(t('rq.unsubscribed')); onChanged(); }
  });
  const minorResult = el('section', { class: 'stack', 'aria-live': 'polite' });
  const minor = el('section', { class: 'profile-block danger-zone' },
    el('h3', { text: t('minor.title') }), el('p', { class: 'muted', text: t('minor.help') }),
    button(ctx, 'erase-minor', 'minor.erase', async () => {
      if (!(await confirmInPage(t('minor.confirm'), { confirmLabel: t('minor.erase') }))) return;
      const outcome = await attempt(ctx, () => api.eraseParticipant(profile.id, 'minor_discovered', null, true));
      if (outcome) onErased(outcome);
    }, { class: 'btn-danger' }), minorResult);
  return [
    el('section', { class: 'profile-block', id: 'preferences' }, el('h3', { text: t('prefs.title') }),
      field(ctx, 'consent-source', 'prefs.source', source),
      el('div', { class: 'table-wrap' }, el('table', { class: 'data compact', id: 'consents', 'aria-label': t('prefs.title') },
        ctx.headerRow([t('col.kind'), t('col.status'), t('col.actions')]), el('tbody', {}, rows))),
      flags, unsubscribe, el('h4', { text: t('prefs.history') }), history),
    minor,
  ];
}
