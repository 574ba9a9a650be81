// The one way the client talks to the gateway: a JSON POST to /graphql. The session is the
// HttpOnly cookie that a WEB sign-in sets; the client never sees or stores a token.
import { language } from "./i18n.js";

/** The request failed as a whole (network down, HTTP error, or a GraphQL error). */
export class ApiError extends Error {
  constructor(kind, detail) {
    super(detail ?? kind);
    this.kind = kind; // "network" or "unexpected"
  }
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
  if (!response.ok || body === null || body.errors?.length) {
    throw new ApiError("unexpected", body?.errors?.[0]?.message ?? `HTTP ${response.status}`);
  }
  return body.data;
}

const ERRORS = "errors { code field message }";
const FILE = `id productLine contractNumber certificateNumber sponsorName planName status
  info { memberName effectiveDate terminationDate coverages { benefit tier } onlineFeatures }`;
const SESSION = `status selectedFile { ${FILE} }`;

export const RULES = `query Rules { registrationRules {
  userCodeMinLength userCodeMaxLength passwordMinLength passwordRequiredCharacterKinds
  passwordHintMaxLength mothersFirstNameMaxLength } }`;

export const VIEWER = `query Viewer { viewer {
  userCode profile { firstName lastName } session { ${SESSION} } insuranceFiles { ${FILE} } } }`;

export const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { userCode ${ERRORS} } }`;

export const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { session { ${SESSION} } insuranceFiles { ${FILE} } ${ERRORS} } }`;

export const SELECT_FILE = `mutation Select($fileId: ID!) {
  selectInsuranceFile(fileId: $fileId) { session { ${SESSION} } ${ERRORS} } }`;

export const AGREEMENT = `query Agreement { usageAgreement { version title body } }`;

export const ACCEPT = `mutation Accept($version: String!) {
  acceptUsageAgreement(version: $version) { session { ${SESSION} } ${ERRORS} } }`;

export const SIGN_OUT = `mutation SignOut { signOut { ${ERRORS} } }`;

export const HINT = `mutation Hint($input: PasswordHintInput!) {
  passwordHint(input: $input) { hint ${ERRORS} } }`;

export const RESET = `mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ${ERRORS} } }`;
