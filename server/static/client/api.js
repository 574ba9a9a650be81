// The one way the client talks to the gateway: a JSON POST to /graphql, or a multipart POST
// for a receipt. The session is the HttpOnly cookie that a WEB sign-in sets; the client never
// sees or stores a token.
import { language } from "./i18n.js";

/** The request failed as a whole (network down, HTTP error, or a GraphQL error). */
export class ApiError extends Error {
  constructor(kind, detail) {
    super(detail ?? kind);
    this.kind = kind; // "network", "unauthenticated" or "unexpected"
  }
}

const listeners = new Set();

/** Called after each answer with the server's clock (its Date header), for the idle timer. */
export function onAnswer(listener) {
  listeners.add(listener);
}

function answered(headers) {
  const date = Date.parse(headers.get?.("date") ?? "");
  for (const listener of listeners) listener(Number.isNaN(date) ? null : date);
}

export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": language() },
      credentials: "same-origin",
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError("network", String(error));
  }
  const body = await response.json().catch(() => null);
  answered(response.headers);
  const code = body?.errors?.[0]?.extensions?.code;
  if (code === "UNAUTHENTICATED") throw new ApiError("unauthenticated");
  if (!response.ok || body === null || body.errors?.length) {
    throw new ApiError("unexpected", body?.errors?.[0]?.message ?? `HTTP ${response.status}`);
  }
  return body.data;
}

const UPLOAD = `mutation Upload($file: Upload!) { uploadReceipt(file: $file) {
  receipt { id contentType sizeBytes } errors { code field message } } }`;

/**
 * A receipt by the GraphQL multipart request spec, with its progress (0 to 1) reported as it
 * goes; XMLHttpRequest because fetch cannot report an upload's progress. The preflight header
 * is what the gateway asks of a multipart request, so that no plain form can send one.
 */
export function uploadReceipt(file, onProgress) {
  const body = new FormData();
  body.append("operations", JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  body.append("map", JSON.stringify({ 0: ["variables.file"] }));
  body.append("0", file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/graphql");
    request.withCredentials = true;
    request.timeout = 120_000;
    request.setRequestHeader("GraphQL-Preflight", "1");
    request.setRequestHeader("Accept-Language", language());
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let payload = null;
      try {
        payload = JSON.parse(request.responseText);
      } catch {
        // Not JSON: a proxy's page, say. Reported below as unexpected.
      }
      if (request.status === 200 && payload?.data?.uploadReceipt) {
        resolve(payload.data.uploadReceipt);
      } else if (payload?.errors?.[0]?.extensions?.code === "UNAUTHENTICATED") {
        reject(new ApiError("unauthenticated"));
      } else {
        reject(new ApiError("unexpected", `HTTP ${request.status}`));
      }
    });
    for (const failure of ["error", "timeout", "abort"]) {
      request.addEventListener(failure, () => reject(new ApiError("network", failure)));
    }
    request.send(body);
  });
}

const ERRORS = "errors { code field message retryAfter attemptsLeft }";
const FILE = `id productLine contractNumber certificateNumber sponsorName planName status
  info { memberName effectiveDate terminationDate coverages { benefit tier } onlineFeatures }`;
const SESSION = `status expiresAt selectedFile { ${FILE} }`;
const PERSON = "id firstName lastName relationship";
const CLAIM = `id reference category status providerName totalCents submittedAt
  patient { ${PERSON} } lines { serviceType serviceDate amountCents otherPlanPaidCents }
  decision { eligibleCents paidCents reason decidedAt }`;

export const RULES = `query Rules { registrationRules {
  userCodeMinLength userCodeMaxLength passwordMinLength passwordMaxLength
  passwordRequiredCharacterKinds passwordHintMaxLength mothersFirstNameMaxLength } }`;

export const VIEWER = `query Viewer { viewer {
  userCode profile { firstName lastName } session { ${SESSION} } insuranceFiles { ${FILE} } } }`;

export const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { userCode ${ERRORS} } }`;

export const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { session { ${SESSION} } ${ERRORS} } }`;

export const LINK = `mutation Link($input: LinkExistingCredentialsInput!) {
  linkExistingCredentials(input: $input) { session { ${SESSION} } ${ERRORS} } }`;

export const SELECT_FILE = `mutation Select($fileId: ID!) {
  selectInsuranceFile(fileId: $fileId) { session { ${SESSION} } ${ERRORS} } }`;

export const AGREEMENT = `query Agreement { usageAgreement { version title body } }`;

export const ACCEPT = `mutation Accept($version: String!) {
  acceptUsageAgreement(version: $version) { session { ${SESSION} } ${ERRORS} } }`;

export const SIGN_OUT = `mutation SignOut { signOut { ${ERRORS} } }`;

export const SIGN_OUT_EVERYWHERE = `mutation SignOutEverywhere { signOutEverywhere { ${ERRORS} } }`;

export const HINT = `mutation Hint($input: PasswordHintInput!) {
  passwordHint(input: $input) { hint ${ERRORS} } }`;

export const RESET = `mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ${ERRORS} } }`;

export const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { ${ERRORS} } }`;

export const SECURITY = `query Security { viewer {
  sessions { id current channel createdAt lastSeenAt clientAddress userAgent }
  securityEvents(first: 20) { kind occurredAt channel byStaff description } } }`;

export const REVOKE = `mutation Revoke($id: ID!) { revokeSession(id: $id) { ${ERRORS} } }`;

export const CLAIM_FORM = `query ClaimForm { viewer { insuredPersons { ${PERSON} } } }`;

export const SUBMIT_CLAIM = `mutation Submit($input: SubmitClaimInput!) {
  submitClaim(input: $input) { claim { ${CLAIM} } ${ERRORS} } }`;

export const CLAIM_BY_ID = `query Claim($id: ID!) { viewer { claim(id: $id) { ${CLAIM} } } }`;

export const CLAIMS = `query Claims($after: String) { viewer { claims(first: 10, after: $after) {
  edges { node { ${CLAIM} } } pageInfo { hasNextPage endCursor } } } }`;

export const DEPOSIT = `query Deposit { viewer { directDeposit {
  institutionNumber transitNumber accountNumberLast3 updatedAt } } }`;

export const SET_DEPOSIT = `mutation SetDeposit($input: DirectDepositInput!) {
  setDirectDeposit(input: $input) { ${ERRORS} } }`;

export const CARD = `query Card { viewer { paymentCard {
  sponsorName planName contractNumber certificateNumber insuredPersons { ${PERSON} } } } }`;
