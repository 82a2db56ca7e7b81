// Accounts straight against Cognito's public JSON API, no SDK: sign up and confirm the email,
// sign in (with the first-sign-in new password), forgot password, refresh, sign out.
//
// The session (ID, access and refresh tokens) lives in sessionStorage, gone when the tab
// closes. Its expiry is counted from when the tokens arrived, by this browser's clock, so a
// wrong clock on the visitor's machine does not end or prolong a session. Five minutes before
// the ID token expires, the next call refreshes it with the refresh token: a page never fails
// because an hour passed. Sign-out revokes the refresh token (RevokeToken).
import { loadConfig } from "./config.js";

const SESSION_KEY = "hotel.session";
const CHALLENGE_KEY = "hotel.challenge";
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class AuthError extends Error {
  constructor(message, code = "") {
    super(message);
    this.code = code;
  }
}

/** The JSON payload of a JWT (base64url, UTF-8), without checking the signature. */
export function decodeJwt(token) {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// ---------------------------------------------------------------- Cognito's API
const MESSAGES = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotFoundException: "Incorrect email or password.",
  UserNotConfirmedException: "This account has not been confirmed yet.",
  PasswordResetRequiredException:
    "This account needs a new password: use “Forgot your password?”.",
  TooManyRequestsException: "Too many attempts. Wait a moment and try again.",
  LimitExceededException: "Too many attempts. Wait a while and try again.",
  TooManyFailedAttemptsException: "Too many wrong codes. Wait a while and try again.",
  CodeMismatchException: "That code is not right. Check the newest email and try again.",
  ExpiredCodeException: "That code has expired. Send yourself a new one.",
  UsernameExistsException: "An account with this email already exists. Sign in instead.",
  CodeDeliveryFailureException: "The code could not be emailed. Check the address and try again.",
};

