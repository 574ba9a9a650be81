// The reference web client: every step of the insurer's help page and the claims, one view
// and one URL each (history API), so that Back, Forward and a reload work as on any site.
import * as api from "./api.js";
import { ApiError, graphql } from "./api.js";
import * as claims from "./claims.js";
import {
  checkForm,
  clearErrors,
  enhanceForm,
  formValues,
  fromServer,
  renderMonths,
  rerenderErrors,
  setKnownUserCode,
  showErrors,
  showFailure,
  updatePasswordRules,
  useRules,
} from "./forms.js";
import {
  formatDate,
  formatDateTime,
  inWords,
  label,
  otherLanguage,
  setLanguage,
  t,
  translatePage,
} from "./i18n.js";

const $ = (id) => document.getElementById(id);
const BRAND = document.body.dataset.brand;

export const state = {
  rules: null, // registrationRules, for the rules shown beside the fields
  viewer: null, // the signed-in member: profile, session, files
  agreement: null, // the version shown, to accept
  recovery: null, // {userCode, dateOfBirth} between the memory aid and the reset
  notice: null, // {key, params} shown once on the next view
  returnTo: null, // where a signed-out member was going, for after the sign-in
  prefill: null, // a user code to put in the sign-in form
  security: null, // sessions and security events, for the security page
  checkedSession: false, // whether the first page asked for a session left in the cookie
};

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Navigation: one URL per step. ----

const PATH_OF_STATUS = {
  FILE_SELECTION_REQUIRED: "/files",
  AGREEMENT_REQUIRED: "/agreement",
  ACTIVE: "/home",
};

const ROUTES = {
  "/": { view: "sign-in", title: "signIn.title", enter: enterSignIn },
  "/register": { view: "register", title: "register.title", enter: loadRules },
  "/register/done": { view: "confirmation", title: "confirmation.title", enter: enterConfirmation },
  "/link": { view: "link", title: "link.title" },
  "/forgot": { view: "forgot", title: "forgot.title", enter: enterForgot },
  "/reset": { view: "reset", title: "reset.title", enter: enterReset },
  "/ended": { view: "ended", title: "ended.title", enter: enterEnded },
  "/terms": { view: "terms", title: "terms.title", enter: loadTerms },
  "/privacy": { view: "privacy", title: "privacy.title" },
  "/accessibility": { view: "accessibility", title: "accessibility.title" },
  "/files": { view: "files", title: "files.title", access: "session", enter: drawFiles },
  "/agreement": { view: "agreement", title: "agreement.title", access: "session", enter: loadAgreement },
  "/home": { view: "home", title: "home.title", access: "active", enter: drawHome },
  "/security": { view: "security", title: "security.title", access: "active", enter: loadSecurity, draw: drawSecurity },
  "/password": { view: "password", title: "password.title", access: "active", enter: enterPassword },
  "/claims/new": { view: "claim", title: "claim.title", access: "active", enter: claims.enterClaim, draw: claims.drawClaim },
  "/claims/sent": { view: "claim-sent", title: "claimSent.title", access: "active", enter: claims.enterClaimSent, draw: claims.drawClaimSent },
  "/claims": { view: "claims", title: "claims.title", access: "active", enter: claims.enterClaims, draw: claims.drawClaims },
  "/deposit": { view: "deposit", title: "deposit.title", access: "active", enter: claims.enterDeposit, draw: claims.drawDeposit },
  "/card": { view: "card", title: "card.title", access: "active", enter: claims.enterCard, draw: claims.drawCard },
};
const NOT_FOUND = { view: "not-found", title: "notFound.title" };

function currentPath() {
  return location.pathname.replace(/\/+$/, "") || "/";
}

function currentRoute() {
  return ROUTES[currentPath()] ?? NOT_FOUND;
}

/** Goes to `path` as a new history entry (or in place of this one), then shows it. */
export async function navigate(path, { replace = false, state: entry = null, notice = null } = {}) {
  if (notice) state.notice = notice;
  history[replace ? "replaceState" : "pushState"](entry, "", path);
  await render();
}

/** Thrown by a step's `enter` that sent the member elsewhere: the step itself is not shown. */
class Redirected extends Error {}

