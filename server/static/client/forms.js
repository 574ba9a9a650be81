// Forms: dates as three labelled fields, live password rules, a show-password toggle, every
// problem found in one round, and the errors shown beside their fields and in a summary whose
// items link to them. Errors are kept as data, so that they are shown again in the other
// language when the member switches.
import { has, inWords, language, monthNames, t } from "./i18n.js";

const $$ = (root, selector) => [...root.querySelectorAll(selector)];

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Building the enhanced parts of a form. ----

/** A date as day, month and year, each labelled; the hint says the expected order. */
function buildDateField(container, form) {
  const name = container.dataset.dateField;
  const base = `${form.id.replace(/-form$/, "")}-${name.replace(/\W/g, "")}`;
  const fieldset = element("fieldset", {
    class: "date",
    "aria-describedby": `${base}-hint ${base}-error`,
  });
  fieldset.append(
    element("legend", { "data-t": container.dataset.label }),
    element("p", { class: "rule", id: `${base}-hint`, "data-t": container.dataset.hint }),
    element("p", { class: "field-error", id: `${base}-error`, "data-error-for": name }),
  );
  const parts = element("div", { class: "date-parts" });
  const auto = container.dataset.autocomplete;
  const part = (key, control) => {
    const wrapper = element("div");
    control.id = `${base}-${key}`;
    control.name = `${name}.${key}`;
    if (auto) control.autocomplete = `${auto}-${key}`;
    wrapper.append(element("label", { for: control.id, "data-t": `date.${key}` }), control);
    parts.append(wrapper);
  };
  part("day", element("input", { inputmode: "numeric", maxlength: "2", class: "day" }));
  part("month", element("select", { "data-months": "" }));
  part("year", element("input", { inputmode: "numeric", maxlength: "4", class: "year" }));
  fieldset.append(parts);
  container.replaceChildren(fieldset);
  container.classList.add("date-field");
}

/** The month lists in the page's language, keeping what was chosen. */
export function renderMonths(root = document) {
  const names = monthNames();
  for (const select of $$(root, "select[data-months]")) {
    const chosen = select.value;
    select.replaceChildren(
      element("option", { value: "" }, t("date.chooseMonth")),
      ...names.map((name, index) => element("option", { value: String(index + 1) }, name)),
    );
    select.value = chosen;
  }
}

/** A button after each password field that shows what was typed, for phones' small keys. */
function addPasswordToggle(input) {
  const wrapper = element("div", { class: "password-wrap" });
  input.replaceWith(wrapper);
  const toggle = element("button", {
    type: "button",
    class: "toggle",
    "aria-controls": input.id,
    "aria-pressed": "false",
    "data-t": "password.show",
  });
  toggle.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(shown));
    toggle.dataset.t = shown ? "password.hide" : "password.show";
    toggle.textContent = t(toggle.dataset.t);
  });
  wrapper.append(input, toggle);
}

/** A field the member starts correcting loses its error (while typing, so that nothing moves
 * under a click); the summary keeps the others. */
function forgetErrorOf(form, control) {
  const errors = shown.get(form);
  if (!errors || !control.name) return;
  const field = control.name.replace(/\.(day|month|year)$/, "");
  const remaining = errors.filter((error) => error.field !== field);
  if (remaining.length === errors.length) return;
  if (remaining.length) showErrors(form, remaining, { focus: false });
  else clearErrors(form);
}

export function enhanceForm(form) {
  for (const container of $$(form, "[data-date-field]")) buildDateField(container, form);
  for (const input of $$(form, "input[type=password]")) addPasswordToggle(input);
  form.addEventListener("input", (event) => forgetErrorOf(form, event.target));
  form.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-focus]");
    if (!link) return;
    event.preventDefault();
    const target = document.getElementById(link.dataset.focus);
    target?.focus();
    target?.scrollIntoView({ block: "center" });
  });
  for (const list of $$(form, "[data-password-rules]")) {
    const input = list.closest(".field").querySelector("input");
    input.addEventListener("input", () => updatePasswordRules(form));
    const userCodeField = list.dataset.userCode && form.elements.namedItem(list.dataset.userCode);
    userCodeField?.addEventListener("input", () => updatePasswordRules(form));
  }
}

// ---- Reading a form. ----

/** A date group's value as the API takes it (YYYY-MM-DD), "" when nothing was typed, or
 * null when what was typed is not a date. */
function dateValue(form, name) {
  const day = form.elements.namedItem(`${name}.day`).value.trim();
  const month = form.elements.namedItem(`${name}.month`).value;
  const year = form.elements.namedItem(`${name}.year`).value.trim();
  if (!day && !month && !year) return "";
  if (!/^\d{1,2}$/.test(day) || !month || !/^\d{4}$/.test(year)) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return null;
  return date.toISOString().slice(0, 10);
}

