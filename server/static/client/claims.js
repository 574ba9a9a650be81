// The plan's online services (R13, R17): claims with their receipts, the history, direct
// deposit and the payment card. A service the file's plan lacks is not offered; its address
// leads home, with why.
import * as api from "./api.js";
import { graphql, uploadReceipt } from "./api.js";
import {
  done,
  element,
  endedBy,
  failureText,
  handled,
  navigate,
  onSubmit,
  redirect,
  sessionEnded,
  state,
} from "./app.js";
import { fromServer, showErrors } from "./forms.js";
import { formatDate, formatDateTime, formatMoney, label, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export const SERVICES = {
  HEALTH: [
    "PHYSIOTHERAPY",
    "MASSAGE_THERAPY",
    "CHIROPRACTIC",
    "OSTEOPATHY",
    "PSYCHOLOGY",
    "ACUPUNCTURE",
    "NATUROPATHY",
    "SPEECH_THERAPY",
    "MEDICAL_EQUIPMENT",
    "HOSPITAL",
  ],
  DENTAL: ["DENTAL_CARE"],
  VISION: ["EYE_EXAM", "EYEGLASSES", "CONTACT_LENSES"],
};
const FEATURE_OF = { HEALTH: "HEALTH_CLAIMS", DENTAL: "DENTAL_CLAIMS", VISION: "VISION_CLAIMS" };
// The features the web client has a page for, in the order the home page lists them.
export const OFFERED = [
  "HEALTH_CLAIMS",
  "DENTAL_CLAIMS",
  "VISION_CLAIMS",
  "CLAIMS_HISTORY",
  "DIRECT_DEPOSIT",
  "PAYMENT_CARD",
];

const local = {
  persons: null,
  receipts: [], // {key, file, url, status: uploading|sent|failed|refused, progress, id, error}
  claimKey: null, // the idempotency key of the claim being written, kept across retries
  sent: null, // the claim just submitted
  claims: null, // {edges, pageInfo}
  deposit: undefined,
  card: null,
};

/** What was loaded for one file; forgotten when the file changes or the session ends. */
export function forget() {
  for (const receipt of local.receipts) URL.revokeObjectURL(receipt.url);
  Object.assign(local, {
    persons: null,
    receipts: [],
    claimKey: null,
    sent: null,
    claims: null,
    deposit: undefined,
    card: null,
  });
  $("receipt-list")?.replaceChildren();
}

function file() {
  return state.viewer.session.selectedFile;
}

function hasFeature(feature) {
  return file().info.onlineFeatures.includes(feature);
}

export function claimFeatures(selected) {
  return Object.keys(SERVICES).filter((category) =>
    selected.info.onlineFeatures.includes(FEATURE_OF[category]),
  );
}

async function requireFeature(available) {
  if (!available) {
    await redirect("/home", { notice: { key: "code.FEATURE_NOT_AVAILABLE" } });
  }
}

function personName(person) {
  const name = `${person.firstName} ${person.lastName}`;
  return person.relationship === "MEMBER"
    ? t("claim.self", { name })
    : t("claim.person", { name, relationship: label("relationship", person.relationship) });
}

// ---- Submitting a claim. ----

export async function enterClaim() {
  await requireFeature(claimFeatures(file()).length > 0);
  if (!local.persons) {
    const { viewer } = await graphql(api.CLAIM_FORM);
    if (!viewer) return sessionEnded();
    local.persons = viewer.insuredPersons;
  }
  drawClaim();
}

export function drawClaim() {
  const patient = $("claim-patientId");
  const chosenPatient = patient.value;
  patient.replaceChildren(
    new Option(t("claim.choose"), ""),
    ...(local.persons ?? []).map((person) => new Option(personName(person), person.id)),
  );
  patient.value = chosenPatient;
  const service = $("claim-serviceType");
  const chosenService = service.value;
  const groups = claimFeatures(file()).map((category) => {
    const group = element("optgroup");
    group.label = label("category", category);
    group.append(...SERVICES[category].map((type) => new Option(label("service", type), type)));
    return group;
  });
  service.replaceChildren(new Option(t("claim.choose"), ""), ...groups);
  service.value = chosenService;
  drawReceipts();
}

function receiptKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function addReceipts(files) {
  for (const chosen of files) {
    const receipt = {
      key: receiptKey(),
      file: chosen,
      url: chosen.type.startsWith("image/") ? URL.createObjectURL(chosen) : null,
      status: "uploading",
      progress: 0,
      id: null,
      error: null,
    };
    local.receipts.push(receipt);
    send(receipt);
  }
  drawReceipts();
}

async function send(receipt) {
  Object.assign(receipt, { status: "uploading", progress: 0, error: null });
  drawReceipts();
  try {
    const payload = await uploadReceipt(receipt.file, (progress) => {
      receipt.progress = progress;
      const bar = document.querySelector(`[data-receipt="${receipt.key}"] progress`);
      if (bar) bar.value = Math.round(progress * 100);
    });
    if (endedBy(payload.errors)) return;
    if (payload.errors.length) {
      Object.assign(receipt, { status: "refused", error: fromServer(payload.errors)[0] });
    } else {
      Object.assign(receipt, { status: "sent", id: payload.receipt.id });
    }
  } catch (error) {
    if (error.kind === "unauthenticated") return sessionEnded();
    Object.assign(receipt, { status: "failed", error: { key: "claim.failed", detail: failureText(error) } });
  }
  drawReceipts();
}

function removeReceipt(receipt) {
  local.receipts = local.receipts.filter((kept) => kept !== receipt);
  if (receipt.url) URL.revokeObjectURL(receipt.url);
  drawReceipts();
  $("claim-file").focus();
}

function sizeText(bytes) {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} Mo`.replace("Mo", document.documentElement.lang === "fr" ? "Mo" : "MB")
    : `${Math.max(1, Math.round(bytes / 1024))} ${document.documentElement.lang === "fr" ? "ko" : "KB"}`;
}

function drawReceipts() {
  const items = local.receipts.map((receipt) => {
    const item = element("li", `receipt ${receipt.status}`);
    item.dataset.receipt = receipt.key;
    if (receipt.url) {
      const preview = element("img", "preview");
      preview.src = receipt.url;
      preview.alt = "";
      item.append(preview);
    } else {
      item.append(element("span", "preview pdf", "PDF"));
    }
    const about = element("div", "receipt-about");
    about.append(element("strong", "", receipt.file.name), element("span", "muted", sizeText(receipt.file.size)));
    if (receipt.status === "uploading") {
      const bar = element("progress");
      bar.max = 100;
      bar.value = Math.round(receipt.progress * 100);
      bar.setAttribute("aria-label", t("claim.uploading", { percent: bar.value }));
      about.append(bar);
    } else if (receipt.status === "sent") {
      about.append(element("span", "ok", `✓ ${t("claim.uploaded")}`));
    } else {
      const message = receipt.error?.key
        ? t(receipt.error.key)
        : receipt.error?.message ?? t("code.INVALID_RECEIPT");
      about.append(element("span", "field-error", message));
    }
    const actions = element("div", "receipt-actions");
    if (receipt.status === "failed") {
      const retry = element("button", "secondary", t("claim.retry", { name: "" }).trim());
      retry.type = "button";
      retry.setAttribute("aria-label", t("claim.retry", { name: receipt.file.name }));
      retry.addEventListener("click", () => send(receipt));
      actions.append(retry);
    }
    const remove = element("button", "secondary", t("claim.remove", { name: "" }).trim());
    remove.type = "button";
    remove.setAttribute("aria-label", t("claim.remove", { name: receipt.file.name }));
    remove.addEventListener("click", () => removeReceipt(receipt));
    actions.append(remove);
    item.append(about, actions);
    return item;
  });
  $("receipt-list").replaceChildren(...items);
}

function claimProblems(values) {
  const problems = [];
  if (local.receipts.some((receipt) => receipt.status === "uploading")) {
    problems.push({ field: "receiptIds", key: "claim.waitUploads" });
  } else if (!local.receipts.some((receipt) => receipt.status === "sent")) {
    problems.push({ field: "receiptIds", key: "claim.needReceipt" });
  }
  const amount = values["lines[0].amountCents"];
  const other = values["lines[0].otherPlanPaidCents"];
  if (typeof amount === "number" && typeof other === "number" && other > amount) {
    problems.push({ field: "lines[0].otherPlanPaidCents", key: "check.moneyMore" });
  }
  return problems;
}

function categoryOf(serviceType) {
  return Object.keys(SERVICES).find((category) => SERVICES[category].includes(serviceType));
}

// The server names a few fields the form shows under another.
const FIELD_SHOWN_AS = { category: "lines[0].serviceType", lines: "lines[0].serviceType" };

async function submitClaim(values, form) {
  local.claimKey ??= receiptKey();
  const input = {
    idempotencyKey: local.claimKey,
    category: categoryOf(values["lines[0].serviceType"]),
    patientId: values.patientId,
    providerName: values.providerName,
    lines: [
      {
        serviceType: values["lines[0].serviceType"],
        serviceDate: values["lines[0].serviceDate"],
        amountCents: values["lines[0].amountCents"],
        otherPlanPaidCents: values["lines[0].otherPlanPaidCents"] || 0,
      },
    ],
    receiptIds: local.receipts.filter((receipt) => receipt.status === "sent").map((r) => r.id),
  };
  const { submitClaim: submitted } = await graphql(api.SUBMIT_CLAIM, { input });
  if (endedBy(submitted.errors)) return;
  if (submitted.errors.length) {
    const errors = fromServer(submitted.errors).map((error) => ({
      ...error,
      field: FIELD_SHOWN_AS[error.field] ?? (error.field?.startsWith("receiptIds") ? "receiptIds" : error.field),
    }));
    return showErrors(form, errors);
  }
  local.sent = submitted.claim;
  local.claimKey = null;
  local.claims = null;
  for (const receipt of local.receipts) if (receipt.url) URL.revokeObjectURL(receipt.url);
  local.receipts = [];
  done(form);
  drawReceipts();
  await navigate("/claims/sent", { state: { claimId: submitted.claim.id } });
}

// ---- A claim, as the confirmation and the history show it. ----

function claimCard(claim, { heading = "h2" } = {}) {
  const item = element("li", "card claim");
  const title = element(heading, "", t("claims.reference", { reference: claim.reference }));
  const status = element("p", `status status-${claim.status.toLowerCase()}`, label("claimStatus", claim.status));
  item.append(
    title,
    status,
    element("p", "", t("claims.submitted", { date: formatDateTime(claim.submittedAt) })),
    element("p", "", t("claims.patient", { name: `${claim.patient.firstName} ${claim.patient.lastName}` })),
    element("p", "", t("claims.provider", { name: claim.providerName })),
  );
  const lines = element("ul", "lines");
  lines.append(
    ...claim.lines.map((line) =>
      element(
        "li",
        "",
        t("claims.line", {
          service: label("service", line.serviceType),
          date: formatDate(line.serviceDate),
          amount: formatMoney(line.amountCents),
        }),
      ),
    ),
  );
  item.append(lines, element("p", "", t("claims.total", { amount: formatMoney(claim.totalCents) })));
  if (claim.decision) {
    item.append(element("p", "strong", t("claims.paid", { amount: formatMoney(claim.decision.paidCents) })));
    if (claim.decision.reason) item.append(element("p", "", t("claims.reason", { reason: claim.decision.reason })));
  }
  return item;
}

export async function enterClaimSent() {
  const id = history.state?.claimId;
  if (!id) await redirect("/home");
  if (local.sent?.id !== id) {
    const { viewer } = await graphql(api.CLAIM_BY_ID, { id });
    if (!viewer) return sessionEnded();
    if (!viewer.claim) await redirect("/home");
    local.sent = viewer.claim;
  }
  drawClaimSent();
}

export function drawClaimSent() {
  $("claim-sent-reference").textContent = local.sent.reference;
  const list = element("ul", "cards");
  list.append(claimCard(local.sent));
  $("claim-sent-details").replaceChildren(list);
  $("claim-sent-history").hidden = !hasFeature("CLAIMS_HISTORY");
}

export async function enterClaims() {
  await requireFeature(hasFeature("CLAIMS_HISTORY"));
  const { viewer } = await graphql(api.CLAIMS, { after: null });
  if (!viewer) return sessionEnded();
  local.claims = viewer.claims;
  drawClaims();
}

export function drawClaims() {
  if (!local.claims) return;
  const { edges, pageInfo } = local.claims;
  $("claims-empty").hidden = edges.length > 0;
  $("claim-list").replaceChildren(...edges.map((edge) => claimCard(edge.node)));
  $("claims-more").hidden = !pageInfo.hasNextPage;
}

async function moreClaims() {
  try {
    const { viewer } = await graphql(api.CLAIMS, { after: local.claims.pageInfo.endCursor });
    if (!viewer) return sessionEnded();
    const first = local.claims.edges.length;
    local.claims = {
      edges: [...local.claims.edges, ...viewer.claims.edges],
      pageInfo: viewer.claims.pageInfo,
    };
    drawClaims();
    $("claim-list").children[first]?.querySelector("h2")?.setAttribute("tabindex", "-1");
    $("claim-list").children[first]?.querySelector("h2")?.focus();
  } catch (error) {
    handled(error);
  }
}

// ---- Direct deposit and the payment card. ----

export async function enterDeposit() {
  await requireFeature(hasFeature("DIRECT_DEPOSIT"));
  const { viewer } = await graphql(api.DEPOSIT);
  if (!viewer) return sessionEnded();
  local.deposit = viewer.directDeposit;
  drawDeposit();
}

export function drawDeposit() {
  const deposit = local.deposit;
  if (deposit === undefined) return;
  $("deposit-current").replaceChildren(
    ...(deposit
      ? [
          element(
            "p",
            "strong",
            t("deposit.account", {
              institution: deposit.institutionNumber,
              transit: deposit.transitNumber,
              last3: deposit.accountNumberLast3,
            }),
          ),
          element("p", "muted", t("deposit.updated", { date: formatDateTime(deposit.updatedAt) })),
        ]
      : [element("p", "", t("deposit.none"))]),
  );
}

async function setDeposit(values, form) {
  const { setDirectDeposit: saved } = await graphql(api.SET_DEPOSIT, { input: values });
  if (endedBy(saved.errors)) return;
  if (saved.errors.length) return showErrors(form, fromServer(saved.errors));
  done(form);
  await navigate("/deposit", { replace: true, notice: { key: "deposit.done" } });
}

export async function enterCard() {
  await requireFeature(hasFeature("PAYMENT_CARD"));
  const { viewer } = await graphql(api.CARD);
  if (!viewer) return sessionEnded();
  local.card = viewer.paymentCard;
  drawCard();
}

export function drawCard() {
  const card = local.card;
  if (!card) return;
  const list = element("dl", "card-fields");
  const add = (term, value, className = "") => {
    const row = element("div", className);
    row.append(element("dt", "", term), element("dd", "", value));
    list.append(row);
  };
  add(t("card.sponsor"), card.sponsorName);
  add(t("card.plan"), card.planName);
  add(t("card.contract"), card.contractNumber, "number");
  add(t("card.certificate"), card.certificateNumber, "number");
  const people = element("ul", "insured");
  people.append(...card.insuredPersons.map((person) => element("li", "", personName(person))));
  const heading = element("h2", "", t("card.insured"));
  const brand = element("p", "card-brand", document.body.dataset.brand);
  $("payment-card").replaceChildren(brand, list, heading, people);
}

export function start() {
  onSubmit($("claim-form"), submitClaim, claimProblems);
  onSubmit($("deposit-form"), setDeposit);
  $("claim-file").addEventListener("change", (event) => {
    addReceipts([...event.target.files]);
    event.target.value = "";
  });
  $("claims-more").addEventListener("click", moreClaims);
}