export async function redirect(path, options = {}) {
  await navigate(path, { ...options, replace: true });
  throw new Redirected(path);
}

let rendering = 0;

async function render({ focus = true } = {}) {
  const ticket = ++rendering;
  const route = currentRoute();
  try {
    if (route.access) await admit(route);
    await route.enter?.();
  } catch (error) {
    if (error instanceof Redirected) return;
    if (!handled(error)) throw error;
    return;
  }
  if (ticket !== rendering) return; // a later navigation took over
  show(route, focus);
}

function show(route, focus) {
  for (const view of document.querySelectorAll("[data-view]")) {
    view.hidden = view.id !== `view-${route.view}`;
  }
  $("loading").hidden = true;
  const inside = Boolean(state.viewer) && route.access !== undefined;
  $("sign-out").hidden = !inside;
  drawFileBar(inside && route.view !== "files");
  notify(state.notice);
  state.notice = null;
  document.title = `${t(route.title)} – ${BRAND}`;
  if (focus) document.querySelector(`#view-${route.view} h1`).focus();
}

/** A step behind the sign-in: the session decides whether it may be shown (R11, R12). */
async function admit(route) {
  if (!state.viewer) {
    const { viewer } = await graphql(api.VIEWER);
    if (!viewer && hadSession()) {
      signedOutLocally();
      await redirect("/ended", { state: { why: "ended.elsewhere" } });
    }
    if (!viewer) {
      state.returnTo = currentPath();
      await redirect("/");
    }
    signedIn(viewer);
  }
  const status = state.viewer.session.status;
  const path = currentPath();
  if (status !== "ACTIVE" && path !== "/files" && path !== PATH_OF_STATUS[status]) {
    await redirect(PATH_OF_STATUS[status]);
  }
  if (path === "/agreement" && status === "ACTIVE") await redirect("/home");
}

// ---- The session: kept while the member is active, ended clearly when it is not. ----

const idle = { deadline: 0, window: 0, warn: null, end: null, clockOffset: 0 };
const WARN_BEFORE_MS = 120_000;
// The gateway records a session's activity at most once a minute: the estimate keeps that slack.
const TOUCH_SLACK_MS = 60_000;

api.onAnswer((serverNow) => {
  if (serverNow) idle.clockOffset = serverNow - Date.now();
  if (state.viewer && idle.window) arm(Date.now() + idle.window - TOUCH_SLACK_MS);
});

function sessionSeen(session) {
  const remaining = Date.parse(session.expiresAt) - (Date.now() + idle.clockOffset);
  idle.window = Math.max(idle.window, remaining);
  idle.deadline = 0;
  arm(Date.now() + remaining);
}

function arm(deadline) {
  if (deadline <= idle.deadline) return;
  idle.deadline = deadline;
  clearTimeout(idle.warn);
  clearTimeout(idle.end);
  idle.warn = setTimeout(warnIdle, Math.max(0, deadline - WARN_BEFORE_MS - Date.now()));
  idle.end = setTimeout(endIdle, Math.max(0, deadline - 5_000 - Date.now()));
}

function disarm() {
  clearTimeout(idle.warn);
  clearTimeout(idle.end);
  Object.assign(idle, { deadline: 0, window: 0 });
  if ($("idle-dialog").open) $("idle-dialog").close();
}

function warnIdle() {
  const dialog = $("idle-dialog");
  $("idle-text").textContent = t("idle.text", {
    when: inWords((idle.deadline - Date.now()) / 1000),
  });
  if (!dialog.open) dialog.showModal();
}

async function endIdle() {
  disarm();
  try {
    await graphql(api.SIGN_OUT);
  } catch {
    // The session ends on the server by itself; the member is told here either way.
  }
  sessionEnded("ended.idle");
}

async function stayConnected() {
  $("idle-dialog").close();
  try {
    const { viewer } = await graphql(api.VIEWER);
    if (!viewer) return sessionEnded("ended.elsewhere");
    signedIn(viewer);
  } catch (error) {
    handled(error);
  }
}

