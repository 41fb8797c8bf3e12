// The platform's REST API, with the login token kept for this browser tab.
const PREFIX = "/api/v1";

export function token() {
  return sessionStorage.getItem("parksteward.token");
}

export async function login(username, password) {
  const body = new URLSearchParams({ username, password });
  const response = await fetch(`${PREFIX}/auth/token`, { method: "POST", body });
  if (!response.ok) return false;
  sessionStorage.setItem("parksteward.token", (await response.json()).access_token);
  return true;
}

export function logout() {
  sessionStorage.removeItem("parksteward.token");
}

export async function get(path) {
  const response = await fetch(`${PREFIX}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
  if (response.status === 401) {
    logout();
    location.reload();
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// The API's own words for a refused request: "field: message" for each problem it names.
async function problem(path, response) {
  let detail = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (Array.isArray(body.detail)) {
      detail = body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    } else if (body.detail) detail = String(body.detail);
  } catch { /* not JSON: keep the status */ }
  const error = new Error(`${path}: ${detail}`);
  error.status = response.status;
  return error;
}

export async function post(path, body = null) {
  const response = await fetch(`${PREFIX}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
    body: body === null ? null : JSON.stringify(body),
  });
  if (response.status === 401) {
    logout();
    location.reload();
  }
  if (!response.ok) throw await problem(path, response);
  return response.json();
}
