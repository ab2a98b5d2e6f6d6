// @ts-check
// "Nouvelle inscription" (issue 15): the office registers a family that
// calls, writes or comes to the desk. Identity and contact, the children's
// age brackets (never the family's challenges: ROLE-3), the programme and
// the slots, one explicit answer per consent purpose under the policy
// version in force (POL-7: nothing is pre-ticked, no answer is no consent),
// and the 16+ certification, without which the core saves nothing (POL-35).
// A known e-mail is offered, not duplicated. The core checks everything
// again (`domain::intake::Registration::check`); this form only helps.

import { registrationForm, lookupPerson, registerFamily } from './commands.js';
import { t, label } from './i18n.js';
import { h, focus, field, fullName } from './dom.js';
import { asUiError } from './errors.js';

/** @typedef {import('./types.js').Ctx} Ctx */
/** @typedef {import('./bindings').FormOptions} FormOptions */
/** @typedef {import('./bindings').Registration} Registration */
/** @typedef {import('./bindings').AgeBracket} AgeBracket */
/** @typedef {import('./bindings').ConsentPurpose} ConsentPurpose */
/** @typedef {import('./bindings').Channel} Channel */

/** The consent purposes, as the core lists them (`vocabularies`). */
const PURPOSES = /** @type {ConsentPurpose[]} */ (['newsletter', 'testimonials', 'studies']);
const BRACKETS = /** @type {AgeBracket[]} */ (['0-3', '4-6', '7-11', '12-15', '16-18']);

/**
 * The form, closed behind its button until the office opens it.
 * @param {Ctx} ctx
 * @param {() => Promise<void>} onRegistered Reloads the inbox.
 */
export function buildNewRegistration(ctx, onRegistered) {
  const section = h('section', { id: 'new-registration', class: 'form-card', hidden: true,
    'aria-labelledby': 'new-registration-title' });
  const open = h('button', { type: 'button', id: 'new-registration-open', class: 'btn btn-primary',
    text: t('intake.open'), 'aria-expanded': 'false', 'aria-controls': 'new-registration',
    onClick: async () => {
      if (!section.hidden) {
        close();
        return;
      }
      open.setAttribute('aria-expanded', 'true');
      section.hidden = false;
      section.replaceChildren(h('p', { class: 'muted', text: t('loading') }));
      try {
        const options = await registrationForm();
        section.replaceChildren(...formNodes(ctx, options, close, onRegistered));
        focus(/** @type {HTMLElement | null} */ (section.querySelector('select, input')));
      } catch (err) {
        close();
        ctx.showError(err);
      }
    } });
  function close() {
    section.hidden = true;
    section.replaceChildren();
    open.setAttribute('aria-expanded', 'false');
    focus(open);
  }
  return { open, section };
}

/**
 * @param {Ctx} ctx
 * @param {FormOptions} options
 * @param {() => void} close
 * @param {() => Promise<void>} onRegistered
 */