// Whether this tab had a session: not the session itself (an HttpOnly cookie), only what lets
// a reload after the session ended say so rather than show the sign-in page without a word.
const HAD_SESSION = "hadSession";

function hadSession() {
  try {
    return sessionStorage.getItem(HAD_SESSION) === "1";
  } catch {
    return false;
  }
}

function rememberSession(had) {
  try {
    if (had) sessionStorage.setItem(HAD_SESSION, "1");
    else sessionStorage.removeItem(HAD_SESSION);
  } catch {
    // Storage refused: a reload after the session ended shows the sign-in page.
  }
}

export function signedIn(viewer) {
  state.viewer = viewer;
  rememberSession(true);
  sessionSeen(viewer.session);
}

function signedOutLocally() {
  rememberSession(false);
  disarm();
  state.viewer = null;
  state.security = null;
  claims.forget();
}

/** The gateway no longer knows the session: say so on a page of its own. */
export function sessionEnded(why = "ended.elsewhere") {
  signedOutLocally();
  navigate("/ended", { replace: true, state: { why } });
}

let shownNotice = null;

/** The page's notice, kept as a key so that it follows a change of language. */
export function notify(notice) {
  shownNotice = notice;
  $("notice").textContent = notice ? t(notice.key, notice.params) : "";
}

/** A request that failed as a whole: the session ended, or a notice for the member. */
export function handled(error) {
  if (!(error instanceof ApiError)) return false;
  if (error.kind === "unauthenticated") {
    sessionEnded();
    return true;
  }
  notify({ key: failureKey(error) });
  $("loading").hidden = true;
  return true;
}

function failureKey(error) {
  if (!(error instanceof ApiError)) throw error;
  return error.kind === "network" ? "error.network" : "error.unexpected";
}

export function failureText(error) {
  return t(failureKey(error));
}

/** Errors of a signed-in step: true when one says the session is gone (then it is handled). */
export function endedBy(errors) {
  if (errors.some((error) => error.code === "AUTHENTICATION_REQUIRED")) {
    sessionEnded();
    return true;
  }
  return false;
}

function enterEnded() {
  signedOutLocally();
  $("ended-why").textContent = t(history.state?.why ?? "ended.elsewhere");
}

async function afterSignIn(session) {
  state.viewer = null;
  const { viewer } = await graphql(api.VIEWER);
  if (!viewer) return sessionEnded();
  signedIn(viewer);
  const wanted = state.returnTo;
  state.returnTo = null;
  const path = session.status === "ACTIVE" && wanted ? wanted : PATH_OF_STATUS[session.status];
  await navigate(path, { replace: true });
}

async function signOut() {
  try {
    await graphql(api.SIGN_OUT);
  } finally {
    signedOutLocally();
  }
  await navigate("/", { replace: true, notice: { key: "signIn.signedOut" } });
}

// ---- Forms: one submit handler each, failures of the request shown in the form. ----

/** `extraChecks(values)` adds problems only the step knows of (receipts still sending, say),
 * so that every problem of the form is shown in the same round. */
export function onSubmit(form, handler, extraChecks = () => []) {
  enhanceForm(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    try {
      const values = formValues(form);
      const problems = [...checkForm(form, values), ...extraChecks(values)];
      if (problems.length) {
        showErrors(form, problems);
        return;
      }
      await handler(values, form);
    } catch (error) {
      if (error instanceof Redirected) return;
      if (error instanceof ApiError && error.kind === "unauthenticated") {
        sessionEnded();
        return;
      }
      showFailure(form, failureText(error));
    } finally {
      button.disabled = false;
    }
  });
}

/** The next steps offered beside some errors (R9, R14). */
function withActions(errors, form) {
  return fromServer(errors).map((error) => {
    const actions = [];
    if (error.code === "USER_CODE_TAKEN") {
      actions.push({ href: "/link", key: "action.link", carry: form.id });
    } else if (error.code === "CERTIFICATE_ALREADY_REGISTERED") {
      actions.push({ href: "/", key: "action.signIn" }, { href: "/forgot", key: "action.forgot" });
    } else if (error.code === "ACCOUNT_LOCKED" || error.attemptsLeft === 1) {
      actions.push({ href: "/forgot", key: "action.reset" });
    }
    return { ...error, actions };
  });
}

