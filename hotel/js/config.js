// The page settings: hotel/config.json, written by the deployment (or by `make run` locally).
//   apiUrl            the REST API's base URL
//   searchUrl         optional; the search service's route (its HTTP API), used by the search page
//   region            the AWS region
//   userPoolId        the Cognito user pool
//   userPoolClientId  the pool's app client (no secret) used for USER_PASSWORD_AUTH
//   cognitoEndpoint   optional; defaults to https://cognito-idp.{region}.amazonaws.com
//   passwordPolicy    the pool's password rules {minimumLength, requireLowercase, ...}, shown
//                     on the sign-up and new-password forms (from template.yaml)

let loading = null;

export function loadConfig() {
  loading ??= fetch("config.json", { cache: "no-store" }).then(async (resp) => {
    if (!resp.ok) throw new Error(`config.json could not be loaded (HTTP ${resp.status}).`);
    const config = await resp.json();
    for (const key of ["apiUrl", "region", "userPoolClientId"]) {
      if (!config[key]) throw new Error(`config.json has no "${key}".`);
    }
    const cognito = config.cognitoEndpoint || `https://cognito-idp.${config.region}.amazonaws.com`;
    return {
      ...config,
      apiUrl: config.apiUrl.replace(/\/+$/, ""),
      cognitoEndpoint: cognito.replace(/\/+$/, ""),
    };
  });
  return loading;
}
