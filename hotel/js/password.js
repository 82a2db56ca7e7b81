// The user pool's password rules (config.json passwordPolicy, from template.yaml), shown before
// the visitor submits and ticked off as they type.
import { h } from "./ui.js";

const SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/** [{text, ok(password)}] for a policy {minimumLength, requireLowercase, ...}. */
export function passwordRules(policy = {}) {
  const min = Number(policy.minimumLength) || 8;
  const rules = [{ text: `at least ${min} characters`, ok: (p) => p.length >= min }];
  if (policy.requireLowercase !== false) {
    rules.push({ text: "a lowercase letter", ok: (p) => /[a-z]/.test(p) });
  }
  if (policy.requireUppercase !== false) {
    rules.push({ text: "an uppercase letter", ok: (p) => /[A-Z]/.test(p) });
  }
  if (policy.requireNumbers !== false) {
    rules.push({ text: "a number", ok: (p) => /[0-9]/.test(p) });
  }
  if (policy.requireSymbols) {
    const ok = (p) => [...p].some((c) => SYMBOLS.includes(c));
    rules.push({ text: "a symbol such as ! @ # or -", ok });
  }
  return rules;
}

/** What the password still lacks, as one sentence, or "" when it meets every rule. */
export function passwordProblem(policy, password) {
  const missing = passwordRules(policy).filter((rule) => !rule.ok(password));
  return missing.length ? `Password needs ${missing.map((r) => r.text).join(", ")}.` : "";
}

/** Fill `list` (a <ul>) with the rules and tick each one off as `input` changes. */
export function showPasswordRules(list, input, policy) {
  const rules = passwordRules(policy);
  const items = rules.map((rule) => h("li", {}, rule.text));
  list.replaceChildren(...items);
  const update = () => {
    rules.forEach((rule, i) => {
      const met = rule.ok(input.value);
      items[i].classList.toggle("met", met);
      items[i].setAttribute("aria-label", `${rule.text}${met ? " (done)" : ""}`);
    });
  };
  input.addEventListener("input", update);
  update();
}