export function done(form) {
  form.reset();
  clearErrors(form);
  updatePasswordRules(form);
}

onSubmit($("sign-in-form"), async (values, form) => {
  const { signIn } = await graphql(api.SIGN_IN, { input: { ...values, channel: "WEB" } });
  if (signIn.errors.length) return showErrors(form, withActions(signIn.errors, form));
  done(form);
  await afterSignIn(signIn.session);
});

onSubmit($("register-form"), async (values, form) => {
  const { register } = await graphql(api.REGISTER, { input: { ...values, channel: "WEB" } });
  if (register.errors.length) return showErrors(form, withActions(register.errors, form));
  done(form);
  await navigate("/register/done", { state: { userCode: register.userCode } });
});

onSubmit($("link-form"), async (values, form) => {
  const { linkExistingCredentials: linked } = await graphql(api.LINK, {
    input: { ...values, channel: "WEB" },
  });
  if (linked.errors.length) return showErrors(form, withActions(linked.errors, form));
  done(form);
  state.notice = { key: "link.done" };
  await afterSignIn(linked.session);
});

onSubmit($("hint-form"), async (values, form) => {
  const { passwordHint } = await graphql(api.HINT, { input: values });
  if (passwordHint.errors.length) return showErrors(form, withActions(passwordHint.errors, form));
  clearErrors(form);
  state.recovery = values;
  $("hint-text").textContent = passwordHint.hint;
  $("hint-result").hidden = false;
  $("hint-text").focus();
});

onSubmit($("reset-form"), async (values, form) => {
  const { resetPassword } = await graphql(api.RESET, { input: { ...state.recovery, ...values } });
  if (resetPassword.errors.length) return showErrors(form, fromServer(resetPassword.errors));
  done(form);
  state.prefill = state.recovery.userCode;
  state.recovery = null;
  await navigate("/", { replace: true, notice: { key: "reset.done" } });
});

onSubmit($("password-form"), async (values, form) => {
  const { changePassword } = await graphql(api.CHANGE_PASSWORD, { input: values });
  if (endedBy(changePassword.errors)) return;
  if (changePassword.errors.length) return showErrors(form, fromServer(changePassword.errors));
  done(form);
  await navigate("/home", { notice: { key: "password.done" } });
});

// ---- Steps before the sign-in. ----

async function enterSignIn() {
  if (state.viewer === null && !state.checkedSession) {
    // A session cookie from earlier in this browser may still be good: resume where it stands.
    state.checkedSession = true;
    const { viewer } = await graphql(api.VIEWER);
    if (viewer) {
      signedIn(viewer);
      await redirect(PATH_OF_STATUS[viewer.session.status]);
    }
  } else if (state.viewer) {
    await redirect(PATH_OF_STATUS[state.viewer.session.status]);
  }
  if (state.prefill) {
    $("sign-in-userCode").value = state.prefill;
    state.prefill = null;
  }
}

async function loadRules() {
  if (!state.rules) {
    state.rules = (await graphql(api.RULES)).registrationRules;
    useRules(state.rules);
  }
  drawRules();
}

function drawRules() {
  const rules = state.rules;
  if (!rules) return;
  const texts = {
    userCode: t("rule.userCode", { min: rules.userCodeMinLength, max: rules.userCodeMaxLength }),
    passwordHint: t("rule.passwordHint", { max: rules.passwordHintMaxLength }),
    mothersFirstName: t("rule.mothersFirstName", { max: rules.mothersFirstNameMaxLength }),
  };
  for (const rule of document.querySelectorAll("[data-rule]")) {
    rule.textContent = texts[rule.dataset.rule];
  }
  for (const form of document.forms) updatePasswordRules(form);
}

async function enterConfirmation() {
  const userCode = history.state?.userCode;
  if (!userCode) await redirect("/register");
  $("confirmation-user-code").textContent = userCode;
  state.prefill = userCode;
}

function enterForgot() {
  $("hint-result").hidden = state.recovery === null;
  const userCode = $("hint-userCode");
  userCode.value ||= $("sign-in-userCode").value;
}

