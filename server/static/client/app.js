// The reference web client: the secure-site steps of the insurer's help page, one view each.
import * as api from "./api.js";
import { ApiError, graphql } from "./api.js";
import { clearErrors, formValues, missingFields, showErrors, showFailure } from "./forms.js";
import { formatDate, label, otherLanguage, setLanguage, t, translatePage } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const state = {
  view: null,
  rules: null, // registrationRules, for the rules shown beside the fields
  files: [], // the files to choose from
  agreement: null, // the version shown, to accept
  viewer: null, // the signed-in member, for the home page
  recovery: null, // {userCode, dateOfBirth} between the memory aid and the reset
};

// Views that need a session show the sign-out button; each may redraw in a new language.
const SIGNED_IN = new Set(["files", "agreement", "home"]);
const REDRAW = {
  register: renderRules,
  reset: renderRules,
  files: renderFiles,
  agreement: loadAgreement,
  home: renderHome,
};

function show(name, { notice = "", focus = true } = {}) {
  for (const view of document.querySelectorAll("[data-view]")) {
    view.hidden = view.id !== `view-${name}`;
  }
  $("loading").hidden = true;
  $("sign-out").hidden = !SIGNED_IN.has(name);
  $("notice").textContent = notice;
  state.view = name;
  if (focus) {
    document.querySelector(`#view-${name} h1`).focus();
  }
}

/** What to tell the member when a request failed as a whole; other errors are bugs. */
function failure(error) {
  if (!(error instanceof ApiError)) throw error;
  return t(error.kind === "network" ? "error.network" : "error.unexpected");
}

/** Runs an action started by a click; a failed request shows in the page's notice. */
function act(action) {
  return () =>
    action().catch((error) => {
      $("notice").textContent = failure(error);
    });
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- Where a session stands decides the next view (R11, R12). ----

async function route(session) {
  if (session.status === "FILE_SELECTION_REQUIRED") {
    renderFiles();
    show("files");
  } else if (session.status === "AGREEMENT_REQUIRED") {
    await loadAgreement();
    show("agreement");
  } else {
    await loadHome();
  }
}

function signedOut(notice) {
  state.files = [];
  state.viewer = null;
  state.agreement = null;
  show("sign-in", { notice });
}

/** A session-bound step answered AUTHENTICATION_REQUIRED: the session has ended. */
function sessionEnded(errors) {
  if (errors.some((error) => error.code === "AUTHENTICATION_REQUIRED")) {
    signedOut(t("signIn.expired"));
    return true;
  }
  return false;
}

// ---- Forms: one submit handler each, with the request's failures shown in the form. ----

function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await handler(formValues(form));
    } catch (error) {
      showFailure(form, failure(error));
    } finally {
      button.disabled = false;
    }
  });
}

onSubmit($("sign-in-form"), async (values) => {
  const form = $("sign-in-form");
  const { signIn } = await graphql(api.SIGN_IN, { input: { ...values, channel: "WEB" } });
  if (signIn.errors.length) {
    showErrors(form, signIn.errors);
    return;
  }
  form.reset();
  clearErrors(form);
  state.files = signIn.insuranceFiles;
  await route(signIn.session);
});

onSubmit($("register-form"), async (values) => {
  const form = $("register-form");
  const missing = missingFields(form, ["dateOfBirth"]);
  if (missing.length) {
    showErrors(form, missing);
    return;
  }
  const { register } = await graphql(api.REGISTER, { input: { ...values, channel: "WEB" } });
  if (register.errors.length) {
    showErrors(form, register.errors);
    return;
  }
  form.reset();
  clearErrors(form);
  $("confirmation-user-code").textContent = register.userCode;
  show("confirmation");
});

onSubmit($("hint-form"), async (values) => {
  const form = $("hint-form");
  const missing = missingFields(form, ["dateOfBirth"]);
  if (missing.length) {
    showErrors(form, missing);
    return;
  }
  const { passwordHint } = await graphql(api.HINT, { input: values });
  if (passwordHint.errors.length) {
    showErrors(form, passwordHint.errors);
    return;
  }
  clearErrors(form);
  state.recovery = values;
  $("hint-text").textContent = passwordHint.hint;
  $("hint-result").hidden = false;
  $("hint-text").focus();
});

onSubmit($("reset-form"), async (values) => {
  const form = $("reset-form");
  const { resetPassword } = await graphql(api.RESET, {
    input: { ...state.recovery, ...values },
  });
  if (resetPassword.errors.length) {
    showErrors(form, resetPassword.errors);
    return;
  }
  form.reset();
  clearErrors(form);
  $("sign-in-userCode").value = state.recovery.userCode;
  state.recovery = null;
  signedOut(t("reset.done"));
});

// ---- Registration rules, from the server (R3-R6). ----

async function loadRules() {
  if (!state.rules) {
    state.rules = (await graphql(api.RULES)).registrationRules;
  }
  renderRules();
}

