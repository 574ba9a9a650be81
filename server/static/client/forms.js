// Reading forms and showing the server's errors ({code, field, message}) where they belong.
import { t } from "./i18n.js";

/** The form's named fields as an object, e.g. {userCode: "...", password: "..."}. */
export function formValues(form) {
  return Object.fromEntries(new FormData(form));
}

/** Errors for required fields left empty that the API cannot take empty (dates). */
export function missingFields(form, names) {
  return names
    .filter((name) => form.elements.namedItem(name).value.trim() === "")
    .map((name) => ({ code: "REQUIRED", field: name, message: t("error.required") }));
}

export function clearErrors(form) {
  for (const element of form.querySelectorAll("[data-error-for]")) {
    element.replaceChildren();
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
  }
  form.querySelector("[data-form-errors]").replaceChildren();
}

/**
 * Shows each error next to its field (field names as the API gives them: userCode,
 * password, profile.email...); errors without a field, or for a field this form does not
 * have, go to the form's summary. Focus moves to the first field at fault.
 */
export function showErrors(form, errors) {
  clearErrors(form);
  const general = [];
  let firstInvalid = null;
  let fieldErrors = 0;
  for (const error of errors) {
    const slot = error.field && form.querySelector(`[data-error-for="${CSS.escape(error.field)}"]`);
    if (!slot) {
      general.push(error.message);
      continue;
    }
    const line = document.createElement("span");
    line.textContent = error.message;
    slot.append(line);
    fieldErrors += 1;
    const input = form.elements.namedItem(error.field);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      firstInvalid ??= input;
    }
  }
  showSummary(
    form,
    fieldErrors ? [t("error.summary", { count: fieldErrors }), ...general] : general,
  );
  (firstInvalid ?? form.querySelector("[data-form-errors]")).focus();
}

/** A problem with the whole request (network, server), shown in the form's summary. */
export function showFailure(form, message) {
  clearErrors(form);
  showSummary(form, [message]);
  form.querySelector("[data-form-errors]").focus();
}

function showSummary(form, messages) {
  // The summary stays in the page, empty, so that screen readers announce what arrives in it.
  form.querySelector("[data-form-errors]").replaceChildren(
    ...messages.map((message) => {
      const paragraph = document.createElement("p");
      paragraph.textContent = message;
      return paragraph;
    }),
  );
}