async function enterReset() {
  if (!state.recovery) await redirect("/forgot");
  await loadRules();
  setKnownUserCode($("reset-form"), state.recovery.userCode);
}

async function loadTerms() {
  const { usageAgreement } = await graphql(api.AGREEMENT);
  drawAgreement(usageAgreement, "terms");
}

/** Copies what the member typed into another form (registration to linking, say). */
function carry(fromId, toId) {
  const from = $(fromId);
  const to = $(toId);
  for (const control of from.elements) {
    const target = control.name && to.elements.namedItem(control.name);
    if (target && target.type !== "password" && control.value && !target.value) {
      target.value = control.value;
    }
  }
}

// ---- Choosing a file, with its « i » details (R11). ----

function fileInfo(file) {
  const info = file.info;
  const list = element("dl", "details");
  const add = (term, value) => {
    const row = element("div");
    row.append(element("dt", "", term), element("dd", "", value));
    list.append(row);
  };
  const coverages = info.coverages.map(({ benefit, tier }) =>
    tier ? `${label("benefit", benefit)} (${label("tier", tier)})` : label("benefit", benefit),
  );
  const features = info.onlineFeatures.map((feature) => label("feature", feature));
  add(t("info.member"), info.memberName);
  add(t("info.productLine"), label("productLine", file.productLine));
  add(t("info.status"), label("status", file.status));
  add(t("info.effective"), formatDate(info.effectiveDate));
  if (info.terminationDate) add(t("info.termination"), formatDate(info.terminationDate));
  add(t("info.coverages"), coverages.join(", ") || t("info.noCoverage"));
  add(t("info.features"), features.join(", ") || t("info.noFeature"));
  return list;
}

function drawFiles() {
  const template = $("file-template");
  const selected = state.viewer.session.selectedFile?.id;
  const items = state.viewer.insuranceFiles.map((file) => {
    const item = template.content.firstElementChild.cloneNode(true);
    const panel = item.querySelector(".file-info");
    const info = item.querySelector(".info");
    const choose = item.querySelector(".file-choose");
    panel.id = `file-info-${file.id.replace(/\W/g, "")}`;
    item.querySelector(".file-plan").textContent = file.planName;
    item.querySelector(".file-sponsor").textContent = file.sponsorName;
    item.querySelector(".file-numbers").textContent = t("files.numbers", {
      contract: file.contractNumber,
      certificate: file.certificateNumber,
    });
    info.setAttribute("aria-controls", panel.id);
    info.setAttribute("aria-label", t("files.details", { plan: file.planName }));
    info.addEventListener("click", () => {
      const open = info.getAttribute("aria-expanded") !== "true";
      info.setAttribute("aria-expanded", String(open));
      panel.hidden = !open;
    });
    panel.append(fileInfo(file));
    choose.textContent = file.id === selected ? t("files.current") : t("files.choose");
    choose.setAttribute("aria-label", t("files.chooseNamed", { plan: file.planName }));
    choose.addEventListener("click", () => chooseFile(file));
    return item;
  });
  $("file-list").replaceChildren(...items);
}

async function chooseFile(file) {
  const errors = $("files-errors");
  errors.replaceChildren();
  try {
    const { selectInsuranceFile: chosen } = await graphql(api.SELECT_FILE, { fileId: file.id });
    if (endedBy(chosen.errors)) return;
    if (chosen.errors.length) {
      errors.textContent = chosen.errors.map((error) => error.message).join(" ");
      return;
    }
    state.viewer.session = chosen.session;
    claims.forget();
    await navigate(PATH_OF_STATUS[chosen.session.status]);
  } catch (error) {
    if (!(error instanceof Redirected) && !handled(error)) throw error;
  }
}

function drawFileBar(visible) {
  const file = state.viewer?.session.selectedFile;
  $("file-bar").hidden = !(visible && file);
  if (!file) return;
  $("file-bar-name").textContent = `${file.planName} (${file.contractNumber})`;
  $("file-bar-change").hidden = state.viewer.insuranceFiles.length < 2;
}

// ---- The usage agreement (R12). ----