/** One call to Cognito: {target} is the action ("SignUp"), {body} its JSON. */
async function cognito(target, body) {
  const config = await loadConfig();
  let resp;
  try {
    resp = await fetch(`${config.cognitoEndpoint}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify({ ClientId: config.userPoolClientId, ...body }),
    });
  } catch {
    throw new AuthError("The sign-in service could not be reached. Check your connection.");
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const code = String(data.__type ?? "")
      .split("#")
      .pop();
    let message = MESSAGES[code];
    if (!message && code === "InvalidPasswordException") {
      const detail = String(data.message ?? "").replace(/^.*?:\s*/, "");
      message = `That password is not allowed: ${detail}`;
    }
    message ??= data.message ?? `The request failed (HTTP ${resp.status}).`;
    throw new AuthError(message, code);
  }
  return data;
}

// ---------------------------------------------------------------- the session
function readSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    return session?.idToken ? session : null;
  } catch {
    return null;
  }
}

function saveTokens(result, previous = null) {
  const session = {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    // A refresh answers without a new refresh token: keep the one we have.
    refreshToken: result.RefreshToken ?? previous?.refreshToken ?? null,
    expiresAt: Date.now() + Number(result.ExpiresIn || 3600) * 1000,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

function endSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The stored ID token while it is valid, else null (no network; see freshIdToken). */
export function idToken() {
  const session = readSession();
  return session && session.expiresAt > Date.now() ? session.idToken : null;
}

let refreshing = null;

/** Swap the refresh token for new ID and access tokens (one call at a time). */
export function refreshSession() {
  refreshing ??= (async () => {
    const session = readSession();
    if (!session?.refreshToken) return null;
    try {
      const data = await cognito("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      });
      return saveTokens(data.AuthenticationResult, session);
    } catch (error) {
      // Revoked or expired refresh token: the session is over. A network error keeps it.
      if (error.code) endSession();
      return null;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** An ID token good for at least a few minutes, refreshed first when needed; null if none. */
export async function freshIdToken() {
  const session = readSession();
  if (!session) return null;
  if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.idToken;
  const renewed = await refreshSession();
  return renewed?.idToken ?? idToken();
}

function userFrom(token) {
  const claims = decodeJwt(token);
  let groups = claims["cognito:groups"] ?? [];
  if (typeof groups === "string") groups = groups.split(/[,\s]+/).filter(Boolean);
  return {
    sub: claims.sub ?? "",
    email: claims.email ?? "",
    name: claims.name || claims.email || "you",
    groups,
    isAdmin: groups.includes("Admin"),
    isManager: groups.includes("HotelManager"),
  };
}

/** Who is signed in: {sub, email, name, groups, isAdmin, isManager}, or null. */
export function currentUser() {
  const session = readSession();
  if (!session) return null;
  if (session.expiresAt <= Date.now() && !session.refreshToken) return null;
  try {
    return userFrom(session.idToken);
  } catch {
    endSession();
    return null;
  }
}

/** currentUser(), after refreshing a session that is about to expire (pages call this first). */
export async function sessionUser() {
  const session = readSession();
  if (session && session.expiresAt - Date.now() <= REFRESH_MARGIN_MS) await refreshSession();
  return currentUser();
}

// ---------------------------------------------------------------- sign in
/**
 * Sign in with email and password. Returns the user, or {challenge: "NEW_PASSWORD_REQUIRED"}
 * for a user an administrator created (then call completeNewPassword).
 */
export async function signIn(email, password) {
  const data = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (data.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    sessionStorage.setItem(
      CHALLENGE_KEY,
      JSON.stringify({
        session: data.Session,
        username: data.ChallengeParameters?.USERNAME ?? email,
        email,
        // Cognito's sign-in session lasts 3 minutes (the app client's AuthSessionValidity).
        until: Date.now() + 3 * 60 * 1000,
      }),
    );
    return { challenge: "NEW_PASSWORD_REQUIRED" };
  }
  if (data.ChallengeName) {
    throw new AuthError(
      `Sign-in needs an extra step (${data.ChallengeName}) that these pages do not support.`,
    );
  }
  if (!data.AuthenticationResult?.IdToken) {
    throw new AuthError("Sign-in failed: no token came back.");
  }
  saveTokens(data.AuthenticationResult);
  return currentUser();
}

/** The pending first-sign-in challenge: {email, until}, or null. */
export function pendingChallenge() {
  try {
    const challenge = JSON.parse(sessionStorage.getItem(CHALLENGE_KEY) ?? "null");
    return challenge && challenge.until > Date.now() ? challenge : null;
  } catch {
    return null;
  }
}

/** Answer NEW_PASSWORD_REQUIRED with the user's own password; signs them in. */
export async function completeNewPassword(newPassword) {
  const challenge = pendingChallenge();
  if (!challenge) {
    throw new AuthError("The sign-in took too long. Sign in again with the temporary password.");
  }
  let data;
  try {
    data = await cognito("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
    });
  } catch (error) {
    if (error.code === "NotAuthorizedException") {
      sessionStorage.removeItem(CHALLENGE_KEY);
      throw new AuthError("The sign-in expired. Sign in again with the temporary password.");
    }
    throw error;
  }
  sessionStorage.removeItem(CHALLENGE_KEY);
  saveTokens(data.AuthenticationResult);
  return currentUser();
}

// ---------------------------------------------------------------- accounts
/** Create an account; Cognito emails a code. Returns where it went ("g***@e***"). */
export async function signUp(email, name, password) {
  const data = await cognito("SignUp", {
    Username: email,
    Password: password,
    UserAttributes: [
      { Name: "email", Value: email },
      { Name: "name", Value: name },
    ],
  });
  return { confirmed: Boolean(data.UserConfirmed), sentTo: data.CodeDeliveryDetails?.Destination };
}

export async function confirmSignUp(email, code) {
  await cognito("ConfirmSignUp", { Username: email, ConfirmationCode: code });
}

export async function resendCode(email) {
  const data = await cognito("ResendConfirmationCode", { Username: email });
  return data.CodeDeliveryDetails?.Destination ?? email;
}

export async function forgotPassword(email) {
  const data = await cognito("ForgotPassword", { Username: email });
  return data.CodeDeliveryDetails?.Destination ?? email;
}

export async function resetPassword(email, code, password) {
  await cognito("ConfirmForgotPassword", {
    Username: email,
    ConfirmationCode: code,
    Password: password,
  });
}

// ---------------------------------------------------------------- sign out
/** End the session here and revoke its refresh token at Cognito (so it can't be reused). */
export async function signOut() {
  const session = readSession();
  endSession();
  if (!session?.refreshToken) return;
  try {
    await cognito("RevokeToken", { Token: session.refreshToken });
  } catch {
    // Signed out here either way; the refresh token expires on its own (30 days).
  }
}
