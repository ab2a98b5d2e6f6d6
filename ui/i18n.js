// All user-visible strings, French (default) and English.
// t(key, params) replaces {name} placeholders; tc(key, count) picks `.one` / `.other`.

const STRINGS = {
  fr: {
    'app.name': 'moniravique — espace équipe',
    'app.skip': 'Aller au contenu',
    'app.demoBadge': 'Démonstration — données fictives',
    'app.version': 'Version {version}',
    'lang.switch': 'English',
    'loading': 'Chargement…',
    'none': '—',
    'retry': 'Réessayer',
    'loadFailed': 'Impossible de charger ces données.',

    'header.signOut': 'Se déconnecter',

    'role.trainer': 'Formateur·rice',
    'role.external_trainer': 'Formateur·rice externe',
    'role.administrator': 'Administration',
    'role.support': 'Support technique',
    'role.dpo': 'Délégué·e à la protection des données',

    'signin.title': 'Connexion',
    'signin.intro': "Accès réservé à l'équipe de moniravique.",
    'signin.username': 'Identifiant',
    'signin.password': 'Mot de passe',
    'signin.submit': 'Se connecter',
    'signin.pending': 'Connexion en cours…',
    'demo.title': 'Comptes de démonstration (données fictives)',
    'demo.hint': 'Choisir un compte remplit le formulaire ; validez ensuite avec « Se connecter ».',
    'demo.filled': 'Identifiants de {name} renseignés.',

    'store.title': "Impossible d'ouvrir la base de données",
    'store.keyring_unreachable': "Le trousseau du système est inaccessible : l'application ne peut pas lire la clé de chiffrement de la base. Vérifiez que votre session est déverrouillée et que le service de trousseau fonctionne, puis relancez l'application.",
    'store.key_missing': "La clé de la base est introuvable dans le trousseau alors qu'une base existe. Rien n'a été modifié : la base est conservée telle quelle. Ne supprimez aucun fichier et contactez l'administration ou le ou la DPO.",
    'store.wrong_key': "La clé du trousseau n'ouvre pas cette base. Rien n'a été modifié. La clé a peut-être été remplacée : contactez l'administration avant toute autre manipulation.",
    'store.corrupted': "Le fichier de la base est endommagé et ne peut pas être lu. Rien n'a été modifié. Contactez l'administration pour restaurer une sauvegarde.",
    'store.not_encrypted': "Le fichier de la base n'est pas chiffré, ce qui est interdit pour des données personnelles : l'application refuse de l'ouvrir. Contactez l'administration.",
    'store.other': "Une erreur empêche l'ouverture de la base de données. Contactez l'administration en lui transmettant le détail ci-dessous.",
    'store.detail': 'Détail technique',
    'store.code': 'Code : {code}',

    'error.not_signed_in': "Vous n'êtes pas connecté·e ou votre session a expiré. Veuillez vous reconnecter.",
    'error.not_permitted': "Votre rôle ne permet pas d'accéder à ces informations.",
    'error.bad_credentials': 'Identifiant ou mot de passe incorrect.',
    'error.locked': 'Compte temporairement verrouillé après plusieurs tentatives infructueuses.',
    'error.not_found': "L'élément demandé est introuvable.",
    'error.invalid_input': 'Saisie invalide : vérifiez les champs.',
    'error.store': "Erreur de la base de données locale. Réessayez ou contactez l'administration.",
    'error.no_backend': "Le moteur de l'application est indisponible.",
    'error.unknown': 'Une erreur inattendue est survenue.',

    'ws.trainer': 'Mes participants',
    'ws.external_trainer': 'Participants de mon atelier',
    'ws.administrator': 'Administration',
    'ws.support': 'Assistance en cours',
    'ws.dpo': 'Protection des données',
    'ws.unknownRole': 'Rôle non pris en charge',
    'ws.unknownRoleText': "Ce rôle n'a pas d'espace dans cette application. Contactez l'administration.",
    'tabs.label': 'Rubriques',
    'tab.groups': 'Groupes',
    'tab.participants': 'Participants',
    'tab.audit': "Journal d'audit",

    'participants.label': 'Liste des participants',
    'participants.search': 'Rechercher un participant',
    'participants.searchPlaceholder': 'Nom ou e-mail…',
    'participants.open': 'Ouvrir',
    'participants.openLabel': 'Ouvrir le dossier de {name}',
    'participants.emptyMine': 'Aucun participant dans vos groupes.',
    'participants.emptyAll': 'Aucun participant enregistré.',
    'participants.emptySupport': 'Aucune personne assistée pour le moment.',
    'participants.emptySearch': 'Aucun participant ne correspond à « {query} ».',
    'participants.count.one': '{count} participant affiché.',
    'participants.count.other': '{count} participants affichés.',
    'col.name': 'Nom',
    'col.email': 'E-mail',
    'col.groups': 'Groupes',
    'col.actions': 'Actions',

    'profile.back': 'Retour à la liste',
    'profile.opened': 'Dossier de {name} ouvert.',
    'profile.contact': 'Coordonnées',
    'profile.email': 'E-mail',
    'profile.phone': 'Téléphone',
    'profile.certified': 'Âge de 16 ans ou plus certifié le',
    'profile.notCertified': 'Non certifié',
    'profile.lastLogin': 'Dernière connexion',
    'profile.never': 'Jamais',
    'profile.family': 'Famille',
    'profile.children': "Nombre d'enfants",
    'profile.ages': "Tranches d'âge",
    'profile.challenges': 'Difficultés exprimées',
    'profile.noChallenges': 'Aucune difficulté déclarée.',
    'profile.objectives': 'Objectifs',
    'profile.objectivesEmpty': 'Aucun objectif déclaré.',
    'profile.declaredAt': 'Déclaré le {date}',
    'profile.notes': 'Notes de suivi',
    'profile.notesEmpty': 'Aucune note de suivi.',
    'profile.noteMeta': '{author} — {date}',
    'profile.questions': 'Questions posées',
    'profile.questionsEmpty': 'Aucune question posée.',
    'profile.questionMeta': '{session} — {date}',
    'profile.attendance': 'Présences',
    'profile.attendanceEmpty': 'Aucune présence enregistrée.',
    'profile.enrolments': 'Inscriptions',
    'profile.enrolmentsEmpty': 'Aucune inscription.',
    'col.session': 'Séance',
    'col.joined': 'Arrivée',
    'col.left': 'Départ',
    'col.group': 'Groupe',
    'col.status': 'Statut',
    'col.payment': 'Paiement',
    'enrol.requested': 'Demandée',
    'enrol.waitlisted': "En liste d'attente",
    'enrol.confirmed': 'Confirmée',
    'enrol.cancelled': 'Annulée',
    'pay.pending': 'En attente',
    'pay.confirmed': 'Reçu',
    'pay.refunded': 'Remboursé',
    'pay.none': 'Aucun',

    'groups.label': 'Liste des groupes',
    'groups.empty': 'Aucun groupe.',
    'groups.headcount': '{confirmed} / {capacity}',
    'col.programme': 'Programme',
    'col.trainer': 'Formateur·rice',
    'col.schedule': 'Horaires',
    'col.room': 'Salle',
    'col.headcount': 'Effectif confirmé',
    'col.waitlisted': "Liste d'attente",
    'col.requested': 'Demandes',

    'audit.label': "Journal d'audit",
    'audit.verify': 'Vérifier la chaîne',
    'audit.verifying': 'Vérification de la chaîne en cours…',
    'audit.ok.one': 'Chaîne vérifiée : {count} entrée intègre.',
    'audit.ok.other': 'Chaîne vérifiée : {count} entrées intègres.',
    'audit.broken': "Chaîne rompue à l'entrée n° {seq} : {reason}",
    'audit.brokenNoSeq': 'Chaîne rompue : {reason}',
    'audit.noReason': 'raison non précisée',
    'audit.verifyFailed': 'La vérification de la chaîne a échoué.',
    'audit.empty': "Le journal d'audit est vide.",
    'audit.range': 'Entrées {from} à {to} sur {total}',
    'audit.pager': "Pages du journal d'audit",
    'audit.prev': 'Page précédente',
    'audit.next': 'Page suivante',
    'col.seq': 'N°',
    'col.at': 'Date',
    'col.actor': 'Auteur',
    'col.device': 'Poste',
    'col.action': 'Action',
    'col.participant': 'Participant',
    'col.outcome': 'Résultat',
    'outcome.allowed': 'Autorisé',
    'outcome.denied': 'Refusé',

    'status.signedIn': 'Connecté·e : {name}.',
    'status.signedOut': 'Vous êtes déconnecté·e.',
    'status.lang': 'Langue : français.',
  },

  en: {
    'app.name': 'moniravique — staff workspace',
    'app.skip': 'Skip to content',
    'app.demoBadge': 'Demo — fictitious data',
    'app.version': 'Version {version}',
    'lang.switch': 'Français',
    'loading': 'Loading…',
    'none': '—',
    'retry': 'Try again',
    'loadFailed': 'Could not load this data.',

    'header.signOut': 'Sign out',

    'role.trainer': 'Trainer',
    'role.external_trainer': 'External trainer',
    'role.administrator': 'Administrator',
    'role.support': 'Technical support',
    'role.dpo': 'Data-protection officer',

    'signin.title': 'Sign in',
    'signin.intro': 'Restricted to the moniravique team.',
    'signin.username': 'Username',
    'signin.password': 'Password',
    'signin.submit': 'Sign in',
    'signin.pending': 'Signing in…',
    'demo.title': 'Demo accounts (fictitious data)',
    'demo.hint': 'Choosing an account fills in the form; then press “Sign in”.',
    'demo.filled': 'Credentials of {name} filled in.',

    'store.title': 'The database cannot be opened',
    'store.keyring_unreachable': 'The system keyring cannot be reached, so the app cannot read the database encryption key. Make sure your session is unlocked and the keyring service is running, then restart the app.',
    'store.key_missing': 'The database key is missing from the keyring although a database exists. Nothing has been changed: the database is kept as is. Do not delete any file and contact the administrators or the DPO.',
    'store.wrong_key': 'The key in the keyring does not open this database. Nothing has been changed. The key may have been replaced: contact the administrators before doing anything else.',
    'store.corrupted': 'The database file is damaged and cannot be read. Nothing has been changed. Contact the administrators to restore a backup.',
    'store.not_encrypted': 'The database file is not encrypted, which is forbidden for personal data: the app refuses to open it. Contact the administrators.',
    'store.other': 'An error prevents the database from opening. Contact the administrators and give them the details below.',
    'store.detail': 'Technical details',
    'store.code': 'Code: {code}',

    'error.not_signed_in': 'You are not signed in or your session has expired. Please sign in again.',
    'error.not_permitted': 'Your role does not allow access to this information.',
    'error.bad_credentials': 'Wrong username or password.',
    'error.locked': 'Account temporarily locked after several failed attempts.',
    'error.not_found': 'The requested item could not be found.',
    'error.invalid_input': 'Invalid input: please check the fields.',
    'error.store': 'Local database error. Try again or contact the administrators.',
    'error.no_backend': 'The application engine is unavailable.',
    'error.unknown': 'An unexpected error occurred.',

    'ws.trainer': 'My participants',
    'ws.external_trainer': 'Participants in my workshop',
    'ws.administrator': 'Administration',
    'ws.support': 'Current assistance',
    'ws.dpo': 'Data protection',
    'ws.unknownRole': 'Unsupported role',
    'ws.unknownRoleText': 'This role has no workspace in this app. Contact the administrators.',
    'tabs.label': 'Sections',
    'tab.groups': 'Groups',
    'tab.participants': 'Participants',
    'tab.audit': 'Audit log',

    'participants.label': 'Participants',
    'participants.search': 'Search participants',
    'participants.searchPlaceholder': 'Name or e-mail…',
    'participants.open': 'Open',
    'participants.openLabel': 'Open the file of {name}',
    'participants.emptyMine': 'No participants in your groups.',
    'participants.emptyAll': 'No participants registered.',
    'participants.emptySupport': 'No one is being assisted at the moment.',
    'participants.emptySearch': 'No participant matches “{query}”.',
    'participants.count.one': '{count} participant shown.',
    'participants.count.other': '{count} participants shown.',
    'col.name': 'Name',
    'col.email': 'E-mail',
    'col.groups': 'Groups',
    'col.actions': 'Actions',

    'profile.back': 'Back to the list',
    'profile.opened': 'File of {name} opened.',
    'profile.contact': 'Contact details',
    'profile.email': 'E-mail',
    'profile.phone': 'Phone',
    'profile.certified': 'Aged 16 or over, certified on',
    'profile.notCertified': 'Not certified',
    'profile.lastLogin': 'Last sign-in',
    'profile.never': 'Never',
    'profile.family': 'Family',
    'profile.children': 'Number of children',
    'profile.ages': 'Age brackets',
    'profile.challenges': 'Stated difficulties',
    'profile.noChallenges': 'No difficulties stated.',
    'profile.objectives': 'Objectives',
    'profile.objectivesEmpty': 'No objectives stated.',
    'profile.declaredAt': 'Stated on {date}',
    'profile.notes': 'Progress notes',
    'profile.notesEmpty': 'No progress notes.',
    'profile.noteMeta': '{author} — {date}',
    'profile.questions': 'Questions asked',
    'profile.questionsEmpty': 'No questions asked.',
    'profile.questionMeta': '{session} — {date}',
    'profile.attendance': 'Attendance',
    'profile.attendanceEmpty': 'No attendance recorded.',
    'profile.enrolments': 'Enrolments',
    'profile.enrolmentsEmpty': 'No enrolments.',
    'col.session': 'Session',
    'col.joined': 'Joined',
    'col.left': 'Left',
    'col.group': 'Group',
    'col.status': 'Status',
    'col.payment': 'Payment',
    'enrol.requested': 'Requested',
    'enrol.waitlisted': 'Waitlisted',
    'enrol.confirmed': 'Confirmed',
    'enrol.cancelled': 'Cancelled',
    'pay.pending': 'Pending',
    'pay.confirmed': 'Received',
    'pay.refunded': 'Refunded',
    'pay.none': 'None',

    'groups.label': 'Groups',
    'groups.empty': 'No groups.',
    'groups.headcount': '{confirmed} / {capacity}',
    'col.programme': 'Programme',
    'col.trainer': 'Trainer',
    'col.schedule': 'Schedule',
    'col.room': 'Room',
    'col.headcount': 'Confirmed',
    'col.waitlisted': 'Waiting list',
    'col.requested': 'Requests',

    'audit.label': 'Audit log',
    'audit.verify': 'Verify the chain',
    'audit.verifying': 'Verifying the chain…',
    'audit.ok.one': 'Chain verified: {count} intact entry.',
    'audit.ok.other': 'Chain verified: {count} intact entries.',
    'audit.broken': 'Chain broken at entry no. {seq}: {reason}',
    'audit.brokenNoSeq': 'Chain broken: {reason}',
    'audit.noReason': 'no reason given',
    'audit.verifyFailed': 'The chain verification failed.',
    'audit.empty': 'The audit log is empty.',
    'audit.range': 'Entries {from} to {to} of {total}',
    'audit.pager': 'Audit log pages',
    'audit.prev': 'Previous page',
    'audit.next': 'Next page',
    'col.seq': 'No.',
    'col.at': 'Date',
    'col.actor': 'Actor',
    'col.device': 'Device',
    'col.action': 'Action',
    'col.participant': 'Participant',
    'col.outcome': 'Outcome',
    'outcome.allowed': 'Allowed',
    'outcome.denied': 'Denied',

    'status.signedIn': 'Signed in: {name}.',
    'status.signedOut': 'You are signed out.',
    'status.lang': 'Language: English.',
  },
};