async function loadAgreement() {
  const { usageAgreement } = await graphql(api.AGREEMENT);
  state.agreement = usageAgreement;
  drawAgreement(usageAgreement, "agreement");
}

function drawAgreement(agreement, prefix) {
  $(`${prefix}-name`).textContent = agreement.title;
  $(`${prefix}-version`).textContent = t("agreement.version", { version: agreement.version });
  // The body is plain text; one paragraph per line, never parsed as HTML.
  const lines = agreement.body.split("\n").filter((line) => line.trim());
  $(`${prefix}-body`).replaceChildren(...lines.map((line) => element("p", "", line)));
}

async function acceptAgreement() {
  const errors = $("agreement-errors");
  errors.replaceChildren();
  try {
    const { acceptUsageAgreement: accepted } = await graphql(api.ACCEPT, {
      version: state.agreement.version,
    });
    if (endedBy(accepted.errors)) return;
    if (accepted.errors.length) {
      // A newer version was published meanwhile: show it, with why.
      await loadAgreement();
      errors.textContent = accepted.errors.map((error) => error.message).join(" ");
      errors.focus();
      return;
    }
    state.viewer.session = accepted.session;
    await navigate(PATH_OF_STATUS[accepted.session.status], { replace: true });
  } catch (error) {
    if (!(error instanceof Redirected) && !handled(error)) throw error;
  }
}

// ---- Home: the file's online services as actions (R13). ----

function tile(href, key) {
  const item = element("li");
  const link = element("a", "tile");
  link.href = href;
  link.dataset.nav = "";
  link.append(element("strong", "", t(`tile.${key}`)), element("span", "", t(`tile.${key}Text`)));
  item.append(link);
  return item;
}

function drawHome() {
  const { profile, session, insuranceFiles } = state.viewer;
  const file = session.selectedFile;
  const features = new Set(file.info.onlineFeatures);
  $("home-title").textContent = t("home.greeting", { name: profile.firstName });
  $("home-file").replaceChildren(
    element("h3", "", file.planName),
    element("p", "", file.sponsorName),
    element(
      "p",
      "muted",
      t("files.numbers", { contract: file.contractNumber, certificate: file.certificateNumber }),
    ),
    fileInfo(file),
  );
  const services = [];
  if (claims.claimFeatures(file).length) services.push(tile("/claims/new", "claim"));
  if (features.has("CLAIMS_HISTORY")) services.push(tile("/claims", "history"));
  if (features.has("DIRECT_DEPOSIT")) services.push(tile("/deposit", "deposit"));
  if (features.has("PAYMENT_CARD")) services.push(tile("/card", "card"));
  $("home-services").replaceChildren(...services);
  const missing = claims.OFFERED.filter((feature) => !features.has(feature));
  const why = [];
  if (!services.length) why.push(element("p", "", t("home.none")));
  if (missing.length) {
    const list = element("ul");
    list.append(...missing.map((feature) => element("li", "", label("feature", feature))));
    why.push(element("p", "", t("home.missing")), list, element("p", "muted", t("home.missingWhy")));
  }
  $("home-missing").replaceChildren(...why);
  const account = [tile("/security", "security"), tile("/password", "password")];
  if (insuranceFiles.length > 1) account.push(tile("/files", "files"));
  account.push(tile("/link", "link"));
  $("home-account").replaceChildren(...account);
}

// ---- Sessions and security events; the password. ----

async function loadSecurity() {
  state.security = (await graphql(api.SECURITY)).viewer;
  if (!state.security) return sessionEnded();
  drawSecurity();
}