function renderRules() {
  const rules = state.rules;
  if (!rules) return;
  const texts = {
    userCode: t("rule.userCode", { min: rules.userCodeMinLength, max: rules.userCodeMaxLength }),
    password: t("rule.password", {
      min: rules.passwordMinLength,
      kinds: rules.passwordRequiredCharacterKinds,
    }),
    passwordHint: t("rule.passwordHint", { max: rules.passwordHintMaxLength }),
    mothersFirstName: t("rule.mothersFirstName", { max: rules.mothersFirstNameMaxLength }),
  };
  for (const rule of document.querySelectorAll("[data-rule]")) {
    rule.textContent = texts[rule.dataset.rule];
  }
}

// ---- Choosing a file, with its "i" details (R11). ----

function fileInfo(file) {
  const info = file.info;
  const list = element("dl", "details");
  const add = (term, value) => list.append(element("dt", "", term), element("dd", "", value));
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

function renderFiles() {
  const template = $("file-template");
  const items = state.files.map((file) => {
    const item = template.content.firstElementChild.cloneNode(true);
    const panel = item.querySelector(".file-info");
    const info = item.querySelector(".info");
    panel.id = `file-info-${file.id}`;
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
    item.querySelector(".file-choose").addEventListener("click", () => chooseFile(file));
    return item;
  });
  $("file-list").replaceChildren(...items);
  translatePage($("file-list"));
}

async function chooseFile(file) {
  const errors = $("files-errors");
  errors.replaceChildren();
  try {
    const { selectInsuranceFile } = await graphql(api.SELECT_FILE, { fileId: file.id });
    if (sessionEnded(selectInsuranceFile.errors)) return;
    if (selectInsuranceFile.errors.length) {
      errors.textContent = selectInsuranceFile.errors.map((error) => error.message).join(" ");
      return;
    }
    await route(selectInsuranceFile.session);
  } catch (error) {
    errors.textContent = failure(error);
  }
}

// ---- The usage agreement (R12). ----

async function loadAgreement() {
  const { usageAgreement } = await graphql(api.AGREEMENT);
  state.agreement = usageAgreement;
  $("agreement-title").textContent = usageAgreement.title;
  $("agreement-version").textContent = t("agreement.version", {
    version: usageAgreement.version,
  });
  // The body is plain text; one paragraph per line, never parsed as HTML.
  const lines = usageAgreement.body.split("\n").filter((line) => line.trim());
  $("agreement-body").replaceChildren(...lines.map((line) => element("p", "", line)));
}

async function acceptAgreement() {
  const errors = $("agreement-errors");
  errors.replaceChildren();
  try {
    const { acceptUsageAgreement } = await graphql(api.ACCEPT, {
      version: state.agreement.version,
    });
    if (sessionEnded(acceptUsageAgreement.errors)) return;
    if (acceptUsageAgreement.errors.length) {
      // A newer version was published meanwhile: show it, with why.
      await loadAgreement();
      errors.textContent = acceptUsageAgreement.errors.map((error) => error.message).join(" ");
      return;
    }
    await route(acceptUsageAgreement.session);
  } catch (error) {
    errors.textContent = failure(error);
  }
}

// ---- Home for the chosen file. ----

async function loadHome() {
  const { viewer } = await graphql(api.VIEWER);
  if (!viewer) {
    signedOut(t("signIn.expired"));
    return;
  }
  state.viewer = viewer;
  renderHome();
  show("home");
}

function renderHome() {
  const { profile, session } = state.viewer;
  const file = session.selectedFile;
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
}

async function signOut() {
  await graphql(api.SIGN_OUT);
  signedOut(t("signIn.signedOut"));
}

// ---- Navigation, language, start. ----

async function go(name) {
  if (name === "register" || name === "reset") await loadRules();
  if (name === "forgot") {
    $("hint-result").hidden = true;
    $("hint-userCode").value ||= $("sign-in-userCode").value;
  }
  show(name);
}

async function switchLanguage() {
  setLanguage(otherLanguage());
  translatePage();
  await REDRAW[state.view]?.();
}

async function start() {
  translatePage();
  for (const button of document.querySelectorAll("[data-go]")) {
    button.addEventListener(
      "click",
      act(() => go(button.dataset.go)),
    );
  }
  $("language").addEventListener("click", act(switchLanguage));
  $("sign-out").addEventListener("click", act(signOut));
  $("agreement-accept").addEventListener("click", acceptAgreement);
  $("agreement-decline").addEventListener("click", act(signOut));
  $("hint-reset").addEventListener(
    "click",
    act(() => go("reset")),
  );
  $("confirmation-continue").addEventListener("click", () => {
    $("sign-in-userCode").value = $("confirmation-user-code").textContent;
    show("sign-in");
  });

  // A session cookie from earlier in this browser may still be good: resume where it stands.
  try {
    const { viewer } = await graphql(api.VIEWER);
    if (viewer) {
      state.files = viewer.insuranceFiles;
      await route(viewer.session);
      return;
    }
  } catch (error) {
    $("notice").textContent = failure(error);
  }
  show("sign-in", { notice: $("notice").textContent, focus: false });
}

start();