/** "85,50", "85.50", "1 234,56 $" as cents; "" when empty, null when not an amount. */
function cents(text) {
  const cleaned = text.replace(/[\s\u00a0\u202f$]/g, "");
  if (!cleaned) return "";
  const match = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

/** The form's values by field name, dates composed, amounts in cents. */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name || control.type === "file" || control.name.includes(".day")) continue;
    if (control.name.endsWith(".month") || control.name.endsWith(".year")) continue;
    values[control.name] = "money" in control.dataset ? cents(control.value) : control.value;
  }
  for (const group of $$(form, "[data-date-field]")) {
    const name = group.dataset.dateField;
    values[name] = dateValue(form, name);
  }
  return values;
}

// ---- Checking what can be checked here: the same rules as the server, from registrationRules.

function kindsOf(password) {
  return {
    lower: /\p{Ll}/u.test(password),
    upper: /\p{Lu}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    symbol: /[^\p{Ll}\p{Lu}\p{Nd}]/u.test(password),
  };
}

function passwordChecks(password, userCode, rules) {
  const kinds = kindsOf(password.normalize("NFKC"));
  const count = Object.values(kinds).filter(Boolean).length;
  const code = (userCode ?? "").normalize("NFKC").toLowerCase().trim();
  return {
    length: password.normalize("NFKC").length >= rules.passwordMinLength,
    kinds: count >= rules.passwordRequiredCharacterKinds,
    ...kinds,
    userCode: !code || !password.normalize("NFKC").toLowerCase().includes(code),
  };
}

let currentRules = null;
const knownUserCodes = new WeakMap();

export function useRules(rules) {
  currentRules = rules;
}

/** The user code a form's new password must not contain, when it is not a field of the form. */
export function setKnownUserCode(form, userCode) {
  knownUserCodes.set(form, userCode);
  updatePasswordRules(form);
}

function userCodeOf(form, list) {
  const field = list.dataset.userCode && form.elements.namedItem(list.dataset.userCode);
  return field ? field.value : knownUserCodes.get(form);
}

/** The rules under a new password, ticked as they are met. */
export function updatePasswordRules(form) {
  for (const list of $$(form, "[data-password-rules]")) {
    if (!currentRules) continue;
    const input = list.closest(".field").querySelector("input");
    const checks = passwordChecks(input.value, userCodeOf(form, list), currentRules);
    const item = (key, met, params = {}) => {
      const li = element("li", { class: met ? "met" : "unmet" });
      li.append(
        element("span", { class: "tick", "aria-hidden": "true" }, met ? "✓" : "•"),
        document.createTextNode(` ${t(`pw.${key}`, params)} `),
        element("span", { class: "visually-hidden" }, t(met ? "pw.met" : "pw.unmet")),
      );
      return li;
    };
    const kinds = item("kinds", checks.kinds, { kinds: currentRules.passwordRequiredCharacterKinds });
    const sub = element("ul");
    sub.append(...["lower", "upper", "digit", "symbol"].map((key) => item(key, checks[key])));
    kinds.append(sub);
    list.replaceChildren(
      element("li", { class: "title" }, t("pw.title")),
      item("length", checks.length, { min: currentRules.passwordMinLength }),
      kinds,
      item("userCode", checks.userCode),
    );
  }
}

function isEmpty(value) {
  return value === "" || value === undefined || (typeof value === "string" && !value.trim());
}

/** Every problem that can be told without the server, all at once. */
export function checkForm(form, values) {
  const problems = [];
  const problem = (field, key, params = {}) => problems.push({ field, key, params });
  for (const control of form.elements) {
    if (!control.required || !control.name) continue;
    if (isEmpty(values[control.name])) problem(control.name, "check.required");
  }
  for (const group of $$(form, "[data-date-field]")) {
    const name = group.dataset.dateField;
    const value = values[name];
    if (value === "") problem(name, "check.required");
    else if (value === null) problem(name, "check.date");
    else if (value > new Date().toISOString().slice(0, 10)) problem(name, "check.dateFuture");
  }
  for (const control of $$(form, "input[data-money]")) {
    if (values[control.name] === null) problem(control.name, "check.money");
  }
  for (const control of $$(form, "input[inputmode=numeric][maxlength]")) {
    if (control.name.includes(".") || isEmpty(control.value)) continue;
    if (!/^\d+$/.test(control.value.trim())) problem(control.name, "check.digits");
  }
  if (currentRules) {
    for (const control of $$(form, "input[data-max]")) {
      const max = currentRules[control.dataset.max];
      if (control.value.length > max) problem(control.name, "check.tooLong", { max });
    }
    const userCode = form.querySelector("[data-rule=userCode]") && form.elements.namedItem("userCode");
    const { userCodeMinLength: min, userCodeMaxLength: max } = currentRules;
    if (userCode && !isEmpty(userCode.value) && !new RegExp(`^[A-Za-z0-9]{${min},${max}}$`).test(userCode.value.trim())) {
      problem("userCode", "check.userCode", { min, max });
    }
    for (const list of $$(form, "[data-password-rules]")) {
      const input = list.closest(".field").querySelector("input");
      if (isEmpty(input.value)) continue;
      const checks = passwordChecks(input.value, userCodeOf(form, list), currentRules);
      if (!checks.length || !checks.kinds || !checks.userCode) problem(input.name, "check.weak");
    }
  }
  for (const confirmation of $$(form, "input[data-confirms]")) {
    const original = form.elements.namedItem(confirmation.dataset.confirms);
    if (!isEmpty(confirmation.value) && confirmation.value !== original.value) {
      problem(confirmation.name, "check.mismatch");
    }
  }
  return problems;
}

