// Sign-in straight against Cognito's API (USER_PASSWORD_AUTH), no SDK. The ID token lives in
// sessionStorage (gone when the tab closes) and is sent raw as the Authorization header.
import { loadConfig } from "./config.js";

const TOKEN_KEY = "hotel.idToken";

export class AuthError extends Error {}

/** The JSON payload of a JWT (base64url, UTF-8), without checking the signature. */
export function decodeJwt(token) {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The stored ID token, or null when there is none or it has expired. */
export function idToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === "number" && exp * 1000 <= Date.now()) throw new Error("expired");
    return token;
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
}

/** Who is signed in: {email, name, groups, isAdmin, isManager}, or null. */
export function currentUser() {
  const token = idToken();
  if (!token) return null;
  const claims = decodeJwt(token);
  let groups = claims["cognito:groups"] ?? [];
  if (typeof groups === "string") groups = groups.split(/[,\s]+/).filter(Boolean);
  return {
    email: claims.email ?? "",
    name: claims.name || claims.email || "you",
    groups,
    isAdmin: groups.includes("Admin"),
    isManager: groups.includes("HotelManager"),
  };
}

const COGNITO_MESSAGES = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotFoundException: "Incorrect email or password.",
  UserNotConfirmedException: "This account has not been confirmed yet.",
  PasswordResetRequiredException: "This account needs a password reset before you can sign in.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
  LimitExceededException: "Too many attempts. Wait a moment and try again.",
};

export async function signIn(email, password) {
  const config = await loadConfig();
  let resp;
  try {
    resp = await fetch(`${config.cognitoEndpoint}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.userPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    });
  } catch {
    throw new AuthError("The sign-in service could not be reached. Check your connection.");
  }
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const type = String(body.__type ?? "")
      .split("#")
      .pop();
    throw new AuthError(
      COGNITO_MESSAGES[type] ?? body.message ?? `Sign-in failed (HTTP ${resp.status}).`,
    );
  }
  if (body.ChallengeName) {
    throw new AuthError(
      body.ChallengeName === "NEW_PASSWORD_REQUIRED"
        ? "This account must set a new password first; ask an administrator to set one."
        : `Sign-in needs an extra step (${body.ChallengeName}) that these pages do not support.`,
    );
  }
  const token = body.AuthenticationResult?.IdToken;
  if (!token) throw new AuthError("Sign-in failed: no token came back.");
  sessionStorage.setItem(TOKEN_KEY, token);
  return currentUser();
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}