function drawSecurity() {
  const { sessions, securityEvents } = state.security;
  $("session-list").replaceChildren(
    ...sessions.map((session) => {
      const item = element("li", "card");
      item.append(
        element("h3", "", label("channel", session.channel)),
        element("p", "", t("security.opened", { date: formatDateTime(session.createdAt) })),
        element("p", "", t("security.lastSeen", { date: formatDateTime(session.lastSeenAt) })),
      );
      if (session.clientAddress) {
        item.append(element("p", "muted", t("security.from", { address: session.clientAddress })));
      }
      if (session.userAgent) item.append(element("p", "muted small", session.userAgent));
      if (session.current) {
        item.append(element("p", "badge", t("security.current")));
      } else {
        const revoke = element("button", "secondary", t("security.revoke"));
        revoke.type = "button";
        revoke.setAttribute(
          "aria-label",
          t("security.revokeNamed", { date: formatDateTime(session.createdAt) }),
        );
        revoke.addEventListener("click", () => revokeSession(session.id));
        item.append(revoke);
      }
      return item;
    }),
  );
  const events = securityEvents.map((event) => {
    const item = element("li");
    const when = formatDateTime(event.occurredAt);
    const how = [event.channel && label("channel", event.channel), event.byStaff && t("security.byStaff")];
    item.append(
      element("strong", "", event.description),
      element("span", "muted", [when, ...how.filter(Boolean)].join(" · ")),
    );
    return item;
  });
  $("event-list").replaceChildren(...(events.length ? events : [element("li", "", t("security.noEvents"))]));
}

async function revokeSession(id) {
  const errors = $("security-errors");
  errors.replaceChildren();
  try {
    const { revokeSession: revoked } = await graphql(api.REVOKE, { id });
    if (endedBy(revoked.errors)) return;
    if (revoked.errors.length) {
      errors.textContent = revoked.errors.map((error) => error.message).join(" ");
      return;
    }
    await loadSecurity();
    notify({ key: "security.revoked" });
    document.querySelector("#view-security h1").focus();
  } catch (error) {
    if (!handled(error)) throw error;
  }
}

async function signOutEverywhere() {
  try {
    await graphql(api.SIGN_OUT_EVERYWHERE);
  } finally {
    signedOutLocally();
  }
  await navigate("/", { replace: true, notice: { key: "signIn.everywhere" } });
}

async function enterPassword() {
  await loadRules();
  setKnownUserCode($("password-form"), state.viewer.userCode);
}

// ---- Language, links, start. ----

async function switchLanguage() {
  setLanguage(otherLanguage());
  translatePage();
  renderMonths();
  drawRules();
  for (const form of document.forms) rerenderErrors(form);
  const route = currentRoute();
  const draw = route.draw ?? (route.enter && route.access ? route.enter : null);
  notify(shownNotice);
  if (["agreement", "terms", "ended"].includes(route.view)) await route.enter();
  else if (draw && state.viewer) await draw();
  drawFileBar(!$("file-bar").hidden || route.view === "home");
  document.title = `${t(route.title)} – ${BRAND}`;
}

function fillParagraphs() {
  for (const holder of document.querySelectorAll("[data-paragraphs]")) {
    const texts = t(holder.dataset.paragraphs);
    const list = Array.isArray(texts) ? texts : [texts];
    holder.replaceChildren(...list.map((text) => element("p", "", text)));
  }
}

function onLinkClick(event) {
  const link = event.target.closest("a[data-nav]");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.dataset.carry) carry(link.dataset.carry, "link-form");
  const path = new URL(link.href).pathname;
  if (path === currentPath() && !link.dataset.carry) return;
  navigate(path).catch(handled);
}

async function start() {
  claims.start();
  translatePage();
  renderMonths();
  fillParagraphs();
  document.addEventListener("click", onLinkClick);
  window.addEventListener("popstate", () => render().catch(handled));
  $("language").addEventListener("click", () => {
    switchLanguage()
      .then(fillParagraphs)
      .catch(handled);
  });
  $("sign-out").addEventListener("click", () => signOut().catch(handled));
  $("agreement-accept").addEventListener("click", acceptAgreement);
  $("agreement-decline").addEventListener("click", () => signOut().catch(handled));
  $("sign-out-everywhere").addEventListener("click", () => signOutEverywhere().catch(handled));
  $("idle-stay").addEventListener("click", stayConnected);
  $("idle-leave").addEventListener("click", () => {
    $("idle-dialog").close();
    signOut().catch(handled);
  });
  $("card-print").addEventListener("click", () => window.print());
  try {
    await render({ focus: false });
  } catch (error) {
    if (!handled(error)) throw error;
  }
}

start();