// ---- Showing errors. ----

function slotFor(form, field) {
  return field ? form.querySelector(`[data-error-for="${CSS.escape(field)}"]`) : null;
}

/** What a field is called on screen, for messages that name it. */
function fieldLabel(form, field) {
  const holder = slotFor(form, field)?.closest(".field, fieldset");
  const text = holder?.querySelector("label, legend")?.textContent ?? "";
  return text || field;
}

/** The input to focus for a field: itself, or the first part of a date. */
function controlFor(form, field) {
  const control = field && form.elements.namedItem(field);
  if (control && control.id) return control;
  return slotFor(form, field)?.closest(".field, fieldset")?.querySelector("input, select") ?? null;
}

/**
 * An error in the page's language: the client's own text (client checks), the server's message
 * while the page is in the language it was asked in, else the client's text for its code.
 */
function messageOf(form, error) {
  const params = { ...error.params, field: fieldLabel(form, error.field) };
  if (error.key) return t(error.key, params);
  if (error.message && error.lang === language()) return error.message;
  const key = error.attemptsLeft === 1 ? `code.${error.code}.last` : `code.${error.code}`;
  if (!has(key)) return error.message;
  return t(key, { ...params, wait: inWords(error.retryAfter ?? 60) });
}

const shown = new WeakMap();

export function clearErrors(form) {
  shown.delete(form);
  for (const slot of $$(form, "[data-error-for]")) slot.replaceChildren();
  for (const input of $$(form, "[aria-invalid]")) input.removeAttribute("aria-invalid");
  summaryOf(form).replaceChildren();
}

function summaryOf(form) {
  return form.querySelector("[data-form-errors]") ?? form.parentElement.querySelector("[data-form-errors]");
}

/** Errors from the server, marked with the language their messages are in. */
export function fromServer(errors) {
  return errors.map((error) => ({ ...error, lang: language() }));
}

/**
 * Shows each error next to its field and all of them in the summary at the top, which gets
 * the focus: its count is the number of problems listed and each item links to its field.
 * `actions` add a next step to the errors of a code (a link to the reset, say).
 */
export function showErrors(form, errors, { focus = true } = {}) {
  clearErrors(form);
  shown.set(form, errors);
  const summary = summaryOf(form);
  const items = [];
  for (const error of inPageOrder(form, errors)) {
    const message = messageOf(form, error);
    const slot = slotFor(form, error.field);
    const control = controlFor(form, error.field);
    const item = element("li");
    if (slot) {
      slot.append(element("span", {}, message));
      control?.setAttribute("aria-invalid", "true");
      for (const part of slot.closest("fieldset.date")?.querySelectorAll("input, select") ?? []) {
        part.setAttribute("aria-invalid", "true");
      }
    }
    if (slot && control) {
      item.append(element("a", { href: `#${control.id}`, "data-focus": control.id }, message));
    } else {
      item.textContent = message;
    }
    for (const action of error.actions ?? []) {
      const link = element("a", { href: action.href, "data-nav": "" }, t(action.key));
      if (action.carry) link.dataset.carry = action.carry;
      item.append(" ", link);
    }
    items.push(item);
  }
  const list = element("ul");
  list.append(...items);
  summary.replaceChildren(element("h2", {}, t("error.summary", { count: items.length })), list);
  if (focus) summary.focus();
}

/** Errors in the order of their fields on the page; those of no field first. */
function inPageOrder(form, errors) {
  const position = (error) => {
    const slot = slotFor(form, error.field);
    return slot ? [...form.querySelectorAll("[data-error-for]")].indexOf(slot) : -1;
  };
  return [...errors].sort((a, b) => position(a) - position(b));
}

/** The errors on screen again, in the language just chosen. */
export function rerenderErrors(form) {
  const errors = shown.get(form);
  if (errors) showErrors(form, errors, { focus: false });
}

/** A problem with the whole request (network, server), shown in the form's summary. */
export function showFailure(form, message) {
  clearErrors(form);
  const summary = summaryOf(form);
  summary.replaceChildren(element("p", {}, message));
  summary.focus();
}