const SUPPORTED = Object.keys(STRINGS);
const STORAGE_KEY = 'lang';

function readStoredLang() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return SUPPORTED.includes(value) ? value : 'fr';
  } catch {
    return 'fr';
  }
}

let current = readStoredLang();

export function getLang() {
  return current;
}

export function setLang(lang) {
  current = SUPPORTED.includes(lang) ? lang : 'fr';
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Storage unavailable: the choice only lasts for this window.
  }
  document.documentElement.lang = current;
}

export function has(key) {
  return key in STRINGS[current] || key in STRINGS.fr;
}

export function t(key, params) {
  const text = STRINGS[current][key] ?? STRINGS.fr[key];
  if (text === undefined) return key;
  if (!params) return text;
  // Single pass: placeholders inside substituted values are never expanded.
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    Object.prototype.hasOwnProperty.call(params, name) && params[name] != null ? String(params[name]) : match);
}

export function formatCount(count) {
  return new Intl.NumberFormat(current === 'fr' ? 'fr-FR' : 'en-GB').format(count);
}

// French uses the singular for 0 and 1, English only for 1.
export function tc(key, count, params = {}) {
  const one = current === 'fr' ? count < 2 : count === 1;
  return t(`${key}.${one ? 'one' : 'other'}`, { ...params, count: formatCount(count) });
}

// Translate static markup: data-i18n (text), data-i18n-placeholder, data-i18n-aria-label.
export function applyStatic(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
  }
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  }
}