function formNodes(ctx, options, close, onRegistered) {
  const channel = h('select', {}, options.channels.map((value) => h('option', { value, text: label('channel', value) })));
  const given = h('input', { type: 'text', maxlength: '100', autocomplete: 'off', required: true });
  const family = h('input', { type: 'text', maxlength: '100', autocomplete: 'off', required: true });
  const email = h('input', { type: 'email', maxlength: '254', autocomplete: 'off', spellcheck: 'false', required: true });
  const phone = h('input', { type: 'tel', maxlength: '30', autocomplete: 'off' });
  const known = h('p', { id: 'intake-known', class: 'notice', role: 'status', hidden: true });
  const children = h('input', { type: 'number', min: '0', max: '20', step: '1', class: 'narrow' });
  const brackets = BRACKETS.map((value) => h('input', { type: 'number', min: '0', max: '20', step: '1', value: '0',
    class: 'narrow bracket-count', 'data-bracket': value, 'aria-label': t('intake.bracketCount', { bracket: value }) }));
  const programme = h('select', {},
    h('option', { value: '', text: t('intake.choose') }),
    options.programmes.map((p) => h('option', { value: p.id, text: p.name })));
  const slots = h('fieldset', { class: 'slots' }, h('legend', { text: t('intake.slots') }));
  const fillSlots = () => {
    const chosen = options.programmes.find((p) => p.id === programme.value);
    const boxes = (chosen ? chosen.slots : []).map((slot) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', class: 'slot', value: slot }), slot));
    slots.replaceChildren(h('legend', { text: t('intake.slots') }),
      ...(boxes.length ? boxes : [h('p', { class: 'muted', text: t('intake.noSlots') })]));
  };
  programme.addEventListener('change', fillSlots);
  fillSlots();
  const consents = h('fieldset', { class: 'consents' },
    h('legend', { text: options.policy_version
      ? t('intake.consents', { version: options.policy_version }) : t('intake.consentsNoVersion') }),
    h('p', { class: 'field-hint muted', text: t('intake.consentsHint') }),
    PURPOSES.map((purpose) => h('div', { class: 'consent-row', role: 'radiogroup', 'aria-label': label('consent', purpose) },
      h('span', { class: 'consent-name', text: label('consent', purpose) }),
      ['yes', 'no', 'unanswered'].map((answer) => h('label', { class: 'check' },
        h('input', { type: 'radio', name: `consent-${purpose}`, value: answer, checked: answer === 'unanswered',
          'data-purpose': purpose }),
        t(`intake.answer.${answer}`))))));
  const certified = h('input', { type: 'checkbox', id: 'intake-certified' });
  const result = h('p', { id: 'intake-result', class: 'result', role: 'status' });
  const submit = h('button', { type: 'submit', id: 'intake-submit', class: 'btn btn-primary', text: t('intake.submit') });
  const cancel = h('button', { type: 'button', class: 'btn', text: t('intake.close'), onClick: close });

  let lookedUp = '';
  const lookup = async () => {
    const value = email.value.trim();
    if (!value || value === lookedUp) return;
    lookedUp = value;
    try {
      const person = await lookupPerson(value);
      known.hidden = !person;
      known.textContent = person ? t('intake.known', { name: fullName(person) }) : '';
    } catch (err) {
      known.hidden = true;
      ctx.showError(err);
    }
  };
  email.addEventListener('change', lookup);
  email.addEventListener('blur', lookup);

  const fields = {
    given_name: field('intake-given', t('field.given_name'), given),
    family_name: field('intake-family', t('field.family_name'), family),
    email: field('intake-email', t('field.email'), email, t('intake.emailHint')),
    phone: field('intake-phone', t('field.phone'), phone),
    children_count: field('intake-children', t('field.children_count'), children),
    programme_id: field('intake-programme', t('intake.programme'), programme),
    channel: field('intake-channel', t('intake.channel'), channel),
  };
  const form = h('form', { id: 'new-registration-form', novalidate: true },
    h('h2', { id: 'new-registration-title', text: t('intake.title') }),
    h('p', { class: 'muted', text: t('intake.help') }),
    h('div', { class: 'form-row' }, fields.channel, fields.given_name, fields.family_name),
    h('div', { class: 'form-row' }, fields.email, fields.phone),
    known,
    h('div', { class: 'form-row' }, fields.children_count,
      h('fieldset', { class: 'brackets', id: 'intake-brackets' },
        h('legend', { text: t('intake.brackets') }),
        brackets.map((input) => h('label', { class: 'bracket' }, h('span', { text: t('intake.bracket', { bracket: input.dataset.bracket || '' }) }), input)))),
    h('div', { class: 'form-row' }, fields.programme_id),
    slots,
    consents,
    h('div', { class: 'field certification', 'data-field': 'intake-certified' },
      h('label', { class: 'check' }, certified, t('intake.certified')),
      h('p', { class: 'field-hint muted', text: t('intake.certifiedHint') })),
    h('div', { class: 'toolbar' }, submit, cancel),
    result);

  /** @param {string | null} name */
  const mark = (name) => {
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute('aria-invalid');
    const target = name === 'certified_16_plus_at' ? certified
      : name === 'age_brackets' ? brackets[0]
        : name ? /** @type {any} */ (fields)[name]?.querySelector('input, select') : null;
    if (target) {
      target.setAttribute('aria-invalid', 'true');
      focus(target);
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.textContent = '';
    result.className = 'result';
    /** @type {AgeBracket[]} */
    const ages = [];
    for (const input of brackets) {
      const n = Math.max(0, Math.min(20, Number(input.value) || 0));
      for (let i = 0; i < n; i += 1) ages.push(/** @type {AgeBracket} */ (input.dataset.bracket));
    }
    /** @type {Registration} */
    const registration = {
      given_name: given.value,
      family_name: family.value,
      email: email.value,
      phone: phone.value.trim() || null,
      children_count: children.value.trim() === '' ? null : Number(children.value),
      age_brackets: ages,
      programme_id: programme.value || null,
      preferred_slots: [...slots.querySelectorAll('input.slot:checked')].map((box) => /** @type {HTMLInputElement} */ (box).value),
      consents: PURPOSES.flatMap((purpose) => {
        const picked = /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="consent-${purpose}"]:checked`));
        return picked && picked.value !== 'unanswered' ? [{ purpose, granted: picked.value === 'yes' }] : [];
      }),
      policy_version: null,
      // POL-35: the certification is dated when the office records it.
      certified_16_plus_at: certified.checked ? new Date().toISOString() : null,
      channel: /** @type {Channel} */ (channel.value),
    };
    submit.disabled = true;
    try {
      const done = await registerFamily(registration);
      ctx.clearError();
      mark(null);
      const name = fullName(registration);
      result.textContent = done.known
        ? (done.already_requested ? t('intake.doneAlready', { name }) : t('intake.doneKnown', { name }))
        : t('intake.done', { name });
      ctx.setStatus(result.textContent);
      for (const input of [given, family, email, phone, children]) input.value = '';
      for (const input of brackets) input.value = '0';
      certified.checked = false;
      known.hidden = true;
      lookedUp = '';
      for (const radio of form.querySelectorAll('input[type="radio"][value="unanswered"]')) {
        /** @type {HTMLInputElement} */ (radio).checked = true;
      }
      await onRegistered();
      focus(given);
    } catch (err) {
      const error = asUiError(err);
      const problemField = error.details && error.details.field ? String(error.details.field) : null;
      if (error.code === 'certification_required' || error.code === 'registration_invalid') {
        result.textContent = problemField
          ? t('intake.problem', { field: t(`intake.field.${problemField}`), problem: t(`intake.problem.${error.details.problem}`) })
          : t(`error.${error.code}`);
        result.className = 'result refused';
        ctx.setStatus(result.textContent);
        mark(problemField);
      } else {
        ctx.showError(err);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return [form];
}
