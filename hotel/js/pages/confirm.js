import { confirmSignUp, resendCode } from "../auth.js";
import { emailFromUrl, emailProblem, handleSubmit, showLocalMailboxHint } from "../accountForm.js";
import { startPage } from "../page.js";
import { busy, say } from "../ui.js";

const form = document.getElementById("confirm-form");
const summary = document.getElementById("confirm-summary");
const ready = startPage();

async function main() {
  listen();
  form.email.value = emailFromUrl();
  const started = await ready;
  if (!started) return;
  showLocalMailboxHint(started.config);
  const sentTo = new URLSearchParams(location.search).get("sent");
  if (sentTo) {
    say(document.getElementById("sent"), `We emailed a code to ${sentTo}. Enter it below.`, "ok");
    form.code.focus();
  }
}

function listen() {
  handleSubmit(form, {
    ready,
    summary,
    button: document.getElementById("confirm-submit"),
    fieldFor: { CodeMismatchException: "code", ExpiredCodeException: "code" },
    check() {
      const errors = [];
      const email = emailProblem(form.email.value.trim());
      if (email) errors.push({ field: "email", message: email });
      if (!/^\d{6}$/.test(form.code.value.trim())) {
        errors.push({ field: "code", message: "Enter the 6-digit code from the email." });
      }
      return errors;
    },
    async run() {
      const email = form.email.value.trim();
      await confirmSignUp(email, form.code.value.trim());
      location.href = `login.html?${new URLSearchParams({ email, confirmed: "1" })}`;
    },
  });
  const resend = document.getElementById("resend");
  const resent = document.getElementById("resent");
  resend.addEventListener("click", () =>
    busy(resend, async () => {
      if (!(await ready)) return;
      const email = form.email.value.trim();
      const problem = emailProblem(email);
      if (problem) {
        say(resent, problem, "error");
        form.email.focus();
        return;
      }
      try {
        const to = await resendCode(email);
        say(resent, `A new code is on its way to ${to}. Only the newest code works.`, "ok");
        form.code.value = "";
        form.code.focus();
      } catch (error) {
        say(resent, error.message, "error");
      }
    }),
  );
}

main();
